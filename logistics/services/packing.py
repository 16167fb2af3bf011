"""Packing a sub-order into parcels: split by the carrier's limits, units moved by hand between
packed parcels, parcels unpacked. Nothing here has shipped: packed parcels are the merchant's
draft and are replaced or removed freely."""

from django.db import transaction
from django.db.models import F

from catalog.actors import Actor
from orders.models import OrderLine, SubOrder
from shop.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from shop.ids import new_business_number

from ..carrier_rules import active_carrier, check_within_limits
from ..lock_objects import lock_parcel, lock_sub_order_and_shipments, outbound
from ..models import Shipment, ShipmentLine
from ..parcel_planning import plan_parcels, units_to_ship


def delete_packed(shipments: list[Shipment]) -> None:
    """Unpack: the parcels (none shipped) and their lines go in one delete, not one per parcel."""
    if shipments:
        Shipment.objects.filter(pk__in=[s.pk for s in shipments]).delete()


def _refresh_measures(shipment: Shipment) -> None:
    weight = volume = 0
    for line in shipment.lines.select_related("order_line__sku"):
        weight += line.quantity * line.order_line.sku.weight_grams
        volume += line.quantity * line.order_line.sku.volume_cm3
    shipment.weight_grams, shipment.volume_cm3 = weight, volume
    shipment.save(update_fields=["weight_grams", "volume_cm3"])


@transaction.atomic
def shipment_pack(
    *, sub_order_id: int, actor: Actor, carrier_code: str | None = None
) -> list[Shipment]:
    """Split what the sub-order still has to ship into parcels within the carrier's weight and
    volume limits. Packing again (before anything shipped) replaces the parcels."""
    sub_order, parcels = lock_sub_order_and_shipments(pk=sub_order_id, actor=actor)
    if sub_order.status != SubOrder.Status.AWAITING_SHIPMENT:
        raise TransitionNotAllowed(
            f"Only sub-orders awaiting shipment can be packed "
            f"(this one is {sub_order.get_status_display().lower()}).",
            extra={"status": sub_order.status},
        )
    carrier = active_carrier(carrier_code)
    shipments = outbound(parcels)
    if any(s.is_shipped for s in shipments):
        raise Conflict(
            "Some parcels have already shipped: adjust the packed ones by hand.",
            code="already_shipped",
        )
    delete_packed(shipments)
    lines = list(
        OrderLine.objects.select_for_update(of=("self",))
        .filter(sub_order=sub_order)
        .select_related("sku")
        .order_by("pk")
    )
    units = [
        (line.pk, units_to_ship(line), line.sku.weight_grams, line.sku.volume_cm3)
        for line in lines
        if units_to_ship(line) > 0
    ]
    if not units:
        raise Conflict("Nothing left to ship on this sub-order.", code="nothing_to_ship")
    packed = []
    for parcel in plan_parcels(
        units=units, max_weight=carrier.max_weight_grams, max_volume=carrier.max_volume_cm3
    ):
        shipment = Shipment.objects.create(
            shipment_no=new_business_number("S"),
            sub_order=sub_order,
            carrier=carrier,
            weight_grams=parcel.weight,
            volume_cm3=parcel.volume,
        )
        ShipmentLine.objects.bulk_create(
            ShipmentLine(shipment=shipment, order_line_id=line_id, quantity=quantity)
            for line_id, quantity in sorted(parcel.units.items())
        )
        packed.append(shipment)
    return packed


@transaction.atomic
def shipment_adjust(
    *,
    shipment_id: int,
    order_line_id: int,
    quantity: int,
    actor: Actor,
    to_shipment_id: int | None = None,
) -> list[Shipment]:
    """Move `quantity` units of a line from one packed parcel to another (or to a new parcel
    when `to_shipment_id` is None). A parcel left empty is removed. Returns the packed parcels."""
    sub_order, parcels, source = lock_parcel(shipment_id=shipment_id, actor=actor)
    shipments = {s.pk: s for s in outbound(parcels)}
    if shipment_id not in shipments:
        raise Conflict("A parcel that has shipped cannot change.", code="already_shipped")
    if to_shipment_id is not None and to_shipment_id not in shipments:
        raise NotFound("Parcel not found.")
    if not isinstance(quantity, int) or quantity <= 0:
        raise InvalidInput("Move at least one unit.", code="invalid_quantity")
    if source.is_shipped or (to_shipment_id and shipments[to_shipment_id].is_shipped):
        raise Conflict("A parcel that has shipped cannot change.", code="already_shipped")
    if to_shipment_id == shipment_id:
        raise InvalidInput("Choose another parcel to move the units to.", code="same_parcel")
    line = ShipmentLine.objects.select_for_update().filter(
        shipment=source, order_line_id=order_line_id
    )
    line = line.first()
    if line is None or line.quantity < quantity:
        raise InvalidInput(
            "That parcel does not hold so many units of this item.", code="invalid_quantity"
        )
    if to_shipment_id is None:
        target = Shipment.objects.create(
            shipment_no=new_business_number("S"), sub_order=sub_order, carrier=source.carrier
        )
        shipments[target.pk] = target
    else:
        target = shipments[to_shipment_id]
    moved = ShipmentLine.objects.filter(shipment=target, order_line_id=order_line_id).first()
    if moved is None:
        ShipmentLine.objects.create(shipment=target, order_line_id=order_line_id, quantity=quantity)
    else:
        ShipmentLine.objects.filter(pk=moved.pk).update(quantity=F("quantity") + quantity)
    if line.quantity == quantity:
        line.delete()
    else:
        line.quantity -= quantity
        line.save(update_fields=["quantity"])
    for shipment in (source, target):
        if not shipment.lines.exists():
            shipments.pop(shipment.pk, None)
            shipment.delete()
        else:
            _refresh_measures(shipment)
    if target.pk in shipments and target.carrier_id is not None:
        # Filled by hand: the whole move is undone (atomic) when the parcel ends up too big.
        check_within_limits(target, target.carrier)
    return [s for _, s in sorted(shipments.items()) if not s.is_shipped]


@transaction.atomic
def sub_order_unpack(*, sub_order_id: int, actor: Actor) -> int:
    """Remove a sub-order's packed parcels (none may have shipped: Conflict "shipped"), e.g.
    before after-sales refunds it ahead of shipment. Returns how many were removed."""
    sub_order, parcels = lock_sub_order_and_shipments(pk=sub_order_id, actor=actor)
    shipments = outbound(parcels)
    if any(s.is_shipped for s in shipments):
        raise Conflict("A parcel of this sub-order has shipped already.", code="shipped")
    delete_packed(shipments)
    return len(shipments)
