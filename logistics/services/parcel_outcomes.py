"""What a parcel's end does to its sub-order. A sub-order's parcels can end differently (one
signed for, one refused, one lost): the sub-order is delivered once nothing of it is on its way
and something arrived, closes only when nothing arrived, and a lost parcel holds its automatic
receipt until after-sales settles it. Sub-order steps go through orders.services (which writes
the OrderEvent) and act as the system: the parcel's end, not a person, asks for them.

Called with the order, the sub-order and its parcels locked (logistics.lock_objects).
"""

import logging

from django.utils import timezone
from django_fsm import can_proceed

from catalog.actors import SYSTEM, Actor
from catalog.services.stock import stock_return
from orders import services as order_services
from orders.models import PaymentMethod, SubOrder
from shop import events as nodes

from .. import selectors, wording
from ..events import emit_outcome
from ..models import Shipment, ShipmentEvent, TrackingEvent
from .cash_on_delivery import cod_collect_when_settled, cod_lines_no_longer_owed
from .parcel_state import on_sub_order_step, shipment_fact_record, shipment_transition

logger = logging.getLogger(__name__)

What = ShipmentEvent.What


def on_parcel_signed(*, sub_order: SubOrder) -> None:
    """A parcel was delivered. When nothing of the sub-order is still on its way, the sub-order
    is delivered (a refused, returned or lost sibling does not stop what did arrive)."""
    parcels = selectors.outbound_parcels(sub_order)
    if any(p.is_on_its_way for p in parcels):
        return  # other parcels of the sub-order are still on their way
    if sub_order.status == SubOrder.Status.SHIPPED:
        on_sub_order_step(
            lambda: order_services.sub_order_deliver(sub_order_id=sub_order.pk, actor=SYSTEM),
            sub_order,
        )
    # A parcel reported lost may have turned up: the hold ends when no lost one is left.
    if not any(p.is_lost_unsettled for p in parcels):
        on_sub_order_step(
            lambda: order_services.sub_order_resume_auto_confirm(
                sub_order_id=sub_order.pk, actor=SYSTEM, reason="No parcel is missing any more"
            ),
            sub_order,
        )
    cod_collect_when_settled(sub_order=sub_order, parcels=parcels)


def parcel_delivered(*, shipment: Shipment, sub_order: SubOrder, actor: Actor, at) -> None:
    """An outbound parcel signed for (a lost one may still turn up)."""
    if shipment.status == Shipment.Status.LOST and shipment.lost_settled_at is not None:
        # Refunded as lost, then delivered after all: the parcel is the carrier's word;
        # getting the money back is for operations.
        logger.warning(
            "parcel %s of sub-order %s was refunded as lost but is now signed for",
            shipment.shipment_no,
            sub_order.sub_order_no,
        )
    fields = ["delivered_at"]
    if sub_order.order.payment_method == PaymentMethod.COD:
        shipment.cod_collected_at = timezone.now()
        fields.append("cod_collected_at")
    shipment_transition(shipment=shipment, actor=actor, what=What.DELIVER, fields=fields, at=at)
    on_parcel_signed(sub_order=sub_order)
    if shipment.intercept_requested_at is not None:
        # The carrier could not stop it: the shopper has it (after-sales asks them to send it
        # back).
        emit_outcome(nodes.SHIPMENT_INTERCEPT_FAILED, shipment=shipment, sub_order=sub_order, at=at)


def _on_parcel_refused(*, sub_order: SubOrder, shipment: Shipment) -> None:
    """The sub-order closes through the refusal path only when nothing else of it reached the
    shopper or is still coming; otherwise the refusal stays with this parcel (its goods come
    back through shipment_return_received) and the rest goes on: a sibling already delivered
    or delivered later delivers the sub-order."""
    if sub_order.order.payment_method == PaymentMethod.COD:
        cod_lines_no_longer_owed(shipment=shipment, reason="refused")
    others = [p for p in selectors.outbound_parcels(sub_order) if p.pk != shipment.pk]
    if not any(p.is_on_its_way or p.status == Shipment.Status.DELIVERED for p in others):
        on_sub_order_step(
            lambda: order_services.sub_order_refuse(
                sub_order_id=sub_order.pk,
                actor=SYSTEM,
                reason=wording.refused_at_delivery(shipment.tracking_no),
            ),
            sub_order,
        )
        return
    logger.info(
        "parcel %s of sub-order %s refused; the sub-order's other parcels go on",
        shipment.shipment_no,
        sub_order.sub_order_no,
    )
    if not any(p.is_on_its_way for p in others):
        on_parcel_signed(sub_order=sub_order)


