"""The order timeline and the domain events of orders.

Every transition of an order or sub-order writes one OrderEvent (the row the storefront timeline
and the admin history show) and emits one DomainEvent (what notifications turns into pushes), both
inside the service's transaction.
"""

from django.urls import reverse

from catalog.actors import Actor
from shop.events import DomainEvent, emit

from .models import Order, OrderEvent, SubOrder


def order_event_record(
    *,
    order: Order,
    sub_order: SubOrder | None = None,
    actor: Actor,
    transition: str,
    from_state: str,
    to_state: str,
    note: str = "",
) -> OrderEvent:
    """One timeline row: the acting user (none for the system) and the role they acted in."""
    return OrderEvent.objects.create(
        order=order,
        sub_order=sub_order,
        actor=actor.user,
        actor_kind=actor.role,
        transition=transition,
        from_state=from_state or "",
        to_state=to_state,
        note=(note or "")[:255],
    )


def order_path(order: Order) -> str:
    """The storefront page of the order (the shopper's URL; numbers, never database ids)."""
    return reverse("orders:detail", args=[order.order_no])


def order_domain_event_emit(
    *, node: str, order: Order, sub_order: SubOrder | None = None, data: dict | None = None
) -> None:
    """One DomainEvent about an order (sub_order None) or one of its sub-orders."""
    subject = sub_order if sub_order is not None else order
    payload = {
        "order_no": order.order_no,
        "sub_order_no": sub_order.sub_order_no if sub_order is not None else "",
        "amount": str(subject.payable_amount),
        "status": subject.status,
        "path": order_path(order),
        # The delivery phone: SMS reaches a shopper whose profile has no number.
        "phone": order.phone,
    }
    payload.update(data or {})
    emit(
        DomainEvent(
            node=node,
            subject_type="suborder" if sub_order is not None else "order",
            subject_id=subject.pk,
            shopper_id=order.user_id,
            merchant_id=sub_order.merchant_id if sub_order is not None else None,
            warehouse_id=sub_order.warehouse_id if sub_order is not None else None,
            data=payload,
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
    extra = {"note": event.note, **(data or {})}
    order_domain_event_emit(node=node, order=order, sub_order=sub_order, data=extra)
    return event
