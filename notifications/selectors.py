"""Reads of notifications: who a rule reaches, and a user's inbox."""

import functools
import time
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet

from aftersales.events import CaseChanged
from catalog.models import MerchantStaff
from notifications.models import (
    Channel,
    InboxMessage,
    MerchantWebhook,
    NotificationPreference,
    PushRule,
    Target,
)
from notifications.nodes import (
    CASE_LOST_REFUNDING,
    CASE_OPENED_AUTOMATICALLY,
    CASE_OUT_OF_STOCK,
    CASE_REFUNDING_TOLD_ALREADY,
    CASE_REFUSAL,
    MONEY_NODES,
    NODE_LABELS,
    ORDER_COD_CONFIRMED,
    PAYMENT_ORPHANED,
    SHOPPER_NODE_LABELS,
)
from notifications.rendering import recipient_language
from orders.events import OrderChanged
from payments.events import PaymentSucceeded
from shop import events
from shop.db import prepared_cursor
from shop.errors import NotFound
from shop.roles import PLATFORM_OPS

# Case types (aftersales.models.CaseType values) of the cases that open by themselves, and the
# node that tells the shopper of one when it is approved (at once).
AUTOMATIC_CASE_NODES = {
    "lost": CASE_LOST_REFUNDING,
    "out_of_stock": CASE_OUT_OF_STOCK,
    "refusal": CASE_REFUSAL,
}
# Automatic cases whose refund starts at once, as their approval message says.
REFUNDED_AT_ONCE = frozenset({"lost", "out_of_stock"})


def push_node_for(*, event: events.DomainEvent) -> str:
    """The node whose rules speak for this event: the event's own, except where a fact it
    carries changes what is true for the reader (see nodes.ORDER_COD_CONFIRMED,
    PAYMENT_ORPHANED, CASE_OPENED_AUTOMATICALLY, CASE_LOST_REFUNDING, CASE_EXCHANGE_TO_REFUND)."""
    if isinstance(event, CaseChanged):
        return _case_push_node(event=event)
    if event.node == events.ORDER_PAID and _is_cod_order(event):
        return ORDER_COD_CONFIRMED
    if isinstance(event, PaymentSucceeded) and event.orphaned:
        return PAYMENT_ORPHANED
    return event.node


def _is_cod_order(event: events.DomainEvent) -> bool:
    return isinstance(event, OrderChanged) and event.payment_method == "cod"


def _case_push_node(*, event: CaseChanged) -> str:
    if event.node == events.CASE_REQUESTED and event.approved_at_once:
        # A paid order cancelled before shipping: approved in the same breath, nothing to answer.
        return CASE_OPENED_AUTOMATICALLY
    if event.node in (events.CASE_REFUNDING, events.CASE_REFUNDED) and event.money_moved is False:
        # Cash on delivery not collected: no money goes back, so no "refunded" message.
        return CASE_REFUNDING_TOLD_ALREADY
    if event.node in (events.CASE_REQUESTED, events.CASE_APPROVED):
        special = AUTOMATIC_CASE_NODES.get(event.case_type)
        if special is not None:
            return CASE_OPENED_AUTOMATICALLY if event.node == events.CASE_REQUESTED else special
    if event.node == events.CASE_REFUNDING and event.case_type in REFUNDED_AT_ONCE:
        return CASE_REFUNDING_TOLD_ALREADY
    return event.node


def rules_for_event(*, event: events.DomainEvent, node: str) -> list[PushRule]:
    """The rules of `node` that apply to this event. A cash-on-delivery order is confirmed in
    the same breath as it is placed (its "confirmed, pay the courier" message follows): the
    shopper is not told to "pay in time, or it is cancelled"."""
    rules = rules_for_node(node=node)
    if node == events.ORDER_CREATED and _is_cod_order(event):
        rules = [rule for rule in rules if rule.target != Target.SHOPPER]
    return rules


# Every event reads its node's rules and ops rarely edit them, so they are kept per process for
# RULES_CACHE_SECONDS: a flash sale's thousand order.created events read them once. Saving or
# deleting a rule (the admin, the sync) forgets this process's copy at once
# (notifications.apps); other processes see an edit within RULES_CACHE_SECONDS.
RULES_CACHE_SECONDS = 5
_rules_by_node: dict[str, tuple[float, list[PushRule]]] = {}


