"""The only place notifications change state: writing the outbox, delivering it, the inbox.

Flow: a transition emits a DomainEvent inside its transaction -> `outbox_write_for_event` writes
one row per (active rule, recipient) in that same transaction -> after commit a Celery task calls
`outbox_deliver` per row -> the channel backend hands it over. Rows the task never reached (broker
down, worker killed) are found by `outbox_relay_due`, run every 30 s by beat.
"""

import hashlib
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications import selectors
from notifications.channels import Delivery, get_backend
from notifications.models import (
    Channel,
    InboxMessage,
    MerchantWebhook,
    NotificationPreference,
    OutboxMessage,
    Target,
    new_webhook_secret,
)
from notifications.nodes import INTERNAL_NODES, NODE_LABELS, REPEATABLE_NODES
from notifications.rendering import (
    TemplateBroken,
    absolute_link,
    link_for_target,
    render_message,
    safe_link,
)
from shop.celery import send_after_commit
from shop.errors import Conflict, InvalidInput
from shop.events import DomainEvent

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
TEMPLATE_ERROR_PREFIX = "Template error: "
# When a recipient is reached by several rules of one event on the same channel (a merchant
# manager who is also the warehouse fallback), the most specific rule speaks.
TARGET_PRIORITY = {"warehouse": 0, "merchant": 1, "shopper": 2, "ops": 3}
# Channels that reach a person through their phone number.
PHONE_CHANNELS = frozenset({Channel.SMS})
NO_PHONE = (
    "Skipped: no phone number (none on the recipient's profile, none on the order's address)."
)


# What a shopper may switch per kind of message (the webhook is the merchant's system).
SHOPPER_CHANNELS = frozenset({Channel.INBOX, Channel.APP_PUSH, Channel.SMS, Channel.WECHAT})


def max_attempts() -> int:
    return settings.NOTIFICATION_MAX_ATTEMPTS


def retry_backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... capped at an hour (NOTIFICATION_RETRY_BASE_SECONDS)."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def stuck_after() -> timedelta:
    """A row "sending" for longer than this belongs to a worker that died (task limit 90 s)."""
    return timedelta(seconds=settings.NOTIFICATION_STUCK_AFTER_SECONDS)


def relay_batch_size() -> int:
    return settings.NOTIFICATION_RELAY_BATCH_SIZE


def event_key(event: DomainEvent, *, node: str | None = None) -> str:
    """The identity of an event: node + subject + its sequence (data["event_id"], e.g. the
    OrderEvent id). Without one, node + subject (each transition happens once per subject), and
    for nodes that repeat (tracking updates, out of stock) a digest of the data."""
    node = node or event.node
    base = f"{node}:{event.subject_type}:{event.subject_id}"
    sequence = (event.data or {}).get("event_id")
    if sequence not in (None, ""):
        return f"{base}:{sequence}"[:200]
    if event.node in REPEATABLE_NODES:
        encoded = json.dumps(event.data or {}, sort_keys=True, default=str).encode()
        return f"{base}:d{hashlib.sha256(encoded).hexdigest()[:24]}"
    return base[:200]


def _author_id(data: dict) -> int | None:
    try:
        return int(data["author_id"]) if data.get("author_id") not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _record_rule_problem(rule_id: int, problem: str) -> None:
    # After commit and in its own statement: never a lock on the rule inside a checkout.
    from notifications.models import PushRule

    def record():
        PushRule.objects.filter(pk=rule_id).update(
            last_render_error=problem[:1000], last_render_error_at=timezone.now()
        )

    transaction.on_commit(record, robust=True)


