"""What payments does when another module's state changes (shop.events)."""

from shop import events as nodes
from shop.events import DomainEvent

from . import services

SUB_ORDER_CLOSED_NODES = (nodes.SUBORDER_REFUSED, nodes.SUBORDER_CLOSED)


def on_domain_event(sender, *, event: DomainEvent, **kwargs) -> None:
    """In the emitter's transaction: an order closed unpaid closes its open payments (the
    cashier cannot take money for it, the result page stops waiting); a cash-on-delivery
    sub-order closed without its cash may leave the rest of the order fully collected."""
    if event.subject_type == "order":
        reason = services.ORDER_CLOSED_REASONS.get(event.node)
        if reason is not None:
            services.payment_close_open_for_order(order_id=event.subject_id, reason=reason)
    elif event.subject_type == "suborder" and event.node in SUB_ORDER_CLOSED_NODES:
        services.cod_settle_after_sub_order_closed(sub_order_id=event.subject_id)
