"""What payments does when another module's state changes (shop.events)."""

from shop.events import DomainEvent

from . import services


def on_domain_event(sender, *, event: DomainEvent, **kwargs) -> None:
    """An order closed unpaid: close its open payments in the same transaction, so that the
    cashier cannot take money for it and the result page stops waiting."""
    reason = services.ORDER_CLOSED_REASONS.get(event.node)
    if reason is None or event.subject_type != "order":
        return
    services.payment_close_open_for_order(order_id=event.subject_id, reason=reason)
