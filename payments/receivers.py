"""What payments does when another module's state changes (shop.events). The events say what
happened, not who did it: payments acts on them as the system."""

import logging

from django.db import transaction

from catalog.actors import SYSTEM
from orders.events import OrderChanged, SubOrderChanged
from shop import events as nodes
from shop.errors import DomainError
from shop.events import DomainEvent

from . import services

logger = logging.getLogger(__name__)

SUB_ORDER_CLOSED_NODES = (nodes.SUBORDER_REFUSED, nodes.SUBORDER_CLOSED)


def on_domain_event(sender, *, event: DomainEvent, **kwargs) -> None:
    """In the emitter's transaction: an order closed unpaid closes its open payments (the
    cashier cannot take money for it, the result page stops waiting); a cash-on-delivery
    sub-order closed without its cash may leave the rest of the order fully collected."""
    if isinstance(event, OrderChanged):
        reason = services.ORDER_CLOSED_REASONS.get(event.node)
        if reason is not None:
            services.payment_close_open_for_order(
                order_id=event.subject_id, reason=reason, actor=SYSTEM
            )
    elif isinstance(event, SubOrderChanged) and event.node in SUB_ORDER_CLOSED_NODES:
        services.cod_settle_after_sub_order_closed(sub_order_id=event.subject_id, actor=SYSTEM)
    elif event.node == nodes.SUBORDER_COD_SETTLED:
        # Logistics' CodSettled (payments does not import logistics, its sibling: the node is
        # the contract, and the sub-order is all it needs).
        on_cod_settled(event)


def on_cod_settled(event: DomainEvent) -> None:
    """Logistics settled a cash-on-delivery sub-order's parcels (delivered, refused, returned,
    lost and settled): record the cash the courier took for it. In a savepoint, and a domain
    error (e.g. the order is no longer a confirmed COD order) is logged, not raised: the
    carrier's event that led here must still be stored."""
    try:
        with transaction.atomic():
            services.cod_collect(sub_order_id=event.subject_id, actor=SYSTEM)
    except DomainError as error:
        logger.info(
            "sub-order %s: cash on delivery not recorded: %s", event.subject_id, error.detail
        )
