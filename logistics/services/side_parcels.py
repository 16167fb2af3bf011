"""After-sales' parcels: the shopper's parcel back to the merchant (a return or an exchange) and
an exchange's replacement parcel. Both ship at once, are tracked like any parcel and never move
the sub-order (parcel_outcomes.side_parcel_outcome)."""

from django.db import transaction

from catalog.actors import Actor, Role
from catalog.services.stock import stock_allocate, stock_consume
from orders.models import OrderLine, SubOrder
from shop import events as nodes
from shop.errors import InvalidInput
from shop.ids import new_business_number

from ..carrier_rules import active_carrier, check_tracking_no_free, validated_tracking_no
from ..events import emit_shipment
from ..lock_objects import MERCHANT_ONLY, lock_sub_order_and_shipments
from ..models import Carrier, Shipment, ShipmentLine
from .shipping import shipment_hand_over, start_tracking_after_commit

# A return parcel is registered by the shopper who sends it, or by staff on their behalf.
SHOPPER_OR_MERCHANT = (Role.SHOPPER, *MERCHANT_ONLY)


def _side_parcel_lines(
    *, sub_order: SubOrder, lines: list[tuple[int, int]]
) -> list[tuple[OrderLine, int]]:
    """[(order line id, quantity)] of the sub-order, checked: each line once, of this
    sub-order, at least one unit and at most what the line holds."""
    wanted: dict[int, int] = {}
    for line_id, quantity in lines or []:
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise InvalidInput("Quantity must be at least 1.", code="invalid_quantity")
        wanted[line_id] = wanted.get(line_id, 0) + quantity
    if not wanted:
        raise InvalidInput("Name the items in the parcel.", code="invalid_lines")
    found = {
        line.pk: line
        for line in OrderLine.objects.filter(sub_order=sub_order, pk__in=wanted)
        .select_related("sku")
        .order_by("pk")
    }
    if set(found) != set(wanted):
        raise InvalidInput("An item is not part of this sub-order.", code="invalid_lines")
    for line_id, quantity in wanted.items():
        if quantity > found[line_id].quantity:
            raise InvalidInput(
                f"The order holds only {found[line_id].quantity} of {found[line_id].sku_code}.",
                code="invalid_quantity",
            )
    return [(found[line_id], wanted[line_id]) for line_id in sorted(wanted)]


def _create_shipped_side_parcel(
    *,
    sub_order: SubOrder,
    direction: str,
    carrier: Carrier,
    tracking_no: str,
    units: list[tuple[OrderLine, int]],
    actor: Actor,
) -> Shipment:
    """A parcel shipped at once (return, replacement), its lines, and its tracking started
    after the commit like an outbound parcel's."""
    shipment = Shipment(
        shipment_no=new_business_number("S"),
        sub_order=sub_order,
        direction=direction,
        weight_grams=sum(line.sku.weight_grams * quantity for line, quantity in units),
        volume_cm3=sum(line.sku.volume_cm3 * quantity for line, quantity in units),
    )
    shipment_hand_over(shipment=shipment, carrier=carrier, tracking_no=tracking_no, actor=actor)
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line=line, quantity=quantity)
        for line, quantity in units
    )
    start_tracking_after_commit(shipment)
    return shipment


@transaction.atomic
def return_shipment_register(
    *,
    sub_order_id: int,
    carrier_code: str,
    tracking_no: str,
    lines: list[tuple[int, int]],
    actor: Actor,
) -> Shipment:
    """The shopper's parcel back to the merchant (an after-sales return or exchange): its
    tracking number is checked as any parcel's (the carrier's pattern, unique per carrier); it
    is shipped at once and tracked like an outbound parcel, never moves the sub-order, and its
    "signed for" emits SHIPMENT_RETURN_SIGNED. A shopper reaches their own sub-orders only."""
    carrier = active_carrier(carrier_code)
    tracking_no = validated_tracking_no(carrier, tracking_no)
    sub_order, _ = lock_sub_order_and_shipments(
        pk=sub_order_id, actor=actor, roles=SHOPPER_OR_MERCHANT
    )
    units = _side_parcel_lines(sub_order=sub_order, lines=lines)
    check_tracking_no_free(carrier, tracking_no)
    return _create_shipped_side_parcel(
        sub_order=sub_order,
        direction=Shipment.Direction.RETURN,
        carrier=carrier,
        tracking_no=tracking_no,
        units=units,
        actor=actor,
    )


@transaction.atomic
def replacement_shipment_ship(
    *,
    sub_order_id: int,
    lines: list[tuple[int, int]],
    carrier_code: str,
    tracking_no: str,
    actor: Actor,
) -> Shipment:
    """An exchange's new parcel from the merchant: the units are allocated (the sub-order's
    warehouse region first) and consumed at once through catalog's stock service, OutOfStock
    when there are not enough (nothing written). Tracked like any parcel; never moves the
    sub-order."""
    carrier = active_carrier(carrier_code)
    tracking_no = validated_tracking_no(carrier, tracking_no)
    sub_order, _ = lock_sub_order_and_shipments(pk=sub_order_id, actor=actor)
    units = _side_parcel_lines(sub_order=sub_order, lines=lines)
    check_tracking_no_free(carrier, tracking_no)
    order = sub_order.order
    region = sub_order.warehouse.region if sub_order.warehouse_id else ""
    # A savepoint: OutOfStock leaves no allocation behind even if the caller carries on.
    with transaction.atomic():
        allocations = stock_allocate(
            lines=[(line.sku_id, quantity) for line, quantity in units],
            region=region,
            order_no=order.order_no,
            actor=actor,
        )
        for allocation in sorted(allocations, key=lambda a: (a.sku_id, a.warehouse_id)):
            stock_consume(
                sku_id=allocation.sku_id,
                warehouse_id=allocation.warehouse_id,
                quantity=allocation.quantity,
                order_no=order.order_no,
                actor=actor,
            )
    shipment = _create_shipped_side_parcel(
        sub_order=sub_order,
        direction=Shipment.Direction.REPLACEMENT,
        carrier=carrier,
        tracking_no=tracking_no,
        units=units,
        actor=actor,
    )
    emit_shipment(nodes.SHIPMENT_SHIPPED, shipment=shipment, sub_order=sub_order)
    return shipment
