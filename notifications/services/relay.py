"""The beat sweeps over the outbox: rows the normal path did not deliver, and old rows purged."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import InboxMessage, OutboxMessage
from notifications.services.delivery import stuck_after

Status = OutboxMessage.Status


def outbox_relay_due(*, now=None, batch_size: int | None = None) -> list[int]:
    """Pick a bounded batch of rows the normal path did not deliver: pending or failed rows that
    are due, and rows stuck in "sending" (their worker died). Returns the ids to deliver."""
    now = now or timezone.now()
    limit = batch_size or settings.NOTIFICATION_RELAY_BATCH_SIZE
    max_attempts = settings.NOTIFICATION_MAX_ATTEMPTS
    with transaction.atomic():
        picked = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=now)
                | Q(status=Status.SENDING, sending_since__lte=now - stuck_after())
            )
            .order_by("next_attempt_at", "id")
            .values_list("id", "status", "attempts")[:limit]
        )
        stuck = [(pk, attempts) for pk, status, attempts in picked if status == Status.SENDING]
        give_up = [pk for pk, attempts in stuck if attempts >= max_attempts]
        again = [pk for pk, attempts in stuck if attempts < max_attempts]
        lost = "Worker stopped while sending; "
        if give_up:
            OutboxMessage.objects.filter(pk__in=give_up).update(
                status=Status.DEAD, sending_since=None, last_error=lost + "gave up"
            )
        if again:
            OutboxMessage.objects.filter(pk__in=again).update(
                status=Status.PENDING,
                sending_since=None,
                next_attempt_at=now,
                last_error=lost + "sending again",
            )
    given_up = set(give_up)
    return [pk for pk, _status, _attempts in picked if pk not in given_up]


def outbox_purge_sent(*, now=None, keep_days: int | None = None, batch_size: int = 5000) -> int:
    """Delete sent (and skipped) rows older than the retention (default 30 days) in bounded
    batches; inbox messages keep their text (their link to the row is cleared). Failed and dead
    rows stay for ops to look at."""
    now = now or timezone.now()
    days = keep_days if keep_days is not None else settings.NOTIFICATION_OUTBOX_KEEP_DAYS
    cutoff = now - timedelta(days=days)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(
                    Q(status=Status.SENT, sent_at__lt=cutoff)
                    | Q(status=Status.SKIPPED, created_at__lt=cutoff)
                )
                .order_by("id")
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                return deleted
            InboxMessage.objects.filter(outbox_id__in=ids).update(outbox=None)
            deleted += OutboxMessage.objects.filter(pk__in=ids).delete()[0]
