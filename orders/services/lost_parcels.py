"""A parcel lost in transit: the automatic receipt waits while logistics settles the loss,
runs again when it is settled, and a sub-order nothing of which reached the shopper closes."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from catalog.actors import Actor
from shop import events as nodes

from .. import wording
from ..events import order_event_record
from ..lock_objects import lock_sub_order
from ..models import SubOrder
from .transitions import sub_order_transition_run, transition_refuse

# The shopper gets at least this long to look at what did arrive once a hold ends, even when
# AUTO_CONFIRM_DAYS after shipping passed while it was held.
AUTO_CONFIRM_GRACE_AFTER_HOLD = timedelta(days=1)


@transaction.atomic
def sub_order_hold_auto_confirm(*, sub_order_id: int, reason: str, actor: Actor) -> SubOrder:
    """A parcel of the sub-order was lost: the clock must not confirm receipt of goods the
    shopper never got. Clears auto_confirm_at (the sweep only picks rows whose deadline has
    passed, so an empty one is never due) until logistics settles the loss. Idempotent."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status not in (SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED):
        return sub_order
    if sub_order.auto_confirm_at is None:
        return sub_order
    sub_order.auto_confirm_at = None
    sub_order.save(update_fields=["auto_confirm_at"])
    order_event_record(
        order=sub_order.order,
        sub_order=sub_order,
        actor=actor,
        transition="auto_confirm_held",
        from_state=sub_order.status,
        to_state=sub_order.status,
        note=(reason or wording.AUTO_CONFIRM_HELD)[:255],
    )
    return sub_order


@transaction.atomic
def sub_order_resume_auto_confirm(*, sub_order_id: int, reason: str, actor: Actor) -> SubOrder:
    """The lost parcel was settled (or turned up): the auto-confirm clock runs again, to the
    usual AUTO_CONFIRM_DAYS after shipping but never sooner than a grace period from now.
    Does nothing when no hold is in place."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status not in (SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED):
        return sub_order
    if sub_order.auto_confirm_at is not None:
        return sub_order
    now = timezone.now()
    usual = (sub_order.shipped_at or now) + timedelta(days=settings.AUTO_CONFIRM_DAYS)
    sub_order.auto_confirm_at = max(usual, now + AUTO_CONFIRM_GRACE_AFTER_HOLD)
    sub_order.save(update_fields=["auto_confirm_at"])
    order_event_record(
        order=sub_order.order,
        sub_order=sub_order,
        actor=actor,
        transition="auto_confirm_resumed",
        from_state=sub_order.status,
        to_state=sub_order.status,
        note=(reason or wording.AUTO_CONFIRM_RESUMED)[:255],
    )
    return sub_order


@transaction.atomic
def sub_order_close_lost(*, sub_order_id: int, actor: Actor, reason: str) -> SubOrder:
    """Nothing of a shipped sub-order reached the shopper (its parcels were lost and refunded,
    or refused): the trade is closed. A received one (the shopper confirmed before the loss
    was known) closes as fully refunded. Already closed: returned as it is."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status == SubOrder.Status.CLOSED:
        return sub_order
    reason = (reason or wording.PARCEL_LOST_REFUNDED)[:255]
    received = sub_order.status == SubOrder.Status.RECEIVED
    transition = "refund_all" if received else "lost_refunded"
    if not can_proceed(getattr(sub_order, transition)):
        transition_refuse(sub_order, "close as lost")
    return sub_order_transition_run(
        sub_order=sub_order,
        transition=transition,
        node=nodes.SUBORDER_CLOSED,
        actor=actor,
        note=reason,
        fields=["closed_at", "close_reason", *([] if received else ["auto_confirm_at"])],
        at=timezone.now(),
        reason=reason,
    )
