"""Celery tasks: thin callers of the outbox services; they take ids and re-read the rows.

Each task stops taking new rows when its time budget is spent, well before its soft limit: the
rows it did not reach stay pending and the next relay sweep takes them.
"""

import time

from celery import shared_task
from django.conf import settings

from notifications.services.delivery import outbox_deliver
from notifications.services.outbox import outbox_take_queued
from notifications.services.relay import outbox_purge_sent, outbox_relay_due
from shop.celery import send_now


def _deliver_within(ids, budget_seconds: float) -> int:
    started = time.monotonic()
    delivered = 0
    for outbox_id in ids:
        if time.monotonic() - started > budget_seconds:
            break
        if outbox_deliver(outbox_id=int(outbox_id)) is not None:
            delivered += 1
    return delivered


@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90)
def deliver_outbox(self, ids: list[int]) -> int:
    """Deliver these outbox rows (skips rows already sent or held by another worker)."""
    return _deliver_within(ids, settings.NOTIFICATION_TASK_BUDGET_SECONDS)


@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90)
def deliver_queued_outbox(self) -> int:
    """Deliver the rows the doorbell list holds (services.outbox): the committed events since
    the bell rang. A list longer than one batch is handed on to another task, so a burst is
    delivered by several workers side by side."""
    ids, more = outbox_take_queued()
    if more:
        send_now(deliver_queued_outbox, swept_by="relay_pending_outbox")
    return _deliver_within(ids, settings.NOTIFICATION_TASK_BUDGET_SECONDS)


@shared_task(bind=True, acks_late=True, soft_time_limit=240, time_limit=300)
def relay_pending_outbox(self) -> int:
    """Beat, every 30 s: deliver rows left behind (broker down, worker died, retry due)."""
    return _deliver_within(outbox_relay_due(), settings.NOTIFICATION_RELAY_BUDGET_SECONDS)


@shared_task(bind=True, acks_late=True, soft_time_limit=240, time_limit=300)
def purge_sent_outbox(self) -> int:
    """Beat, daily: drop delivered rows older than NOTIFICATION_OUTBOX_KEEP_DAYS (inbox stays)."""
    return outbox_purge_sent()
