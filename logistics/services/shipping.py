"""Handing parcels to carriers: one parcel by its number, or a sub-order's next packed parcel
(what a row of a bulk import or a WMS call means). The sub-order ships with its last parcel,
through orders.services (stock consumed, OrderEvent, shopper told)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.actors import Actor
from orders import services as order_services
from orders.models import SubOrder
from shop import events as nodes
from shop.celery import send_after_commit
from shop.errors import Conflict, TransitionNotAllowed

from .. import wording
from ..carrier_rules import (
    active_carrier,
    check_tracking_no_free,
    check_within_limits,
    tracking_no_taken,
    validated_tracking_no,
)
from ..events import emit_shipment
from ..lock_objects import (
    lock_shipments,
    lock_sub_order_and_shipments,
    outbound,
    parcel_in,
    sub_order_id_of_parcel,
)
from ..models import Carrier, Shipment, ShipmentEvent
from .packing import shipment_pack
from .parcel_state import shipment_transition


def start_tracking_after_commit(shipment: Shipment) -> None:
    """Ask the carrier for the parcel's pushes once it has shipped for good."""
    from ..tasks import shipment_start_tracking

    send_after_commit(shipment_start_tracking, shipment.pk, swept_by="sweep_untracked_shipments")


def shipment_hand_over(
    *, shipment: Shipment, carrier: Carrier, tracking_no: str, actor: Actor
) -> Shipment:
    """The parcel's `ship` transition and its history row, saved in a savepoint: the unique
    constraint, not only the check before, keeps two parcels off one tracking number."""
    try:
        with transaction.atomic():
            shipment_transition(
                shipment=shipment,
                actor=actor,
                what=ShipmentEvent.What.SHIP,
                fields=["carrier", "tracking_no", "shipped_at", "shipped_by"],
                history_note=f"{carrier.name} {tracking_no}",
                carrier=carrier,
                tracking_no=tracking_no,
                at=timezone.now(),
                by=actor.user,
            )
    except IntegrityError:
        raise tracking_no_taken(tracking_no) from None
    return shipment


def _ship_locked(
    *,
    sub_order: SubOrder,
    shipments: list[Shipment],
    shipment: Shipment,
    carrier: Carrier,
    tracking_no: str,
    actor: Actor,
) -> Shipment:
    if shipment.is_shipped:
        if shipment.carrier_id == carrier.pk and shipment.tracking_no == tracking_no:
            return shipment  # the same ship again: nothing changes
        raise Conflict(
            f"Parcel {shipment.shipment_no} already shipped with {shipment.tracking_no}.",
            code="already_shipped",
        )
    if sub_order.status != SubOrder.Status.AWAITING_SHIPMENT:
        raise TransitionNotAllowed(
            f"Cannot ship while {sub_order.get_status_display().lower()}.",
            extra={"status": sub_order.status},
        )
    check_within_limits(shipment, carrier)
    check_tracking_no_free(carrier, tracking_no, exclude_pk=shipment.pk)
    shipment_hand_over(shipment=shipment, carrier=carrier, tracking_no=tracking_no, actor=actor)
    emit_shipment(nodes.SHIPMENT_SHIPPED, shipment=shipment, sub_order=sub_order)
    start_tracking_after_commit(shipment)
    if all(s.is_shipped for s in shipments):
        order_services.sub_order_ship(
            sub_order_id=sub_order.pk,
            actor=actor,
            note=wording.sub_order_shipped_note(shipments),
        )
    return shipment


@transaction.atomic
def shipment_ship(
    *, shipment_id: int, carrier_code: str, tracking_no: str, actor: Actor
) -> Shipment:
    """Hand a packed parcel to a carrier. When it is the sub-order's last parcel, the sub-order
    ships."""
    sub_order_id = sub_order_id_of_parcel(shipment_id)
    carrier = active_carrier(carrier_code)
    tracking_no = validated_tracking_no(carrier, tracking_no)
    sub_order, parcels = lock_sub_order_and_shipments(pk=sub_order_id, actor=actor)
    shipment = parcel_in(parcels, shipment_id)
    if not shipment.is_outbound:
        raise Conflict(
            f"Parcel {shipment.shipment_no} already shipped with {shipment.tracking_no}.",
            code="already_shipped",
        )
    return _ship_locked(
        sub_order=sub_order,
        shipments=outbound(parcels),
        shipment=shipment,
        carrier=carrier,
        tracking_no=tracking_no,
        actor=actor,
    )


@transaction.atomic
def sub_order_ship_next_parcel(
    *, sub_order_no: str, carrier_code: str, tracking_no: str, actor: Actor
) -> Shipment:
    """Ship the sub-order's next packed parcel (packing it first with this carrier when it has
    none)."""
    carrier = active_carrier(carrier_code)
    tracking_no = validated_tracking_no(carrier, tracking_no)
    sub_order, parcels = lock_sub_order_and_shipments(
        sub_order_no=(sub_order_no or "").strip(), actor=actor
    )
    shipments = outbound(parcels)
    again = next(
        (s for s in shipments if s.carrier_id == carrier.pk and s.tracking_no == tracking_no), None
    )
    if again is not None:
        return again
    if not shipments and sub_order.status == SubOrder.Status.AWAITING_SHIPMENT:
        shipment_pack(sub_order_id=sub_order.pk, actor=actor, carrier_code=carrier.code)
        shipments = outbound(lock_shipments(sub_order))
    packed = [s for s in shipments if not s.is_shipped]
    if not packed:
        raise TransitionNotAllowed(
            f"Sub-order {sub_order.sub_order_no} has nothing left to ship "
            f"({sub_order.get_status_display().lower()}).",
            extra={"status": sub_order.status},
        )
    return _ship_locked(
        sub_order=sub_order,
        shipments=shipments,
        shipment=packed[0],
        carrier=carrier,
        tracking_no=tracking_no,
        actor=actor,
    )
