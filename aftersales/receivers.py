"""What after-sales hears from the modules it depends on, through shop.events (they never import
it): parcel outcomes from logistics, confirmed refunds from payments.

Receivers run inside the emitter's transaction, so a case moves together with the parcel or the
refund that moved it (a rollback takes both back). Each runs in a savepoint: a case that cannot
move is logged and left to its timer or to operations, and never undoes the carrier's news.
"""

import logging

from django.db import transaction

from catalog.actors import SYSTEM
from logistics.events import ShipmentChanged
from payments.events import RefundSucceeded
from shop import events as nodes
from shop.errors import DomainError
from shop.events import DomainEvent

from . import services

logger = logging.getLogger(__name__)

PARCEL_HANDLERS = {
    nodes.SHIPMENT_REFUSED: services.parcel_refused,
    nodes.SHIPMENT_RETURNED: services.parcel_returned,
    nodes.SHIPMENT_INTERCEPT_FAILED: services.parcel_intercept_failed,
    nodes.SHIPMENT_LOST: services.parcel_lost,
}


def on_domain_event(sender, *, event: DomainEvent, **kwargs) -> None:
    handler = PARCEL_HANDLERS.get(event.node)
    if handler is not None and isinstance(event, ShipmentChanged):
        call = lambda: handler(shipment_id=event.subject_id, actor=SYSTEM)  # noqa: E731
    elif event.node == nodes.SHIPMENT_RETURN_SIGNED and isinstance(event, ShipmentChanged):
        # The case's timers count from when the carrier says it was signed for, not from when
        # the scan reached the shop.
        call = lambda: services.return_parcel_signed(  # noqa: E731
            shipment_id=event.subject_id, actor=SYSTEM, at=event.occurred_at
        )
    elif isinstance(event, RefundSucceeded):
        call = lambda: services.refund_settled(  # noqa: E731
            refund_key=event.idempotency_key, actor=SYSTEM
        )
    else:
        return
    try:
        with transaction.atomic():
            call()
    except DomainError as error:
        logger.warning(
            "after-sales could not act on %s %s: %s", event.node, event.subject_id, error
        )
