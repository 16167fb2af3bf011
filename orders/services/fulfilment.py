"""A paid sub-order on its way to the shopper: shipped (its stock leaves the warehouse),
delivered, received (by the shopper or the auto-confirm timer) and, once the after-sales window
has passed, completed."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from catalog.actors import Actor
from catalog.services.stock import stock_consume
from shop import events as nodes
from shop.errors import NotFound, TransitionNotAllowed

from .. import wording
from ..lock_objects import (
    lock_order_for_actor,
    lock_order_lines,
    lock_sub_order,
    lock_sub_order_by_id,
    lock_sub_orders_of,
)
from ..models import Order, SubOrder
from .stock import lines_in_stock_lock_order
from .transitions import sub_order_transition_run, transition_refuse


@transaction.atomic
def sub_order_ship(*, sub_order_id: int, actor: Actor, note: str = "") -> SubOrder:
    """Every parcel is with the carrier: the reserved stock leaves the warehouse."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status == SubOrder.Status.SHIPPED:
        return sub_order
    if not can_proceed(sub_order.ship):
        transition_refuse(sub_order, "ship")
    for line in lines_in_stock_lock_order(lock_order_lines(sub_order=sub_order)):
        quantity = line.quantity - line.refunded_quantity
        if quantity > 0:
            stock_consume(
                sku_id=line.sku_id,
                warehouse_id=line.warehouse_id,
                quantity=quantity,
                order_no=sub_order.order.order_no,
                actor=actor,
            )
    now = timezone.now()
    return sub_order_transition_run(
        sub_order=sub_order,
        transition="ship",
        node=nodes.SUBORDER_SHIPPED,
        actor=actor,
        note=note,
        fields=["shipped_at", "auto_confirm_at"],
        at=now,
        auto_confirm_at=now + timedelta(days=settings.AUTO_CONFIRM_DAYS),
    )


@transaction.atomic
def sub_order_deliver(*, sub_order_id: int, actor: Actor) -> SubOrder:
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status == SubOrder.Status.DELIVERED:
        return sub_order
    if not can_proceed(sub_order.deliver):
        transition_refuse(sub_order, "mark delivered")
    return sub_order_transition_run(
        sub_order=sub_order,
        transition="deliver",
        node=nodes.SUBORDER_DELIVERED,
        actor=actor,
        fields=["delivered_at"],
        at=timezone.now(),
    )


def _sub_order_confirm(*, sub_order: SubOrder, actor: Actor) -> SubOrder:
    now = timezone.now()
    return sub_order_transition_run(
        sub_order=sub_order,
        transition="confirm",
        node=nodes.SUBORDER_RECEIVED,
        actor=actor,
        note=wording.RECEIPT_CONFIRMED_AUTOMATICALLY
        if actor.is_system
        else wording.RECEIPT_CONFIRMED,
        fields=["received_at", "auto_complete_at"],
        at=now,
        auto_complete_at=now + timedelta(days=settings.AFTERSALES_WINDOW_DAYS),
    )


@transaction.atomic
def sub_order_confirm_receipt(*, sub_order_no: str, actor: Actor) -> SubOrder:
    """The shopper (or the auto-confirm timer, SYSTEM) confirms the parcel arrived. The timer
    does nothing while an after-sales case is open; the shopper still can.

    Only the shopper can say so: staff who can see the sub-order (its merchant, operations)
    get the same 404 as a stranger, since a receipt starts the after-sales clock."""
    sub_order = lock_sub_order(sub_order_no=sub_order_no, actor=actor)
    if not actor.is_system and sub_order.order.user_id != actor.user_id:
        raise NotFound("Sub-order not found.")
    if sub_order.status == SubOrder.Status.RECEIVED:
        return sub_order
    if actor.is_system and sub_order.aftersales_open:
        # The timer waits while a case is open (its deadline moves on when the case ends).
        return sub_order
    if not can_proceed(sub_order.confirm):
        transition_refuse(sub_order, "confirm receipt")
    return _sub_order_confirm(sub_order=sub_order, actor=actor)


@transaction.atomic
def order_confirm_receipt(*, order_no: str, actor: Actor) -> Order:
    """The shopper confirms receipt of every parcel of the order that is on its way (only the
    shopper: see sub_order_confirm_receipt)."""
    order = lock_order_for_actor(order_no=order_no, actor=actor)
    if order.user_id != actor.user_id:
        raise NotFound("Order not found.")
    if order.status != Order.Status.PAID:
        transition_refuse(order, "confirm receipt")
    sub_orders = lock_sub_orders_of(order)
    open_ones = [
        s for s in sub_orders if s.status in (SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED)
    ]
    if not open_ones:
        if any(s.status == SubOrder.Status.RECEIVED for s in sub_orders):
            return order
        raise TransitionNotAllowed(
            "Nothing of this order is on its way yet.", extra={"status": order.status}
        )
    for sub_order in open_ones:
        sub_order.order = order
        _sub_order_confirm(sub_order=sub_order, actor=actor)
    return order


@transaction.atomic
def sub_order_complete(*, sub_order_id: int, actor: Actor) -> SubOrder:
    """The after-sales window passed: the trade succeeded. Waits while a case is open."""
    sub_order = lock_sub_order_by_id(sub_order_id)
    if sub_order.status == SubOrder.Status.COMPLETED or sub_order.aftersales_open:
        return sub_order
    if not can_proceed(sub_order.complete):
        transition_refuse(sub_order, "complete")
    return sub_order_transition_run(
        sub_order=sub_order,
        transition="complete",
        node=nodes.SUBORDER_COMPLETED,
        actor=actor,
        note=wording.TRADE_COMPLETED,
        fields=["completed_at"],
        at=timezone.now(),
    )
