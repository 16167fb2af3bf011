"""One outbox row through its channel backend: locked, marked sending (committed) before the
provider is called, then sent, failed with backoff, dead, or skipped (nobody to text)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from catalog.actors import Actor
from notifications.channels import Delivery, get_backend
from notifications.models import Channel, OutboxMessage, Target
from notifications.rendering import TEMPLATE_ERROR_PREFIX, TemplateBroken, render_rule
from notifications.services.outbox import outbox_schedule_delivery
from shop.errors import Conflict

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
# Channels that reach a person through their phone number.
PHONE_CHANNELS = frozenset({Channel.SMS})
NO_PHONE = (
    "Skipped: no phone number (none on the recipient's profile, none on the order's address)."
)


def retry_backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... capped at an hour (NOTIFICATION_RETRY_BASE_SECONDS)."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def stuck_after() -> timedelta:
    """A row "sending" for longer than this belongs to a worker that died (task limit 90 s)."""
    return timedelta(seconds=settings.NOTIFICATION_STUCK_AFTER_SECONDS)


def _phone_from_event(data) -> str:
    """The phone number the event carried (the order's delivery address), if any."""
    phone = (data or {}).get("phone") if isinstance(data, dict) else None
    return phone.strip() if isinstance(phone, str) else ""


def _delivery_for(row: OutboxMessage) -> Delivery:
    username, phone = "", ""
    if row.recipient_id is not None:
        user = get_user_model().objects.select_related("profile").get(pk=row.recipient_id)
        profile = getattr(user, "profile", None)  # None when the user has no profile row
        username, phone = user.get_username(), getattr(profile, "phone", "") or ""
        if not phone and row.rule_id is not None and row.rule.target == Target.SHOPPER:
            # A shopper without a number on the profile gave one for the order's delivery (the
            # event's phone is the shopper's: never used for merchant or warehouse staff).
            phone = _phone_from_event(row.data)
    return Delivery(
        outbox_id=row.pk,
        idempotency_key=row.idempotency_key,
        channel=row.channel,
        node=row.node,
        recipient_id=row.recipient_id or 0,
        recipient_username=username,
        recipient_phone=phone,
        title=row.title,
        body=row.body,
        link=row.link,
        data=row.data,
        webhook_id=row.webhook_id,
        subject_type=row.subject_type,
        created_at=row.created_at.isoformat() if row.created_at else "",
    )


def outbox_deliver(*, outbox_id: int) -> OutboxMessage | None:
    """Send one due row through its channel; None when it is not ours to send right now
    (another worker holds it, it was sent already, or it is not due)."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                pk=outbox_id, status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=now
            )
            .first()
        )
        if row is None:
            return None
        delivery = _delivery_for(row)
        if row.channel in PHONE_CHANNELS and not delivery.recipient_phone:
            # Not a failure to retry nor a message sent: there is nobody to text.
            row.status = Status.SKIPPED
            row.sending_since = None
            row.last_error = NO_PHONE
            row.save(update_fields=["status", "sending_since", "last_error"])
            return row
        row.status = Status.SENDING
        row.attempts += 1
        row.sending_since = now
        row.save(update_fields=["status", "attempts", "sending_since"])

    # Committed as "sending" before the provider is called: if this worker dies now, the relay
    # finds the row stuck and sends it again with the same idempotency key.
    attempt = row.attempts
    try:
        provider_id = get_backend(row.channel).send(delivery)
    except Exception as error:
        logger.warning("Outbox %s (%s) failed: %s", row.pk, row.channel, error, exc_info=True)
        return _outbox_mark_failed(row=row, attempt=attempt, error=error)
    finished = timezone.now()
    OutboxMessage.objects.filter(pk=row.pk, status=Status.SENDING, attempts=attempt).update(
        status=Status.SENT,
        sent_at=finished,
        sending_since=None,
        last_error="",
        provider_message_id=str(provider_id or "")[:128],
    )
    row.refresh_from_db()
    return row


def _outbox_mark_failed(*, row: OutboxMessage, attempt: int, error: Exception) -> OutboxMessage:
    now = timezone.now()
    message = f"{type(error).__name__}: {error}"[:2000]
    if attempt >= settings.NOTIFICATION_MAX_ATTEMPTS:
        changes = {"status": Status.DEAD}
    else:
        changes = {"status": Status.FAILED, "next_attempt_at": now + retry_backoff(attempt)}
    OutboxMessage.objects.filter(pk=row.pk, status=Status.SENDING, attempts=attempt).update(
        sending_since=None, last_error=message, **changes
    )
    row.refresh_from_db()
    return row


@transaction.atomic
def outbox_retry(*, outbox_id: int, actor: Actor) -> OutboxMessage:
    """Ops: send a failed or dead row again now (re-rendered if its template was broken)."""
    row = (
        OutboxMessage.objects.select_for_update(of=("self",))
        .select_related("rule")
        .get(pk=outbox_id)
    )
    if row.status == Status.SENT:
        raise Conflict("This message was already sent.", code="already_sent")
    if row.status == Status.SENDING and (
        row.sending_since and row.sending_since > timezone.now() - stuck_after()
    ):
        raise Conflict("This message is being sent right now.", code="sending")
    fields = ["status", "next_attempt_at", "attempts", "sending_since", "last_error"]
    if row.last_error.startswith(TEMPLATE_ERROR_PREFIX):
        if row.rule is None:
            raise Conflict("The rule of this message was deleted.", code="rule_deleted")
        try:
            # In the language the row was written for (the recipient's at the time).
            rendered = render_rule(
                rule=row.rule, data=row.data or {}, link=row.link, language=row.language
            )
        except TemplateBroken as error:
            raise Conflict(f"The rule's template is still broken: {error}", code="template")
        row.title, row.body = rendered.title, rendered.body
        fields += ["title", "body"]
    row.status = Status.PENDING
    row.next_attempt_at = timezone.now()
    row.attempts = 0
    row.sending_since = None
    # Who asked, for the delivery log (the system's retries say nothing).
    row.last_error = f"Retried by {actor.user}" if actor.user is not None else ""
    row.save(update_fields=fields)
    outbox_schedule_delivery(outbox_ids=[row.pk])
    return row
