"""Timed order transitions: beat sweeps, every minute, over the deadline columns.

One run of a sweep works through due rows in batches of SWEEP_BATCH_SIZE, earliest deadline
first, until nothing is due or SWEEP_TIME_BUDGET_SECONDS have passed (below the task's soft time
limit), so a flash sale's thousand unpaid orders give their stock back in one run, not one batch
a minute. Each batch picks due row ids with `select_for_update(skip_locked=True)` (rows a service
holds locked right now, e.g. a payment in flight, are skipped rather than waited for), then calls
the ordinary service for each row in its own transaction. The pick's locks end with its short
transaction, so two overlapping sweeps may pick the same row: that is safe because the service
re-reads the row under its lock and does nothing if the row has moved on (paid meanwhile, already
expired, confirmed by the shopper...).

A row is handled at most once per run: rows already tried are left out of the next pick. A row
that fails is logged and the others go on; without that, rows that keep failing would stay first
in deadline order and fill every batch, and newer due rows would never be reached. The next run
retries it.
"""

import logging
from collections.abc import Callable
from time import monotonic

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from catalog.actors import SYSTEM

from . import services
from .models import Order, SubOrder

logger = logging.getLogger(__name__)

SOFT_TIME_LIMIT = 50
TIME_LIMIT = 60
# Stop starting new rows after this long, leaving the last row time to finish under the soft
# limit; what is left waits for next minute's run.
SWEEP_TIME_BUDGET_SECONDS = 45


def _due_ids(queryset: QuerySet, deadline_field: str) -> list[int]:
    with transaction.atomic():
        return list(
            queryset.select_for_update(skip_locked=True)
            .order_by(deadline_field, "pk")
            .values_list("pk", flat=True)[: settings.SWEEP_BATCH_SIZE]
        )


def _sweep(
    due: Callable[[], QuerySet],
    deadline_field: str,
    handle: Callable[[list[int]], Callable[[int], object]],
    what: str,
) -> int:
    """Handle due rows batch after batch until none is left or the time budget is spent.

    `due()` builds the due queryset afresh for each batch (its "now" moves with the run);
    `handle(ids)` returns the per-row call for one batch. Returns how many rows were handled.
    """
    stop_at = monotonic() + SWEEP_TIME_BUDGET_SECONDS
    tried: set[int] = set()
    handled = 0
    while monotonic() < stop_at:
        ids = _due_ids(due().exclude(pk__in=tried), deadline_field)
        if not ids:
            return handled
        call = handle(ids)
        for pk in ids:
            if monotonic() >= stop_at:
                break
            tried.add(pk)
            try:
                call(pk)
            except SoftTimeLimitExceeded:
                raise
            except Exception:
                logger.exception("Sweep could not %s (id %s); the next sweep retries it", what, pk)
            else:
                handled += 1
    logger.warning(
        "Sweep to %s stopped after %ss with %s row(s) handled; the next run goes on",
        what,
        SWEEP_TIME_BUDGET_SECONDS,
        handled,
    )
    return handled


def sweep_unpaid_orders_once() -> int:
    """One run: cancel unpaid orders past their payment deadline; returns how many."""

    def due() -> QuerySet:
        return Order.objects.filter(
            status=Order.Status.PENDING_PAYMENT, payment_due_at__lte=timezone.now()
        )

    return _sweep(
        due,
        "payment_due_at",
        lambda ids: lambda pk: services.order_expire(order_id=pk, actor=SYSTEM),
        "expire an order",
    )


def sweep_auto_confirm_once() -> int:
    """One run: confirm receipt of parcels shipped AUTO_CONFIRM_DAYS ago for the shopper, but
    not while an after-sales case on them is open (their deadline moves on when it ends)."""

    def due() -> QuerySet:
        return SubOrder.objects.filter(
            status__in=[SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED],
            aftersales_open=False,
            auto_confirm_at__lte=timezone.now(),
        )

    def confirm_batch(ids: list[int]) -> Callable[[int], object]:
        numbers = dict(SubOrder.objects.filter(pk__in=ids).values_list("pk", "sub_order_no"))
        return lambda pk: services.sub_order_confirm_receipt(sub_order_no=numbers[pk], actor=SYSTEM)

    return _sweep(due, "auto_confirm_at", confirm_batch, "confirm receipt")


def sweep_auto_complete_once() -> int:
    """One run: complete received sub-orders whose after-sales window has passed and that have
    no open case."""

    def due() -> QuerySet:
        return SubOrder.objects.filter(
            status=SubOrder.Status.RECEIVED,
            aftersales_open=False,
            auto_complete_at__lte=timezone.now(),
        )

    return _sweep(
        due,
        "auto_complete_at",
        lambda ids: lambda pk: services.sub_order_complete(sub_order_id=pk, actor=SYSTEM),
        "complete a sub-order",
    )


@shared_task(bind=True, acks_late=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def sweep_unpaid_orders(self) -> int:
    return sweep_unpaid_orders_once()


@shared_task(bind=True, acks_late=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def sweep_auto_confirm(self) -> int:
    return sweep_auto_confirm_once()


@shared_task(bind=True, acks_late=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def sweep_auto_complete(self) -> int:
    return sweep_auto_complete_once()


# The one batched-sweep loop, shared with the other apps' deadline sweeps (aftersales.tasks).
sweep_due_rows = _sweep