def rules_for_node(*, node: str) -> list[PushRule]:
    now = time.monotonic()
    cached = _rules_by_node.get(node)
    if cached is not None and now < cached[0]:
        return list(cached[1])
    rules = list(PushRule.objects.filter(node=node, is_active=True).order_by("id"))
    _rules_by_node[node] = (now + RULES_CACHE_SECONDS, rules)
    return list(rules)


def push_rules_forget(**_signal) -> None:
    """Read the rules again on the next event (a rule was saved or deleted; tests)."""
    _rules_by_node.clear()


def _active_ops() -> list[int]:
    users = get_user_model().objects.filter(groups__name=PLATFORM_OPS, is_active=True)
    return sorted(set(users.values_list("pk", flat=True)))


def _active_staff(merchant_id: int) -> QuerySet:
    return MerchantStaff.objects.filter(merchant_id=merchant_id, user__is_active=True)


def recipients_for_target(
    *, target: str, shopper_id: int | None, merchant_id: int | None, warehouse_id: int | None
) -> list[int]:
    """User ids a target stands for in one event, in a stable order.

    merchant: the merchant's managers and operators (all its staff when it has only
    warehouse staff). warehouse: staff assigned to that warehouse, plus warehouse staff with no
    assignment (they cover all of the merchant's warehouses); if nobody, the merchant's staff.
    ops: active members of the platform operations group, whatever the event is about.
    shopper: the event's shopper, whose account is not read here: the caller checks it is
    active with the recipients' other facts (recipient_facts, `unchecked`), in the same query.
    """
    if target == Target.OPS:
        return _active_ops()
    if target == Target.SHOPPER:
        return [] if shopper_id is None else [shopper_id]
    if target == Target.WAREHOUSE and warehouse_id is not None:
        # Every event about a warehouse names its merchant too (orders and logistics send both).
        if merchant_id is None:
            return []
        staff = _active_staff(merchant_id)
        assigned = staff.filter(warehouses__id=warehouse_id)
        unassigned = staff.filter(role=MerchantStaff.Role.WAREHOUSE, warehouses__isnull=True)
        ids = sorted(set(assigned.values_list("user_id", flat=True)))
        ids += sorted(set(unassigned.values_list("user_id", flat=True)) - set(ids))
        return ids or sorted(staff.values_list("user_id", flat=True))
    if target in (Target.MERCHANT, Target.WAREHOUSE) and merchant_id is not None:
        staff = _active_staff(merchant_id)
        office = staff.exclude(role=MerchantStaff.Role.WAREHOUSE)
        ids = sorted(office.values_list("user_id", flat=True))
        return ids or sorted(staff.values_list("user_id", flat=True))
    return []


def merchant_webhook_for(*, merchant_id: int | None) -> MerchantWebhook | None:
    if merchant_id is None:
        return None
    return MerchantWebhook.objects.filter(merchant_id=merchant_id, is_active=True).first()


@dataclass(frozen=True)
class RecipientFacts:
    """What the outbox needs to know of the people one event may reach."""

    active: frozenset[int]  # of the users asked about as unchecked: those whose account is active
    languages: dict[int, str]  # what each user's messages are worded in
    silenced: frozenset[tuple[int, str]]  # (user, channel) pairs switched off for the node


@functools.cache
def _recipient_facts_sql(recipients: int, unchecked: int) -> str:
    """recipient_facts' statement for that many users (and unchecked ones), composed once.

    Three reads of the same shape (kind, user, text), so one statement carries all of them;
    written out because the ORM spent longer compiling the UNION than the database running it."""
    from shop.accounts.models import CustomerProfile

    quote = connection.ops.quote_name
    users = ", ".join(["%s"] * recipients)
    sql = (
        f"SELECT 'language', user_id, {quote('language')}"
        f" FROM {quote(CustomerProfile._meta.db_table)}"
        f" WHERE user_id IN ({users})"
        f" UNION ALL SELECT 'silenced', user_id, channel"
        f" FROM {quote(NotificationPreference._meta.db_table)}"
        f" WHERE user_id IN ({users}) AND node = %s AND enabled = %s"
    )
    if unchecked:
        sql += (
            f" UNION ALL SELECT 'active', id, '' FROM {quote(get_user_model()._meta.db_table)}"
            f" WHERE id IN ({', '.join(['%s'] * unchecked)}) AND is_active = %s"
        )
    return sql


