"""A parcel's state changes, each with its history row: the one way the services move a
Shipment's status (django-fsm, protected) or record a fact about its state."""

import logging

from django.db import transaction

from catalog.actors import Actor
from orders.models import SubOrder
from shop.errors import DomainError

from ..events import shipment_event_record
from ..models import Shipment

logger = logging.getLogger(__name__)


def shipment_transition(
    *, shipment: Shipment, actor: Actor, what: str, fields=(), history_note: str = "", **kwargs
) -> Shipment:
    """Run the transition `what` (a ShipmentEvent.What that names a Shipment transition), save
    the status and `fields` (a parcel not saved yet is inserted whole), and write its history
    row (noted `history_note`, else the transition's own `note`). The caller has locked the
    parcel and checked that the transition may proceed."""
    from_state = shipment.status
    getattr(shipment, what)(**kwargs)
    shipment.save(update_fields=["status", *fields] if shipment.pk else None)
    shipment_event_record(
        shipment=shipment,
        actor=actor,
        what=what,
        from_state=from_state,
        note=history_note or kwargs.get("note", ""),
    )
    return shipment


def shipment_fact_record(*, shipment: Shipment, actor: Actor, what: str, note: str = "") -> None:
    """A change of the parcel's state that is not a status move (intercept asked, back in the
    warehouse, lost settled): its history row, the status the same before and after."""
    shipment_event_record(
        shipment=shipment, actor=actor, what=what, from_state=shipment.status, note=note
    )


def on_sub_order_step(call, sub_order: SubOrder) -> None:
    """A sub-order step a parcel's outcome asks for, in a savepoint: one the sub-order has moved
    past already (the shopper confirmed receipt before the courier's "signed") is logged, not
    raised, since the parcel's own change stands."""
    try:
        with transaction.atomic():
            call()
    except DomainError as error:
        logger.info("sub-order %s: carrier event not applied: %s", sub_order, error.detail)
