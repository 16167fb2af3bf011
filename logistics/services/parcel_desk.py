"""What staff record about a parcel by hand: a refused or intercepted parcel back in the
warehouse, an intercept asked of the carrier, a lost parcel settled by after-sales, and cash on
delivery the courier handed over when no "signed for" ever came."""

import logging

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from catalog.actors import Actor
from orders import services as order_services
from orders.models import PaymentMethod, SubOrder
from shop.errors import Conflict, NotFound, TransitionNotAllowed

from .. import selectors, wording
from ..lock_objects import lock_parcel, outbound
from ..models import Shipment, ShipmentEvent
from .cash_on_delivery import cod_collect_when_settled
from .parcel_outcomes import on_parcel_signed, parcel_back, parcel_intercepted_back
from .parcel_state import shipment_fact_record, shipment_transition

logger = logging.getLogger(__name__)

What = ShipmentEvent.What


@transaction.atomic
def shipment_return_received(*, shipment_id: int, actor: Actor) -> Shipment:
    """A refused (or intercepted) parcel came back to the warehouse: its goods are sellable
    again, and after-sales hears it (SHIPMENT_RETURNED) and refunds. Once per parcel
    (idempotent). An intercepted parcel still on its way that the merchant has in hand (no
    carrier scan said so) is returned to sender first."""
    sub_order, _, shipment = lock_parcel(shipment_id=shipment_id, actor=actor)
    if shipment.returned_at is not None:
        return shipment
    if shipment.direction == Shipment.Direction.RETURN:
        raise TransitionNotAllowed(
            "A shopper's return parcel is received through after-sales.",
            extra={"status": shipment.status},
        )
    if shipment.is_on_its_way and shipment.intercept_requested_at is not None:
        note = "Intercepted, back in the warehouse"
        if shipment.is_outbound:
            parcel_intercepted_back(shipment=shipment, sub_order=sub_order, actor=actor, note=note)
        else:
            shipment_transition(
                shipment=shipment,
                actor=actor,
                what=What.RETURN_TO_SENDER,
                fields=["closed_at", "note"],
                note=note,
                at=timezone.now(),
            )
    if shipment.status not in (Shipment.Status.REFUSED, Shipment.Status.RETURNED):
        raise TransitionNotAllowed(
            f"Only a refused parcel can come back (this one is "
            f"{shipment.get_status_display().lower()}).",
            extra={"status": shipment.status},
        )
    parcel_back(sub_order=sub_order, shipment=shipment, actor=actor)
    return shipment


@transaction.atomic
def shipment_intercept(*, shipment_id: int, actor: Actor) -> Shipment:
    """Ask the carrier to bring a parcel on its way back to the sender (拦截), for a refund
    before delivery. The carrier then reports it returning and back with the sender
    (SHIPMENT_RETURNED through the returned path), or delivers it all the same
    (SHIPMENT_INTERCEPT_FAILED). Asking again changes nothing."""
    sub_order, _, shipment = lock_parcel(shipment_id=shipment_id, actor=actor)
    if not shipment.is_on_its_way:
        raise Conflict(
            f"Only a parcel on its way can be intercepted (this one is "
            f"{shipment.get_status_display().lower()}).",
            code="not_on_its_way",
            extra={"status": shipment.status},
        )
    if shipment.intercept_requested_at is None:
        shipment.intercept_requested_at = timezone.now()
        shipment.save(update_fields=["intercept_requested_at"])
        shipment_fact_record(shipment=shipment, actor=actor, what=What.INTERCEPT_REQUEST)
        logger.info(
            "parcel %s (%s %s) of sub-order %s: intercept requested",
            shipment.shipment_no,
            shipment.carrier.code if shipment.carrier_id else "-",
            shipment.tracking_no,
            sub_order.sub_order_no,
        )
    return shipment