@transaction.atomic
def outbox_write_for_event(*, event: DomainEvent) -> list[int]:
    """Write the outbox rows of one event; return the ids of the rows to deliver.

    Runs inside the emitter's transaction (a savepoint of it): the rows commit or roll back with
    the state change. The same event twice (same key) writes nothing new.

    A person's own action is not news to them: the user `data["author_id"]` is never a
    recipient, and rules of the author's own side (`data["author_role"]` naming a target, e.g. a
    merchant's message in a case thread) are not used, so a message reaches the other side.
    """
    if event.node in INTERNAL_NODES:
        return []
    node = selectors.push_node_for(event=event)
    rules = selectors.rules_for_event(event=event, node=node)
    webhook = selectors.merchant_webhook_for(merchant_id=event.merchant_id)
    if not rules and webhook is None:
        return []
    data = dict(event.data or {})
    # What every row stores: the event's data as JSON holds it (dates, Decimals as text).
    stored_data = json.loads(json.dumps(data, default=str))
    key = event_key(event, node=node)
    link = safe_link(data.get("path"))
    now = timezone.now()

    subject_type = event.subject_type[:20]
    author_id = _author_id(data)
    author_side = data.get("author_role")
    chosen: dict[tuple[int, str], object] = {}
    recipients_cache: dict[str, list[int]] = {}
    for rule in sorted(rules, key=lambda r: (TARGET_PRIORITY.get(r.target, 9), r.id)):
        if author_side and rule.target == author_side:
            continue
        if rule.target not in recipients_cache:
            recipients_cache[rule.target] = selectors.recipients_for_target(
                target=rule.target,
                shopper_id=event.shopper_id,
                merchant_id=event.merchant_id,
                warehouse_id=event.warehouse_id,
            )
        for user_id in recipients_cache[rule.target]:
            if user_id != author_id:
                chosen.setdefault((user_id, rule.channel), rule)
    if not chosen and webhook is None:
        return []

    silenced = selectors.silenced_channels(
        user_ids=sorted({user_id for user_id, _ in chosen}), node=node
    )
    rendered_by_rule: dict[int, object] = {}
    links: dict[str, str] = {}
    rows = []
    for (user_id, channel), rule in chosen.items():
        if (user_id, channel) in silenced and not selectors.channel_is_locked(
            node=node, channel=channel
        ):
            continue
        if rule.target not in links:
            links[rule.target] = link_for_target(
                target=rule.target,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                data=data,
            )
        if rule.id not in rendered_by_rule:
            try:
                rendered_by_rule[rule.id] = render_message(
                    title_template=rule.title_template,
                    body_template=rule.body_template,
                    data={**data, "link": absolute_link(links[rule.target])},
                )
            except TemplateBroken as error:
                rendered_by_rule[rule.id] = error
                _record_rule_problem(rule.id, f"{TEMPLATE_ERROR_PREFIX}{error}")
            else:
                if rendered_by_rule[rule.id].warning:
                    _record_rule_problem(rule.id, rendered_by_rule[rule.id].warning)
        rendered = rendered_by_rule[rule.id]
        row = OutboxMessage(
            event_key=key,
            node=node,
            subject_type=subject_type,
            subject_id=event.subject_id,
            rule=rule,
            recipient_id=user_id,
            channel=channel,
            link=links[rule.target],
            data=stored_data,
            next_attempt_at=now,
        )
        if isinstance(rendered, TemplateBroken):
            # Kept, not lost: ops see it dead with the error, fix the rule, and retry it.
            row.title = rule.title_template[:255]
            row.body = rule.body_template
            row.status = Status.DEAD
            row.last_error = f"{TEMPLATE_ERROR_PREFIX}{rendered}"
        else:
            row.title, row.body = rendered.title, rendered.body
        rows.append(row)

    if webhook is not None:
        # The merchant's own system hears of every event about the merchant, whatever the rules.
        rows.append(
            OutboxMessage(
                event_key=key,
                node=event.node,
                subject_type=subject_type,
                subject_id=event.subject_id,
                webhook=webhook,
                channel=Channel.WEBHOOK,
                title=NODE_LABELS.get(event.node, event.node),
                body="",
                link=link,
                data=stored_data,
                next_attempt_at=now,
            )
        )
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        OutboxMessage.objects.filter(event_key=key, status=Status.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )


def outbox_schedule_delivery(*, outbox_ids: list[int]) -> None:
    """Deliver these rows after the current transaction commits (never before)."""
    from notifications.tasks import deliver_outbox

    if outbox_ids:
        send_after_commit(deliver_outbox, list(outbox_ids), swept_by="relay_pending_outbox")


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
    if attempt >= max_attempts():
        changes = {"status": Status.DEAD}
    else:
        changes = {"status": Status.FAILED, "next_attempt_at": now + retry_backoff(attempt)}
    OutboxMessage.objects.filter(pk=row.pk, status=Status.SENDING, attempts=attempt).update(
        sending_since=None, last_error=message, **changes
    )
    row.refresh_from_db()
    return row