def recipient_facts(
    *, user_ids: list[int], node: str, unchecked: frozenset[int] = frozenset()
) -> RecipientFacts:
    """The language each of `user_ids` reads (their profile's; LANGUAGE_CODE for a user without
    a profile, e.g. staff who never opened the profile page), the channels each turned off for
    `node`, and which of the `unchecked` ones are active: one query (a UNION of three small
    reads), so an event's outbox pays one round trip for its recipients however many it
    reaches."""
    from django.conf import settings

    if not user_ids:
        return RecipientFacts(active=frozenset(), languages={}, silenced=frozenset())
    sql = _recipient_facts_sql(len(user_ids), len(unchecked))
    params = [*user_ids, *user_ids, node, False]
    if unchecked:
        params += [*sorted(unchecked), True]
    # One text per number of recipients (one, for most events): planned once per connection.
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        reads = cursor.fetchall()
    languages = dict.fromkeys(user_ids, settings.LANGUAGE_CODE)
    silenced, active = set(), set()
    for kind, user_id, text in reads:
        if kind == "language":
            languages[user_id] = text
        elif kind == "silenced":
            silenced.add((user_id, text))
        else:
            active.add(user_id)
    return RecipientFacts(
        active=frozenset(active),
        languages={user_id: recipient_language(text) for user_id, text in languages.items()},
        silenced=frozenset(silenced),
    )


def inbox_for_user(*, user, unread_only: bool = False) -> QuerySet:
    messages = InboxMessage.objects.filter(user=user).order_by("is_read", "-created_at", "-id")
    if unread_only:
        messages = messages.filter(is_read=False)
    return messages


def inbox_unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return InboxMessage.objects.filter(user=user, is_read=False).count()


def inbox_message_get_for_user(*, user, message_id) -> InboxMessage:
    """By its public id (a UUID). Another user's message is "not found", never "forbidden"."""
    try:
        return InboxMessage.objects.get(public_id=uuid.UUID(str(message_id)), user=user)
    except (InboxMessage.DoesNotExist, TypeError, ValueError):
        raise NotFound("No such message.", code="message_not_found")


def channel_is_locked(*, node: str, channel: str) -> bool:
    """The inbox copy of a money message: always sent, never switched off by a preference."""
    return channel == Channel.INBOX and node in MONEY_NODES


def shopper_is_offered(*, node: str, channel: str) -> bool:
    """Whether shoppers get this node on this channel (an active shopper rule): what the
    settings offer to switch."""
    return PushRule.objects.filter(
        target=Target.SHOPPER, node=node, channel=channel, is_active=True
    ).exists()


def preference_matrix(*, user) -> list[dict]:
    """What a shopper can switch: per kind of message they receive, each channel it comes on,
    whether it is on, and whether it is locked (the inbox copy of money messages)."""
    offered: dict[str, set[str]] = {}
    rules = PushRule.objects.filter(target=Target.SHOPPER, is_active=True)
    for node, channel in rules.values_list("node", "channel"):
        offered.setdefault(node, set()).add(channel)
    switched_off = set(
        NotificationPreference.objects.filter(user=user, enabled=False).values_list(
            "node", "channel"
        )
    )
    channel_order = [choice for choice, _label in PushRule._meta.get_field("channel").choices]
    channel_labels = dict(PushRule._meta.get_field("channel").choices)
    matrix = []
    for node, label in NODE_LABELS.items():
        if node not in offered:
            continue
        channels = []
        for channel in channel_order:
            if channel not in offered[node]:
                continue
            locked = channel_is_locked(node=node, channel=channel)
            channels.append(
                {
                    "channel": channel,
                    "label": channel_labels[channel],
                    "enabled": locked or (node, channel) not in switched_off,
                    "locked": locked,
                }
            )
        shopper_label = SHOPPER_NODE_LABELS.get(node, label)
        matrix.append({"node": node, "label": shopper_label, "channels": channels})
    return matrix