@transaction.atomic
def shipment_lost_settled(*, shipment_id: int, actor: Actor) -> Shipment:
    """After-sales settled a parcel the carrier lost: it refunded its goods (cash on delivery:
    recorded them as no longer owed) before calling this. The parcel is marked settled, then
    the sub-order closes when nothing of it reached the shopper or is still coming, else its
    automatic receipt (held when the parcel was lost) runs again and a cash-on-delivery
    sub-order's cash of what was delivered is recorded. No money or line bookkeeping here.
    Idempotent."""
    sub_order, parcels, shipment = lock_parcel(shipment_id=shipment_id, actor=actor)
    if shipment.lost_settled_at is not None:
        return shipment
    if shipment.status != Shipment.Status.LOST:
        raise TransitionNotAllowed(
            f"Only a lost parcel can be settled as lost (this one is "
            f"{shipment.get_status_display().lower()}).",
            extra={"status": shipment.status},
        )
    shipment.lost_settled_at = timezone.now()
    shipment.save(update_fields=["lost_settled_at"])
    shipment_fact_record(shipment=shipment, actor=actor, what=What.LOST_SETTLE)
    if not shipment.is_outbound:
        return shipment
    settled = wording.lost_settled(shipment.tracking_no)
    others = [p for p in outbound(parcels) if p.pk != shipment.pk]
    if sub_order.status == SubOrder.Status.RECEIVED:
        if selectors.units_not_refunded(sub_order) <= 0:
            order_services.sub_order_close_lost(
                sub_order_id=sub_order.pk, actor=actor, reason=settled
            )
    elif sub_order.status in (SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED):
        if not any(p.is_on_its_way or p.status == Shipment.Status.DELIVERED for p in others):
            order_services.sub_order_close_lost(
                sub_order_id=sub_order.pk, actor=actor, reason=settled
            )
        else:
            if not any(p.is_lost_unsettled for p in others):
                order_services.sub_order_resume_auto_confirm(
                    sub_order_id=sub_order.pk, actor=actor, reason=settled
                )
            fresh = SubOrder.objects.select_related("order").get(pk=sub_order.pk)
            cod_collect_when_settled(sub_order=fresh, parcels=[*others, shipment])
    return shipment


@transaction.atomic
def shipment_cod_collect(*, shipment_id: int, actor: Actor) -> Shipment:
    """Operations record that the courier handed over the cash for a cash-on-delivery parcel,
    for carriers that never push "signed for" (a courier without Kuaidi100 keys). Cash taken
    at the door means the parcel was handed over, so it is delivered as a signing would; the
    sub-order's cash is recorded (SUBORDER_COD_SETTLED, payments' cod_collect) as soon as none
    of its parcels is still on its way or lost unsettled (else only what arrived would not be
    known yet). Idempotent. Operations (or the system) only: anyone else finds no parcel."""
    if not actor.sees_everything:
        raise NotFound("Parcel not found.")
    sub_order, parcels, shipment = lock_parcel(shipment_id=shipment_id, actor=actor)
    if sub_order.order.payment_method != PaymentMethod.COD or not shipment.is_outbound:
        raise Conflict("This parcel is not cash on delivery.", code="not_cod")
    if shipment.status not in (*Shipment.ON_ITS_WAY, Shipment.Status.DELIVERED) and not (
        shipment.is_lost_unsettled
    ):
        raise TransitionNotAllowed(
            f"No cash is taken for a parcel that is {shipment.get_status_display().lower()}.",
            extra={"status": shipment.status},
        )
    if shipment.cod_collected_at is None or shipment.status != Shipment.Status.DELIVERED:
        now = timezone.now()
        shipment.cod_collected_at = shipment.cod_collected_at or now
        if can_proceed(shipment.deliver):
            shipment_transition(
                shipment=shipment,
                actor=actor,
                what=What.DELIVER,
                fields=["cod_collected_at", "delivered_at"],
                history_note="Cash collected by the courier",
                at=now,
            )
        else:
            shipment.save(update_fields=["cod_collected_at"])
            shipment_fact_record(shipment=shipment, actor=actor, what=What.COD_COLLECT)
    on_parcel_signed(sub_order=sub_order)
    return shipment
