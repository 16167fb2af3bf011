"""Units a warehouse could not find at picking. After-sales refunds them (or, cash on delivery,
records them as no longer owed) through orders and payments; logistics checks the shortage
first, then records it, releases the reservation and unpacks. No money moves here."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from catalog.actors import Actor
from catalog.services.stock import stock_release
from orders import services as order_services
from orders.models import OrderLine, SubOrder
from shop.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from shop.money import to_money

from .. import selectors, wording
from ..events import emit_partial_shortage
from ..lock_objects import lock_sub_order_and_shipments, outbound
from ..models import Shipment, ShortageRecord
from ..parcel_planning import units_to_ship
from .packing import delete_packed


def _shortage_checked(
    *, line_id: int, quantity: int, actor: Actor, refund_recorded: bool = False
) -> tuple[SubOrder, list[Shipment], OrderLine]:
    """The checks of a shortage at picking, on the locked order, sub-order, parcels and line.
    `refund_recorded`: the caller already recorded these units' refund on the line, so they
    count as still to ship here (and must be among the refunded ones)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidInput("Quantity must be at least 1.", code="invalid_quantity")
    line_ids = OrderLine.objects.filter(pk=line_id).values_list("sub_order_id", flat=True)
    if not line_ids or line_ids[0] is None:
        raise NotFound("Order line not found.")
    sub_order, parcels = lock_sub_order_and_shipments(pk=line_ids[0], actor=actor)
    if sub_order.status != SubOrder.Status.AWAITING_SHIPMENT:
        raise TransitionNotAllowed(
            f"Only sub-orders awaiting shipment can be short "
            f"(this one is {sub_order.get_status_display().lower()}).",
            extra={"status": sub_order.status},
        )
    shipments = outbound(parcels)
    if any(s.is_shipped for s in shipments):
        raise Conflict("A parcel has shipped already: use after-sales instead.", code="shipped")
    line = OrderLine.objects.select_for_update().get(pk=line_id)
    left = units_to_ship(line)
    if refund_recorded:
        already_short = line.shortages.aggregate(units=Sum("quantity"))["units"] or 0
        if line.refunded_quantity - already_short < quantity:
            raise Conflict(
                "Record the refund of these units on the line before the shortage.",
                code="refund_not_recorded",
            )
        left += quantity
    if quantity > left:
        raise InvalidInput(
            f"Only {left} unit(s) of this line are left to ship.", code="invalid_quantity"
        )
    return sub_order, shipments, line


@transaction.atomic
def line_shortage_check(*, line_id: int, quantity: int, actor: Actor) -> OrderLine:
    """Whether `quantity` units of a line can be recorded short at picking (after-sales asks
    before it refunds them): the sub-order awaits shipment, no parcel of it shipped, and the
    line has that many units left to ship. Raises what line_record_shortage would; locks the
    order, sub-order, its parcels and the line (held until the caller's transaction ends)."""
    _, _, line = _shortage_checked(line_id=line_id, quantity=quantity, actor=actor)
    return line


@transaction.atomic
def line_record_shortage(
    *,
    line_id: int,
    quantity: int,
    reason: str,
    actor: Actor,
    refund_amount: Decimal,
    refund_reference: str,
) -> ShortageRecord:
    """Staff could not find `quantity` units of a line at picking. After-sales has refunded
    them (or recorded them as no longer owed) through orders/payments BEFORE this call; here
    their reservation is released, packed parcels are unpacked, the shortage is recorded with
    the refund after-sales made, and the sub-order closes as out of stock when nothing is left
    to ship (else the shopper is told of the partial shortage)."""
    reason = (reason or "").strip()[:255]
    if not reason:
        raise InvalidInput("Give the reason the shopper will read.", code="reason_required")
    sub_order, shipments, line = _shortage_checked(
        line_id=line_id, quantity=quantity, actor=actor, refund_recorded=True
    )
    note = wording.out_of_stock_at_picking(reason)
    amount = to_money(Decimal(refund_amount or 0))
    # catalog's stock service and orders.services still take the user (None for the system).
    stock_release(
        sku_id=line.sku_id,
        warehouse_id=line.warehouse_id,
        quantity=quantity,
        order_no=sub_order.order.order_no,
        reason=note[:255],
        actor=actor,
    )
    shortage = ShortageRecord.objects.create(
        order_line=line,
        sub_order=sub_order,
        quantity=quantity,
        reason=reason,
        staff=actor.user,
        refund_amount=amount,
        refund_reference=(refund_reference or "")[:64],
    )
    # Packed parcels no longer match what is left: they are packed again when shipping.
    delete_packed(shipments)
    if selectors.units_not_refunded(sub_order) <= 0:
        # orders.services writes the OrderEvent and emits SUBORDER_OUT_OF_STOCK itself.
        order_services.sub_order_close_out_of_stock(
            sub_order_id=sub_order.pk, actor=actor, reason=note
        )
    else:
        emit_partial_shortage(sub_order=sub_order, shortage=shortage, amount=amount, reason=reason)
    return shortage