def parcel_refused(*, shipment: Shipment, sub_order: SubOrder, actor: Actor, note: str, at):
    """An outbound parcel refused at the door: the parcel, then the sub-order (and COD's
    bookkeeping), then SHIPMENT_REFUSED for after-sales."""
    shipment_transition(
        shipment=shipment,
        actor=actor,
        what=What.REFUSE,
        fields=["closed_at", "note"],
        note=note,
        at=at or timezone.now(),
    )
    _on_parcel_refused(sub_order=sub_order, shipment=shipment)
    emit_outcome(nodes.SHIPMENT_REFUSED, shipment=shipment, sub_order=sub_order, at=at)


def _mark_lost(*, shipment: Shipment, actor: Actor, note: str, at) -> None:
    """The parcel's LOSE transition with its history row: outbound and side parcels alike.
    Closed when the carrier says it was lost (`at`; now when nobody says)."""
    shipment_transition(
        shipment=shipment,
        actor=actor,
        what=What.LOSE,
        fields=["closed_at", "note"],
        note=note,
        at=at or timezone.now(),
    )


def parcel_lost(*, shipment: Shipment, sub_order: SubOrder, actor: Actor, note: str, at):
    """An outbound parcel the carrier lost: the sub-order's automatic receipt is held (it must
    not confirm goods that never came); after-sales opens a lost-parcel case (SHIPMENT_LOST),
    refunds, then settles it (parcel_desk.shipment_lost_settled)."""
    _mark_lost(shipment=shipment, actor=actor, note=note, at=at)
    logger.warning(
        "parcel %s (%s %s) of sub-order %s reported lost",
        shipment.shipment_no,
        shipment.carrier.code,
        shipment.tracking_no,
        sub_order.sub_order_no,
    )
    on_sub_order_step(
        lambda: order_services.sub_order_hold_auto_confirm(
            sub_order_id=sub_order.pk,
            actor=SYSTEM,
            reason=wording.lost_on_hold(shipment.tracking_no),
        ),
        sub_order,
    )
    # What did arrive is delivered once nothing else is on its way.
    parcels = selectors.outbound_parcels(sub_order)
    if not any(p.is_on_its_way for p in parcels) and any(
        p.status == Shipment.Status.DELIVERED for p in parcels
    ):
        on_parcel_signed(sub_order=sub_order)
    emit_outcome(nodes.SHIPMENT_LOST, shipment=shipment, sub_order=sub_order, at=at)


def parcel_intercepted_back(
    *, shipment: Shipment, sub_order: SubOrder, actor: Actor, note: str, at=None
) -> None:
    """An intercepted parcel came back without reaching the shopper. Like a refused one, it no
    longer holds up the sub-order: what else arrived is delivered once nothing is on its way;
    when nothing arrived, the sub-order waits for after-sales (which refunds, and orders closes
    it). Cash on delivery: its lines are no longer owed, as for a refusal."""
    note = note or "Intercepted, returned to sender"
    shipment_transition(
        shipment=shipment,
        actor=actor,
        what=What.RETURN_TO_SENDER,
        fields=["closed_at", "note"],
        note=note,
        at=at or timezone.now(),
    )
    if sub_order.order.payment_method == PaymentMethod.COD:
        cod_lines_no_longer_owed(shipment=shipment, reason="intercepted")
    others = [p for p in selectors.outbound_parcels(sub_order) if p.pk != shipment.pk]
    if not any(p.is_on_its_way for p in others) and any(
        p.status == Shipment.Status.DELIVERED for p in others
    ):
        on_parcel_signed(sub_order=sub_order)


