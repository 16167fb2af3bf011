"""A paid sub-order that closes without the trade succeeding: out of stock, refunded before
shipment, refused at the door, or refunded in full at whatever stage it reached. Closing before
shipment gives the reserved stock back, and the coupon too when nothing of the order shipped."""

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from catalog.actors import Actor
from shop import events as nodes

from .. import wording
from ..lock_objects import lock_order_lines, lock_sub_order
from ..models import SubOrder
from .stock import order_coupon_return_if_nothing_shipped, order_lines_release
from .transitions import sub_order_transition_run, transition_refuse

# Closing a sub-order through these, before anything of the order shipped, may give the coupon
# back (order_coupon_return_if_nothing_shipped).
_CLOSED_BEFORE_SHIPMENT = ("refund", "out_of_stock")

# What closes a sub-order whose every unit after-sales refunded, by the state it is in:
# (transition, gives the reserved stock back, fields the transition changes besides closing).
_CLOSE_AFTER_REFUND = {
    SubOrder.Status.AWAITING_SHIPMENT: ("refund", True, ()),
    SubOrder.Status.SHIPPED: ("close_refunded", False, ("auto_confirm_at",)),
    SubOrder.Status.DELIVERED: ("close_refunded", False, ("auto_confirm_at",)),
    SubOrder.Status.RECEIVED: ("refund_all", False, ()),
}


def _sub_order_close(
    *,
    sub_order_id: int,
    actor: Actor,
    reason: str,
    transition: str,
    node: str,
    refusal: str = "close",
    release_stock: bool = False,
) -> SubOrder:
    """Close the sub-order for `reason` (already closed: returned as it is). Closing before
    shipment (`release_stock`) gives the stock reserved for its lines back."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status == SubOrder.Status.CLOSED:
        return sub_order
    return _sub_order_close_locked(
        sub_order=sub_order,
        actor=actor,
        reason=reason,
        transition=transition,
        node=node,
        refusal=refusal,
        release_stock=release_stock,
    )


def _sub_order_close_locked(
    *,
    sub_order: SubOrder,
    actor: Actor,
    reason: str,
    transition: str,
    node: str,
    refusal: str = "close",
    release_stock: bool = False,
    fields: tuple[str, ...] = (),
) -> SubOrder:
    """_sub_order_close on a sub-order its caller has locked (with its order) and found not
    closed; `fields` are what the transition changes besides closed_at and close_reason."""
    if not can_proceed(getattr(sub_order, transition)):
        transition_refuse(sub_order, refusal)
    reason = reason[:255]
    if release_stock:
        order_lines_release(
            lines=lock_order_lines(sub_order=sub_order),
            order_no=sub_order.order.order_no,
            reason=reason,
            actor=actor,
        )
    now = timezone.now()
    sub_order = sub_order_transition_run(
        sub_order=sub_order,
        transition=transition,
        node=node,
        actor=actor,
        note=reason,
        fields=["closed_at", "close_reason", *fields],
        at=now,
        reason=reason,
    )
    if transition in _CLOSED_BEFORE_SHIPMENT:
        order_coupon_return_if_nothing_shipped(order=sub_order.order, now=now)
    return sub_order


@transaction.atomic
def sub_order_refuse(*, sub_order_id: int, actor: Actor, reason: str) -> SubOrder:
    """The shopper refused the parcel. The goods come back through logistics, which returns
    them to stock on arrival; the refund follows through after-sales."""
    return _sub_order_close(
        sub_order_id=sub_order_id,
        actor=actor,
        reason=reason or wording.PARCEL_REFUSED,
        transition="refuse",
        node=nodes.SUBORDER_REFUSED,
        refusal="refuse the parcel",
    )


@transaction.atomic
def sub_order_close_out_of_stock(*, sub_order_id: int, actor: Actor, reason: str) -> SubOrder:
    """The merchant cannot ship: close before shipment and release the reserved stock."""
    return _sub_order_close(
        sub_order_id=sub_order_id,
        actor=actor,
        reason=reason or wording.OUT_OF_STOCK,
        transition="out_of_stock",
        node=nodes.SUBORDER_OUT_OF_STOCK,
        release_stock=True,
    )


@transaction.atomic
def sub_order_close_refunded(*, sub_order_id: int, actor: Actor, reason: str) -> SubOrder:
    """A refund before shipment was approved: close and release the reserved stock."""
    return _sub_order_close(
        sub_order_id=sub_order_id,
        actor=actor,
        reason=reason or wording.REFUNDED_BEFORE_SHIPMENT,
        transition="refund",
        node=nodes.SUBORDER_CLOSED,
        release_stock=True,
    )


@transaction.atomic
def sub_order_refund_all(*, sub_order_id: int, actor: Actor, reason: str) -> SubOrder:
    """Every line of a received sub-order was refunded: the trade is closed."""
    return _sub_order_close(
        sub_order_id=sub_order_id,
        actor=actor,
        reason=reason or wording.FULLY_REFUNDED,
        transition="refund_all",
        node=nodes.SUBORDER_CLOSED,
        refusal="close as refunded",
    )


@transaction.atomic
def sub_order_close_after_refund(*, sub_order_id: int, actor: Actor, reason: str) -> SubOrder:
    """After-sales refunded every unit of the sub-order: close it, whatever stage it reached.
    Awaiting shipment: `refund` (stock still reserved for its lines is given back, as in
    sub_order_close_refunded); shipped or delivered: `close_refunded` (automatic receipt is
    cleared); received: `refund_all`. Already closed: returned as it is. Completed (the trade
    succeeded) or anything else: TransitionNotAllowed."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status == SubOrder.Status.CLOSED:
        return sub_order
    transition, release_stock, fields = _CLOSE_AFTER_REFUND.get(
        sub_order.status, ("close_refunded", False, ())
    )
    return _sub_order_close_locked(
        sub_order=sub_order,
        actor=actor,
        reason=reason or wording.REFUNDED_IN_FULL,
        transition=transition,
        node=nodes.SUBORDER_CLOSED,
        refusal="close as refunded",
        release_stock=release_stock,
        fields=fields,
    )
