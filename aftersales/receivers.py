"""What after-sales hears from the modules it depends on, through shop.events (they never import
it): parcel outcomes from logistics, confirmed refunds from payments.

Receivers run inside the emitter's transaction, so a case moves together with the parcel or the
refund that moved it (a rollback takes both back). Each runs in a savepoint: a case that cannot
move is logged and left to its timer or to operations, and never undoes the carrier's news.
"""

import logging

from django.db import transaction

from catalog.actors import SYSTEM
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
    nodes.SHIPMENT_RETURN_SIGNED: services.return_parcel_signed,
}


def on_domain_event(sender, *, event: DomainEvent, **kwargs) -> None:
    handler = PARCEL_HANDLERS.get(event.node)
    if handler is not None:
        call = lambda: handler(shipment_id=event.subject_id, actor=SYSTEM)  # noqa: E731
    elif event.node == nodes.REFUND_SUCCEEDED:
        key = (event.data or {}).get("key", "")
        call = lambda: services.refund_settled(refund_key=key, actor=SYSTEM)  # noqa: E731
    else:
        return
    try:
        with transaction.atomic():
            call()
    except DomainError as error:
        logger.warning(
            "after-sales could not act on %s %s: %s", event.node, event.subject_id, error
        )