def parcel_back(*, sub_order: SubOrder, shipment: Shipment, actor: Actor, at=None) -> bool:
    """A refused or returned-to-sender parcel is back with the merchant: its goods are sellable
    again and after-sales hears it (SHIPMENT_RETURNED), once per parcel (the conditional
    update is the guard, so a receiver that calls back in cannot do it twice)."""
    now = timezone.now()
    if not Shipment.objects.filter(pk=shipment.pk, returned_at__isnull=True).update(
        returned_at=now
    ):
        return False
    shipment.returned_at = now
    lines = sorted(
        shipment.lines.select_related("order_line"),
        key=lambda line: (line.order_line.sku_id, line.order_line.warehouse_id),
    )
    for line in lines:
        stock_return(
            sku_id=line.order_line.sku_id,
            warehouse_id=line.order_line.warehouse_id,
            quantity=line.quantity,
            order_no=sub_order.order.order_no,
            reason=wording.back_in_warehouse(shipment),
            actor=actor,
        )
    shipment_fact_record(shipment=shipment, actor=actor, what=What.BACK_IN_WAREHOUSE)
    emit_outcome(nodes.SHIPMENT_RETURNED, shipment=shipment, sub_order=sub_order, at=at or now)
    return True


def returned_to_sender(
    *, shipment: Shipment, sub_order: SubOrder, actor: Actor, note: str, at
) -> None:
    """The carrier says the parcel is back with the sender and signed for by the merchant.

    Refused before: its goods go back to stock (as shipment_return_received does). Intercepted
    on its way: it is returned to sender, then the same. On its way and not intercepted (the
    carrier could not deliver it, or the shopper refused it without a refusal scan): it is
    refused first, so after-sales hears of the refusal before the return. Delivered or lost:
    too late to mean anything; the event is only stored."""
    if shipment.returned_at is not None:
        return
    if shipment.is_on_its_way:
        if shipment.intercept_requested_at is None:
            parcel_refused(
                shipment=shipment,
                sub_order=sub_order,
                actor=actor,
                note=note or "Returned to sender",
                at=at,
            )
        else:
            parcel_intercepted_back(
                shipment=shipment, sub_order=sub_order, actor=actor, note=note, at=at
            )
    if shipment.status not in (Shipment.Status.REFUSED, Shipment.Status.RETURNED):
        logger.info(
            "parcel %s is %s: 'returned to sender' ignored", shipment.shipment_no, shipment.status
        )
        return
    parcel_back(sub_order=sub_order, shipment=shipment, actor=actor, at=at)


def side_parcel_outcome(
    *, shipment: Shipment, sub_order: SubOrder, actor: Actor, status: str, note: str, at
) -> None:
    """A return parcel (shopper -> merchant) or a replacement parcel (merchant -> shopper):
    the parcel moves, the sub-order does not. A return parcel signed for tells after-sales
    (SHIPMENT_RETURN_SIGNED); a replacement refused and back with the sender returns its goods
    to stock like any refused parcel. `status` is the courier's (TrackingEvent.Status)."""
    if status == TrackingEvent.Status.SIGNED and can_proceed(shipment.deliver):
        shipment_transition(
            shipment=shipment, actor=actor, what=What.DELIVER, fields=["delivered_at"], at=at
        )
        if shipment.direction == Shipment.Direction.RETURN:
            emit_outcome(
                nodes.SHIPMENT_RETURN_SIGNED, shipment=shipment, sub_order=sub_order, at=at
            )
    elif status == TrackingEvent.Status.REFUSED and can_proceed(shipment.refuse):
        note = note or "Refused by the recipient"
        shipment_transition(
            shipment=shipment,
            actor=actor,
            what=What.REFUSE,
            fields=["closed_at", "note"],
            note=note,
            at=at or timezone.now(),
        )
    elif status == TrackingEvent.Status.LOST and can_proceed(shipment.lose):
        note = note or "Reported lost by the carrier"
        _mark_lost(shipment=shipment, actor=actor, note=note, at=at)
        logger.warning(
            "%s parcel %s of sub-order %s reported lost",
            shipment.direction,
            shipment.shipment_no,
            sub_order.sub_order_no,
        )
    elif (
        status == TrackingEvent.Status.RETURNED
        and shipment.direction == Shipment.Direction.REPLACEMENT
    ):
        if shipment.is_on_its_way:
            note = note or "Returned to sender"
            shipment_transition(
                shipment=shipment,
                actor=actor,
                what=What.RETURN_TO_SENDER,
                fields=["closed_at", "note"],
                note=note,
                at=at or timezone.now(),
            )
        if shipment.status in (Shipment.Status.REFUSED, Shipment.Status.RETURNED):
            parcel_back(sub_order=sub_order, shipment=shipment, actor=actor, at=at)
