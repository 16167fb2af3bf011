"""Celery tasks of payments: thin wrappers that take ids, re-read state and call services as the
system. (The sandbox gateway's delivery tasks are the sandbox app's: sandbox.tasks.)"""

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from catalog.actors import SYSTEM

from . import selectors, services
from .models import Refund


@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90, max_retries=None)
def execute_refund(self, refund_id: int) -> str:
    refund = services.refund_execute(refund_id=refund_id, actor=SYSTEM)
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
    ids = selectors.refund_due_ids()
    for refund_id in ids:
        execute_refund.delay(refund_id)
    return len(ids)


@shared_task(bind=True, acks_late=True, soft_time_limit=600, time_limit=660)
def reconcile_payments(self, day: str | None = None) -> int:
    """Beat, daily: reconcile yesterday (or `day`, ISO date) against the gateways."""
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    run = services.reconcile_payments(day=target, actor=SYSTEM)
    return run.mismatch_count
