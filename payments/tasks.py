"""Celery tasks of payments: thin wrappers that take ids, re-read state and call services."""

import logging
from datetime import timedelta

import httpx
from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import services
from .models import Refund, SandboxNotification
from .sandbox import delivery as delivery_schedule

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90, max_retries=None)
def execute_refund(self, refund_id: int) -> str:
    refund = services.refund_execute(refund_id=refund_id)
    if (
        refund.status == Refund.Status.PENDING
        and refund.next_attempt_at
        and not self.request.is_eager
    ):
        # Retried here for speed; the beat sweep (sweep_pending_refunds) picks it up too, and is
        # the only retry in eager mode.
        countdown = max((refund.next_attempt_at - timezone.now()).total_seconds(), 0)
        raise self.retry(countdown=countdown)
    return refund.status


@shared_task(bind=True, acks_late=True, soft_time_limit=120, time_limit=150)
def sweep_pending_refunds(self) -> int:
    """Beat, every minute: attempt every refund whose next attempt is due."""
    ids = services.refund_due_ids()
    for refund_id in ids:
        execute_refund.delay(refund_id)
    return len(ids)


@shared_task(bind=True, acks_late=True, soft_time_limit=600, time_limit=660)
def reconcile_payments(self, day: str | None = None) -> int:
    """Beat, daily: reconcile yesterday (or `day`, ISO date) against the gateways."""
    from datetime import date

    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    run = services.reconcile_payments(day=target)
    return run.mismatch_count


def _send_to_shop(*, gateway: str, body: str, headers: dict, in_process: bool) -> tuple[int, str]:
    """POST the notification to the shop's notify URL (or call its service in-process)."""
    if in_process:
        result = services.payment_handle_notification(
            gateway=gateway, body=body.encode("utf-8"), headers=headers
        )
        return result.acknowledgement.status_code, result.acknowledgement.body
    url = settings.SANDBOX_CALLBACK_URL.rstrip("/") + reverse(
        "api-payments-notify", kwargs={"gateway": gateway}
    )
    try:
        response = httpx.post(url, content=body.encode("utf-8"), headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        return 0, str(exc)
    return response.status_code, response.text


@shared_task(bind=True, acks_late=True, soft_time_limit=30, time_limit=45, max_retries=None)
def deliver_sandbox_notification(self, notification_id: int) -> bool:
    """The sandbox gateway POSTs its notification, signed afresh, until the shop acknowledges
    it, on the real gateways' schedule (sandbox.delivery). Does nothing when no delivery is due
    (acknowledged, given up, or the sweep sent this attempt already). In eager mode (tests, demo
    without a worker) the shop's notification service is called in-process."""
    delivery = delivery_schedule.claim_due_delivery(notification_id=notification_id)
    if delivery is None:
        return SandboxNotification.objects.filter(
            pk=notification_id, acknowledged_at__isnull=False
        ).exists()
    status, answer = _send_to_shop(
        gateway=delivery.gateway,
        body=delivery.body,
        headers=delivery.headers,
        in_process=self.request.is_eager or settings.PAYMENT_SANDBOX_DELIVER_IN_PROCESS,
    )
    acknowledged = status in (200, 204) and (
        delivery.gateway != "alipay" or answer.strip() == "success"
    )
    next_attempt_at = delivery_schedule.record_delivery(
        notification_id=notification_id, acknowledged=acknowledged, response=f"{status} {answer}"
    )
    if next_attempt_at is not None and not self.request.is_eager:
        # The sweep resends it too if this retry is lost; whichever comes first sends it.
        countdown = max((next_attempt_at - timezone.now()).total_seconds(), 0) + 1
        raise self.retry(countdown=countdown)
    return acknowledged


@shared_task(bind=True, acks_late=True, soft_time_limit=120, time_limit=150)
def sweep_sandbox_notifications(self) -> int:
    """Beat, every minute: deliver the sandbox notifications whose next scheduled delivery is
    due (a worker restart or a broker outage lost the task's own retry)."""
    ids = delivery_schedule.due_notification_ids(limit=settings.SWEEP_BATCH_SIZE)
    for notification_id in ids:
        deliver_sandbox_notification.delay(notification_id)
    return len(ids)
