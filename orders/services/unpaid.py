"""An order that closes unpaid: the shopper cancels, the payment deadline passes, or the
payment fails. Its stock goes back on sale, its coupon back to the shopper, and the flash-sale
units it held no longer count against the shopper's limit."""

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from catalog.actors import Actor
from catalog.services.flash_sales import flash_sale_unclaim
from shop import events as nodes

from .. import wording
from ..events import order_transition_record
from ..lock_objects import lock_order, lock_order_for_actor, lock_order_lines
from ..models import Order
from .stock import order_coupon_return, order_lines_release
from .transitions import transition_refuse


def _order_close_unpaid(
    *, order: Order, transition: str, node: str, actor: Actor, note: str, **kwargs
) -> Order:
    from_state = order.status
    getattr(order, transition)(**kwargs)
    order.save(update_fields=["status", "closed_at", "close_reason"])
    lines = lock_order_lines(order=order)
    order_lines_release(
        lines=lines, order_no=order.order_no, reason=order.close_reason, actor=actor
    )
    order_coupon_return(order)
    # Units of a flash sale the order held no longer count against the shopper's limit.
    flash_sale_unclaim(
        user_id=order.user_id,
        lines=[(line.sku_id, line.quantity) for line in lines],
        ordered_at=order.created_at,
    )
    order_transition_record(
        node=node,
        order=order,
        actor=actor,
        transition=transition,
        from_state=from_state,
        note=note,
    )
    return order


@transaction.atomic
def order_cancel(
    *, order_no: str, actor: Actor, reason: str = wording.CANCELLED_BY_SHOPPER
) -> Order:
    order = lock_order_for_actor(order_no=order_no, actor=actor)
    if order.status == Order.Status.CANCELLED:
        return order
    if not can_proceed(order.cancel):
        transition_refuse(order, "cancel")
    reason = (reason or wording.CANCELLED_BY_SHOPPER)[:255]
    return _order_close_unpaid(
        order=order,
        transition="cancel",
        node=nodes.ORDER_CANCELLED,
        actor=actor,
        note=reason,
        at=timezone.now(),
        reason=reason,
    )


@transaction.atomic
def order_expire(*, order_id: int, actor: Actor) -> Order:
    """The payment deadline passed: cancel and give the stock back. Does nothing to an order
    that is paid, closed or not yet due (the sweep may race a payment)."""
    order = lock_order(pk=order_id)
    now = timezone.now()
    if not can_proceed(order.expire) or order.payment_due_at > now:
        return order
    return _order_close_unpaid(
        order=order,
        transition="expire",
        node=nodes.ORDER_EXPIRED,
        actor=actor,
        note=wording.NOT_PAID_IN_TIME,
        at=now,
    )


@transaction.atomic
def order_pay_failed(*, order_id: int, reason: str, actor: Actor) -> Order:
    order = lock_order(pk=order_id)
    if order.status == Order.Status.PAYMENT_FAILED:
        return order
    if not can_proceed(order.pay_failed):
        transition_refuse(order, "record a failed payment")
    reason = (reason or wording.PAYMENT_FAILED)[:255]
    return _order_close_unpaid(
        order=order,
        transition="pay_failed",
        node=nodes.ORDER_PAYMENT_FAILED,
        actor=actor,
        note=reason,
        at=timezone.now(),
        reason=reason,
    )
