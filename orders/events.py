"""The order timeline and the domain events of orders.

Every transition of an order or sub-order writes one OrderEvent (the row the storefront timeline
and the admin history show) and emits one typed domain event (OrderChanged or SubOrderChanged,
what payments and notifications act on), both inside the service's transaction.
"""

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.urls import get_script_prefix, get_urlconf, reverse

from catalog.actors import Actor
from shop.events import DomainEvent, emit
from shop.money import ZERO

from .models import Order, OrderEvent, SubOrder


@dataclass(frozen=True, kw_only=True)
class OrderChanged(DomainEvent):
    """An order was created or moved (paid, cancelled, expired, its payment failed).
    `payment_method` is how it is (or will be) paid: a cash-on-delivery order is confirmed, not
    paid, and its shopper is never told "pay in time"."""

    subject_type: str = "order"
    order_no: str = ""
    status: str = ""
    payment_method: str = ""
    amount: Decimal = ZERO


@dataclass(frozen=True, kw_only=True)
class SubOrderChanged(DomainEvent):
    """One merchant's part of an order was created or moved (shipped, delivered, received,
    completed, refused, closed, out of stock)."""

    subject_type: str = "suborder"
    order_no: str = ""
    sub_order_no: str = ""
    status: str = ""
    payment_method: str = ""
    amount: Decimal = ZERO


def order_event_for(
    *,
    order: Order,
    sub_order: SubOrder | None = None,
    actor: Actor,
    transition: str,
    from_state: str,
    to_state: str,
    note: str = "",
) -> OrderEvent:
    """One timeline row, not yet saved: the acting user (none for the system) and the role they
    acted in."""
    return OrderEvent(
        order=order,
        sub_order=sub_order,
        actor=actor.user,
        actor_kind=actor.role,
        transition=transition,
        from_state=from_state or "",
        to_state=to_state,
        note=(note or "")[:255],
    )


def order_event_record(**fields) -> OrderEvent:
    """One timeline row, saved (the fields of order_event_for)."""
    event = order_event_for(**fields)
    event.save(force_insert=True)
    return event


def order_path(order: Order) -> str:
    """The storefront page of the order (the shopper's URL; numbers, never database ids)."""
    prefix, number = _order_path_parts(get_script_prefix(), get_urlconf())
    return f"{prefix}{order.order_no}{number}"


# What stands for the order number while the path is reversed once: letters and digits, as an
# order number is, so the pattern takes it and reverse() quotes neither.
_ORDER_NO_PLACEHOLDER = "O0RDERN0"


@functools.cache
def _order_path_parts(script_prefix: str, urlconf) -> tuple[str, str]:
    """The path around the order number, per script prefix and URLconf (what reverse() depends
    on here): every order event carries the path, and reverse() cost 3 % of a flash-sale order's
    instructions."""
    path = reverse("orders:detail", args=[_ORDER_NO_PLACEHOLDER], urlconf=urlconf)
    before, found, after = path.partition(_ORDER_NO_PLACEHOLDER)
    assert found and _ORDER_NO_PLACEHOLDER not in after, path
    return before, after


def order_domain_event_emit(
    *, node: str, order: Order, sub_order: SubOrder | None = None, data: dict | None = None
) -> None:
    """One OrderChanged (sub_order None) or SubOrderChanged event."""
    subject = sub_order if sub_order is not None else order
    payload = {
        "order_no": order.order_no,
        "sub_order_no": sub_order.sub_order_no if sub_order is not None else "",
        "amount": str(subject.payable_amount),
        "status": subject.status,
        "path": order_path(order),
        # The delivery phone: SMS reaches a shopper whose profile has no number.
        "phone": order.phone,
        "payment_method": order.payment_method,
    }
    payload.update(data or {})
    facts = {
        "node": node,
        "subject_id": subject.pk,
        "shopper_id": order.user_id,
        "order_no": order.order_no,
        "status": subject.status,
        "payment_method": order.payment_method,
        "amount": subject.payable_amount,
        "data": payload,
    }
    if sub_order is None:
        emit(OrderChanged(**facts))
        return
    emit(
        SubOrderChanged(
            **facts,
            sub_order_no=sub_order.sub_order_no,
            merchant_id=sub_order.merchant_id,
            warehouse_id=sub_order.warehouse_id,
        )
    )


def order_transition_record(
    *,
    node: str,
    order: Order,
    sub_order: SubOrder | None = None,
    actor: Actor,
    transition: str,
    from_state: str,
    note: str = "",
    data: dict | None = None,
) -> OrderEvent:
    """The timeline row and the domain event of one transition, written together."""
    subject = sub_order if sub_order is not None else order
    event = order_event_record(
        order=order,
        sub_order=sub_order,
        actor=actor,
        transition=transition,
        from_state=from_state,
        to_state=subject.status,
        note=note,
    )
    order_transition_announce(node=node, order=order, sub_order=sub_order, event=event, data=data)
    return event


def order_transition_announce(
    *, node: str, order: Order, sub_order: SubOrder | None = None, event: OrderEvent, data=None
) -> None:
    """The domain event of a transition whose timeline row `event` is written (by
    order_transition_record, or in a writer's own statement: the flash-sale lane)."""
    extra = {"note": event.note, **(data or {})}
    order_domain_event_emit(node=node, order=order, sub_order=sub_order, data=extra)
