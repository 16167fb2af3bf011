"""Celery tasks of logistics: thin, idempotent wrappers that re-read the parcel and call the
carrier adapters or logistics.services.

The sandbox courier plays its script with countdowns. That is acceptable here because no money
or stock deadline depends on it: a parcel whose demo events never arrive is still confirmed by
orders' auto-confirm sweep.
"""

import logging

import httpx
from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from catalog.actors import SYSTEM

from . import selectors, services
from .carriers import get_adapter
from .carriers import sandbox as sandbox_carrier
from .models import Shipment

logger = logging.getLogger(__name__)


def sandbox_delay(step: int) -> int:
    delays = list(settings.LOGISTICS_SANDBOX_DELAYS)
    if not delays:
        return 0
    return int(delays[min(step, len(delays) - 1)])


def _eager() -> bool:
    from shop.celery import app

    return bool(app.conf.task_always_eager)


@shared_task(bind=True, acks_late=True, soft_time_limit=30, time_limit=45, max_retries=5)
def shipment_start_tracking(self, shipment_id: int, retry_failures: bool = True) -> None:
    """After a parcel ships: subscribe to its carrier's pushes (or start the sandbox script).

    A failed subscription is retried 1, 2, 4, 8 and 16 minutes later (31 minutes in all, less
    than the sweep's grace period); a start re-sent by the sweep tries once (retry_failures
    False), the sweep itself being the retry, so the two never pile up."""
    shipment = Shipment.objects.select_related("carrier").filter(pk=shipment_id).first()
    if shipment is None or not shipment.is_shipped or shipment.carrier is None:
        return
    carrier = shipment.carrier
    if carrier.adapter not in selectors.tracking_adapters_in_service():
        logger.info(
            "%s is not configured: %s is not subscribed", carrier.adapter, shipment.tracking_no
        )
        return
    if carrier.adapter == "sandbox":
        sandbox_push_next.apply_async((shipment_id, 0), countdown=sandbox_delay(0))
    else:
        try:
            get_adapter(carrier.adapter).subscribe(
                tracking_no=shipment.tracking_no,
                carrier_code=carrier.code,
                aggregator_code=carrier.aggregator_code,
            )
        except Exception as exc:
            logger.warning("subscribing %s failed: %s", shipment.tracking_no, exc)
            if not retry_failures:
                return
            raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from None
    services.shipment_record_tracking_started(shipment_id=shipment_id)


@shared_task(bind=True, acks_late=True, soft_time_limit=120, time_limit=150)
def sweep_untracked_shipments(self) -> int:
    """Beat, every 15 minutes: start tracking parcels whose start was lost after shipping
    (broker down, worker died) or failed; starting twice is harmless (Kuaidi100 answers "already
    subscribed", the sandbox's events are de-duplicated by their id)."""
    ids = selectors.shipment_ids_awaiting_tracking(now=timezone.now())
    for shipment_id in ids:
        shipment_start_tracking.delay(shipment_id, retry_failures=False)
    return len(ids)


def _sandbox_script(shipment: Shipment, outcome: str | None) -> str | None:
    """The script the sandbox courier plays for the parcel: an intercepted parcel switches to
    the "intercepted" one (from its first step), a shopper's return parcel is always signed
    for, any other follows its tracking number (or LOGISTICS_SANDBOX_OUTCOME)."""
    if shipment.intercept_requested_at is not None:
        return sandbox_carrier.INTERCEPTED
    if outcome:
        return outcome
    if shipment.direction == Shipment.Direction.RETURN:
        return "signed"
    return None


def _sandbox_has_more(shipment: Shipment) -> bool:
    """Still something for the sandbox to push: on its way, or refused and not yet back."""
    if not shipment.is_shipped:
        return False
    if shipment.status == Shipment.Status.REFUSED:
        return shipment.returned_at is None and shipment.direction != Shipment.Direction.RETURN
    return shipment.status not in Shipment.FINAL


@shared_task(bind=True, acks_late=True, soft_time_limit=30, time_limit=45, max_retries=3)
def sandbox_push_next(self, shipment_id: int, step: int, outcome: str | None = None) -> None:
    """The sandbox courier pushes step `step` of the parcel's script to our webhook, then
    schedules the next one. Repeating a step is harmless: the event id de-duplicates it. A
    parcel intercepted meanwhile plays the "intercepted" script from its first step."""
    shipment = (
        Shipment.objects.select_related("carrier", "sub_order__order", "sub_order__warehouse")
        .filter(pk=shipment_id)
        .first()
    )
    if shipment is None or shipment.carrier is None or shipment.carrier.adapter != "sandbox":
        return
    if not _sandbox_has_more(shipment):
        return
    script = _sandbox_script(shipment, outcome)
    if script == sandbox_carrier.INTERCEPTED and outcome != sandbox_carrier.INTERCEPTED:
        step = 0  # the intercept replaces the rest of the script
    order = shipment.sub_order.order
    warehouse = shipment.sub_order.warehouse.region
    address = f"{order.province}{order.city}"
    returning = shipment.direction == Shipment.Direction.RETURN
    push = sandbox_carrier.build_push(
        tracking_no=shipment.tracking_no,
        step=step,
        at=timezone.now(),
        origin=address if returning else warehouse,
        destination=warehouse if returning else address,
        outcome=script,
    )
    if push is None:
        return
    body, headers = push
    if _eager():
        # Tests and single-process demos: the exact signed body through the same handler.
        services.tracking_push_receive(
            actor=SYSTEM, adapter_key="sandbox", body=body, headers=headers
        )
    else:
        url = settings.SANDBOX_CALLBACK_URL.rstrip("/") + reverse(
            "api-logistics-webhook", kwargs={"carrier": "sandbox"}
        )
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=10)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise self.retry(exc=exc, countdown=30) from None
    if not sandbox_carrier.is_last_step(
        tracking_no=shipment.tracking_no, step=step, outcome=script
    ):
        sandbox_push_next.apply_async(
            (shipment_id, step + 1, script), countdown=sandbox_delay(step + 1)
        )
