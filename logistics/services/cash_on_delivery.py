"""Cash on delivery as its parcels end: the lines of a parcel that will never be paid for stop
being owed, and once every parcel has an outcome that fixes what is owed, payments is told the
sub-order's cash is settled (SUBORDER_COD_SETTLED; payments' cod_collect records it)."""

import logging
from decimal import Decimal

from orders import services as order_services
from orders.models import OrderLine, PaymentMethod, SubOrder
from shop.money import ZERO, to_money

from ..events import emit_cod_settled
from ..lock_objects import outbound
from ..models import Shipment
from ..parcel_planning import units_to_ship

logger = logging.getLogger(__name__)


def paid_share(line: OrderLine, quantity: int) -> Decimal:
    """The paid share of `quantity` units of the line: the rest of what it paid when they are
    its last units, else a proportional part; never more than is left to refund."""
    left = line.paid_amount - line.refunded_amount
    if quantity >= units_to_ship(line):
        return max(left, ZERO)
    return min(to_money(line.paid_amount * quantity / line.quantity), left)


def _parcel_units_to_settle(shipment: Shipment) -> list[tuple[OrderLine, int]]:
    """The parcel's order lines, locked in one query (by id, the lock order), each with how
    many of the parcel's units are still to settle (never more than the line has left; the
    same figures as selectors.parcel_units)."""
    quantities = dict(shipment.lines.values_list("order_line_id", "quantity"))
    lines = OrderLine.objects.select_for_update().filter(pk__in=quantities).order_by("pk")
    units = [(line, min(quantities[line.pk], units_to_ship(line))) for line in lines]
    return [(line, quantity) for line, quantity in units if quantity > 0]


def cod_lines_no_longer_owed(*, shipment: Shipment, reason: str) -> None:
    """The parcel's goods were never paid for, and now never will be; like a shortage at
    picking, its lines just stop being owed (no money moves)."""
    for line, quantity in _parcel_units_to_settle(shipment):
        order_services.order_line_record_refund(
            line_id=line.pk, amount=paid_share(line, quantity), quantity=quantity
        )
    logger.info("COD parcel %s: %s; its lines are no longer owed", shipment.shipment_no, reason)


def cod_collect_when_settled(*, sub_order: SubOrder, parcels: list[Shipment]) -> None:
    """Tell payments a cash-on-delivery sub-order's cash is settled once every parcel has an
    outcome that fixes what is owed: delivered (cash taken), refused, returned or
    lost-and-settled (their lines no longer owed). Payments records the sub-order's payable
    minus those lines, so the cash of a parcel still on its way or lost but not settled is
    never counted as taken."""
    if sub_order.order.payment_method != PaymentMethod.COD:
        return
    parcels = outbound(parcels)
    if not any(p.status == Shipment.Status.DELIVERED for p in parcels):
        return
    if any(p.is_on_its_way or p.is_lost_unsettled for p in parcels):
        return
    emit_cod_settled(
        sub_order=sub_order,
        delivered=[p.shipment_no for p in parcels if p.status == Shipment.Status.DELIVERED],
    )
