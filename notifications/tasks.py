"""Celery tasks: thin callers of the outbox services; they take ids and re-read the rows."""

from celery import shared_task

from notifications.services import outbox_deliver, outbox_relay_due


@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90)
def deliver_outbox(self, ids: list[int]) -> int:
    """Deliver these outbox rows (skips rows already sent or held by another worker)."""
    delivered = 0
    for outbox_id in ids:
        if outbox_deliver(outbox_id=int(outbox_id)) is not None:
            delivered += 1
    return delivered


@shared_task(bind=True, acks_late=True, soft_time_limit=240, time_limit=300)
def relay_pending_outbox(self) -> int:
    """Beat, every 30 s: deliver rows left behind (broker down, worker died, retry due)."""
    delivered = 0
    for outbox_id in outbox_relay_due():
        if outbox_deliver(outbox_id=outbox_id) is not None:
            delivered += 1
    return delivered
