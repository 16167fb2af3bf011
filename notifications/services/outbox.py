"""An event becomes outbox rows, in the emitter's transaction.

Flow: a transition emits a DomainEvent inside its transaction -> `outbox_write_for_event` writes
one row per (active rule, recipient) in that same transaction -> after commit the rows' ids ring
the delivery doorbell (outbox_schedule_delivery) and a Celery task delivers them
(services.delivery). Rows no task reached (broker or Redis down, worker killed) are found by the
relay sweep (services.relay), run every 30 s by beat.
"""

import contextlib
import hashlib
import json
import logging

import redis
from django.db import connection, transaction
from django.utils import timezone, translation

from notifications import selectors
from notifications.models import Channel, OutboxMessage, PushRule, Target
from notifications.nodes import INTERNAL_NODES, NODE_LABELS, REPEATABLE_NODES
from notifications.rendering import (
    TEMPLATE_ERROR_PREFIX,
    TemplateBroken,
    link_for_target,
    render_rule,
    safe_link,
    templates_for_language,
)
from shop.cache import cache_redis_client, redis_script
from shop.celery import send_after_commit, send_now
from shop.db import insert_returning_ids
from shop.events import DomainEvent

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status
# When a recipient is reached by several rules of one event on the same channel (a merchant
# manager who is also the warehouse fallback), the most specific rule speaks.
TARGET_PRIORITY = {"warehouse": 0, "merchant": 1, "shopper": 2, "ops": 3}


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


def _in_english(label) -> str:
    with translation.override("en"):
        return str(label)


def _author_id(data: dict) -> int | None:
    try:
        return int(data["author_id"]) if data.get("author_id") not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _record_rule_problem(rule_id: int, problem: str) -> None:
    # After commit and in its own statement: never a lock on the rule inside a checkout.
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

    user_ids = sorted({user_id for user_id, _ in chosen})
    # The shopper's account is checked with the other facts, in the same query.
    shoppers = frozenset(recipients_cache.get(Target.SHOPPER, ()))
    facts = selectors.recipient_facts(user_ids=user_ids, node=node, unchecked=shoppers)
    # Each person reads their account's language: a rule is rendered once per language.
    languages = facts.languages
    rendered_by_rule: dict[tuple[int, str], object] = {}
    links: dict[str, str] = {}
    rows = []
    for (user_id, channel), rule in chosen.items():
        if user_id in shoppers and user_id not in facts.active:
            # The shopper's account was closed or blocked: nobody to tell.
            continue
        if (user_id, channel) in facts.silenced and not selectors.channel_is_locked(
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
        language = languages[user_id]
        rendering = (rule.id, language)
        if rendering not in rendered_by_rule:
            try:
                rendered_by_rule[rendering] = render_rule(
                    rule=rule, data=data, link=links[rule.target], language=language
                )
            except TemplateBroken as error:
                rendered_by_rule[rendering] = error
                _record_rule_problem(rule.id, f"{TEMPLATE_ERROR_PREFIX}{error}")
            else:
                if rendered_by_rule[rendering].warning:
                    _record_rule_problem(rule.id, rendered_by_rule[rendering].warning)
        rendered = rendered_by_rule[rendering]
        row = OutboxMessage(
            event_key=key,
            node=node,
            subject_type=subject_type,
            subject_id=event.subject_id,
            rule=rule,
            recipient_id=user_id,
            channel=channel,
            language=language,
            link=links[rule.target],
            data=stored_data,
            next_attempt_at=now,
        )
        if isinstance(rendered, TemplateBroken):
            # Kept, not lost: ops see it dead with the error, fix the rule, and retry it.
            title_template, body_template = templates_for_language(rule, language)
            row.title = title_template[:255]
            row.body = body_template
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
                # A machine reads it: the admin's English name of the node, whoever acted.
                title=_in_english(NODE_LABELS.get(event.node, event.node)),
                body="",
                link=link,
                data=stored_data,
                next_attempt_at=now,
            )
        )
    written = insert_returning_ids(
        OutboxMessage, rows, connection=connection, ignore_conflicts=True
    )
    if len(written) == len(rows):
        return sorted(written)
    # The same event again: what it wrote before and is still to be delivered.
    return list(
        OutboxMessage.objects.filter(event_key=key, status=Status.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )


# The delivery doorbell. Each committed event's rows join one Redis list, and the first event
# after a quiet moment rings: it sets the bell and queues one deliver_queued_outbox task, which
# takes the bell down and delivers everything on the list. During a burst (a flash sale's
# thousand orders a minute) the events that find the bell up only join the list: one Redis
# round trip each instead of a Celery message each. The database stays the truth: a list or a
# task lost with Redis or a worker leaves the rows pending, and the relay sweep delivers them.
DUE_LIST_KEY = "notifications:outbox:due"
BELL_KEY = "notifications:outbox:bell"
# A bell whose task never ran (broker down, worker killed before it started) comes down by
# itself, so the next event rings again instead of waiting for the relay.
BELL_SECONDS = 10
# Rows one delivery task takes from the list before it hands the rest to a fresh task.
QUEUED_BATCH_SIZE = 200
_RING_LUA = """
redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return 1 end
return 0
"""


def _ring(client, outbox_ids: list[int]) -> bool:
    """Put the ids on the list; True when this call raised the bell (a task must be queued)."""
    script = redis_script(client, _RING_LUA)
    return bool(script(keys=[DUE_LIST_KEY, BELL_KEY], args=[BELL_SECONDS, *outbox_ids]))


def outbox_schedule_delivery(*, outbox_ids: list[int]) -> None:
    """Deliver these rows after the current transaction commits (never before)."""
    from notifications.tasks import deliver_outbox, deliver_queued_outbox

    if not outbox_ids:
        return
    ids = list(outbox_ids)
    client = cache_redis_client()
    if client is None:
        # No Redis cache (make run's fallback): one task per event, as the broker allows.
        send_after_commit(deliver_outbox, ids, swept_by="relay_pending_outbox")
        return

    def ring():
        try:
            rang = _ring(client, ids)
        except redis.RedisError:
            logger.warning("Outbox doorbell unreachable; queueing %r directly", ids, exc_info=True)
            send_now(deliver_outbox, ids, swept_by="relay_pending_outbox")
            return
        if rang and not send_now(deliver_queued_outbox, swept_by="relay_pending_outbox"):
            # No task is coming: let the next event ring instead of waiting for the bell's
            # expiry (the relay delivers these rows either way).
            with contextlib.suppress(redis.RedisError):
                client.delete(BELL_KEY)

    transaction.on_commit(ring)


def outbox_take_queued(*, limit: int | None = None) -> tuple[list[int], bool]:
    """For the delivery task: take the bell down, then up to `limit` ids off the list. Returns
    (ids, more): more is True when the list still holds ids (the caller queues another task).

    The bell comes down first: an event committed after this moment finds it down and rings
    again, so no id is left on the list without a task coming for it."""
    client = cache_redis_client()
    if client is None:
        return [], False
    limit = limit or QUEUED_BATCH_SIZE
    with client.pipeline(transaction=True) as pipe:
        pipe.delete(BELL_KEY)
        pipe.lpop(DUE_LIST_KEY, limit)
        pipe.llen(DUE_LIST_KEY)
        _, taken, left = pipe.execute()
    return [int(pk) for pk in taken or []], left > 0