def outbox_relay_due(*, now=None, batch_size: int | None = None) -> list[int]:
    """Pick a bounded batch of rows the normal path did not deliver: pending or failed rows that
    are due, and rows stuck in "sending" (their worker died). Returns the ids to deliver."""
    now = now or timezone.now()
    limit = batch_size or relay_batch_size()
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
        give_up = [pk for pk, attempts in stuck if attempts >= max_attempts()]
        again = [pk for pk, attempts in stuck if attempts < max_attempts()]
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


@transaction.atomic
def outbox_retry(*, outbox_id: int, actor) -> OutboxMessage:
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
            rendered = render_message(
                title_template=row.rule.title_template,
                body_template=row.rule.body_template,
                data={**(row.data or {}), "link": absolute_link(row.link)},
            )
        except TemplateBroken as error:
            raise Conflict(f"The rule's template is still broken: {error}", code="template")
        row.title, row.body = rendered.title, rendered.body
        fields += ["title", "body"]
    row.status = Status.PENDING
    row.next_attempt_at = timezone.now()
    row.attempts = 0
    row.sending_since = None
    row.last_error = f"Retried by {actor}" if actor is not None else ""
    row.save(update_fields=fields)
    outbox_schedule_delivery(outbox_ids=[row.pk])
    return row


@transaction.atomic
def merchant_webhook_rotate_secret(*, webhook_id: int, actor) -> MerchantWebhook:
    """A new signing secret for a merchant's webhook (the old one leaked or staff left). Rows not
    yet delivered are signed with the new secret when they go out."""
    webhook = MerchantWebhook.objects.select_for_update().get(pk=webhook_id)
    webhook.secret = new_webhook_secret()
    webhook.save(update_fields=["secret", "updated_at"])
    logger.info(
        "Webhook %s of merchant %s: secret rotated by %s", webhook.pk, webhook.merchant_id, actor
    )
    return webhook


@transaction.atomic
def inbox_message_mark_read(*, user, message_id) -> InboxMessage:
    message = selectors.inbox_message_get_for_user(user=user, message_id=message_id)
    if not message.is_read:
        message.is_read = True
        message.read_at = timezone.now()
        message.save(update_fields=["is_read", "read_at"])
    return message


@transaction.atomic
def inbox_mark_all_read(*, user) -> int:
    return InboxMessage.objects.filter(user=user, is_read=False).update(
        is_read=True, read_at=timezone.now()
    )


@transaction.atomic
def notification_preference_set(
    *, user, node: str, channel: str, enabled: bool
) -> NotificationPreference:
    if node not in NODE_LABELS:
        raise InvalidInput("Unknown kind of message.", code="unknown_node")
    if channel not in SHOPPER_CHANNELS:
        # The merchant webhook (and anything else) is not the shopper's to switch.
        raise InvalidInput(
            "Only the inbox, app push, SMS and WeChat can be switched.", code="unknown_channel"
        )
    if not enabled and selectors.channel_is_locked(node=node, channel=channel):
        raise InvalidInput(
            "Inbox messages about payments and refunds cannot be turned off.", code="mandatory"
        )
    if not selectors.shopper_is_offered(node=node, channel=channel):
        # The same choices as the settings page: only what shoppers are actually sent.
        raise InvalidInput(
            "Shoppers are not sent this kind of message on this channel.", code="not_offered"
        )
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, node=node, channel=channel, defaults={"enabled": enabled}
    )
    return preference


@transaction.atomic
def notification_preferences_save(*, user, enabled: set[tuple[str, str]]) -> int:
    """Save the whole preferences form: every switchable (node, channel) the shopper is offered
    is on if it is in `enabled`, off otherwise. Returns how many are off.

    One upsert for the whole form (the matrix offers only known, switchable pairs, so the checks
    of `notification_preference_set` hold already), not a query per checkbox."""
    rows = [
        NotificationPreference(
            user=user,
            node=row["node"],
            channel=channel["channel"],
            enabled=(row["node"], channel["channel"]) in enabled,
        )
        for row in selectors.preference_matrix(user=user)
        for channel in row["channels"]
        if not channel["locked"]
    ]
    NotificationPreference.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "node", "channel"],
        update_fields=["enabled", "updated_at"],
    )
    return sum(1 for row in rows if not row.enabled)


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
