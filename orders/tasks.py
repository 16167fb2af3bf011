"""Timed order transitions: beat sweeps, every minute, over the deadline columns.

Each sweep picks at most SWEEP_BATCH_SIZE due row ids with `select_for_update(skip_locked=True)`
(rows a service holds locked right now, e.g. a payment in flight, are skipped rather than waited
for), then calls the ordinary service for each row in its own transaction. The pick's locks end
with its short transaction, so two overlapping sweeps may pick the same row: that is safe because
the service re-reads the row under its lock and does nothing if the row has moved on (paid
meanwhile, already expired, confirmed by the shopper...). One failing row is logged and
the others go on; the next sweep retries it.
"""

import logging
from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import services
from .models import Order, SubOrder

logger = logging.getLogger(__name__)

SOFT_TIME_LIMIT = 50
TIME_LIMIT = 60


def _due_ids(queryset: QuerySet, deadline_field: str) -> list[int]:
    with transaction.atomic():
        return list(
            queryset.select_for_update(skip_locked=True)
            .order_by(deadline_field, "pk")
            .values_list("pk", flat=True)[: settings.SWEEP_BATCH_SIZE]
        )


def _handle_each(ids: list[int], handle: Callable[[int], object], what: str) -> int:
    handled = 0
    for pk in ids:
        try:
            handle(pk)
        except Exception:
            logger.exception("Sweep could not %s (id %s); the next sweep retries it", what, pk)
        else:
            handled += 1
    return handled


def sweep_unpaid_orders_once() -> int:
    """Cancel unpaid orders past their payment deadline; returns how many were handled."""
    due = Order.objects.filter(
        status=Order.Status.PENDING_PAYMENT, payment_due_at__lte=timezone.now()
    )
    ids = _due_ids(due, "payment_due_at")
    return _handle_each(ids, lambda pk: services.order_expire(order_id=pk), "expire an order")


def sweep_auto_confirm_once() -> int:
    """Confirm receipt of parcels shipped AUTO_CONFIRM_DAYS ago for the shopper."""
    due = SubOrder.objects.filter(
        status__in=[SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED],
        auto_confirm_at__lte=timezone.now(),
    )
    ids = _due_ids(due, "auto_confirm_at")
    numbers = dict(SubOrder.objects.filter(pk__in=ids).values_list("pk", "sub_order_no"))

    def confirm(pk: int):
        return services.sub_order_confirm_receipt(sub_order_no=numbers[pk], actor=None)

    return _handle_each(ids, confirm, "confirm receipt")


def sweep_auto_complete_once() -> int:
    """Complete received sub-orders whose after-sales window has passed and no case is open."""
    due = SubOrder.objects.filter(
        status=SubOrder.Status.RECEIVED,
        aftersales_open=False,
        auto_complete_at__lte=timezone.now(),
    )
    ids = _due_ids(due, "auto_complete_at")
    return _handle_each(
        ids, lambda pk: services.sub_order_complete(sub_order_id=pk), "complete a sub-order"
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
