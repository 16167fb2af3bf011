"""Read queries of logistics, shared by the storefront, the API and the admin."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum

from catalog.actors import is_platform_staff, staff_merchant
from orders.models import OrderLine, SubOrder
from shop.errors import NotFound

from .models import Shipment, ShipmentEvent, ShipmentLine, TrackingEvent


def tracking_for_sub_orders(ids) -> dict[int, list[Shipment]]:
    """Shipped parcels (with carrier and events, oldest event first) per sub-order id, in two
    queries whatever the number of sub-orders, parcels and events: the sub-order's own parcels
    first, then return and replacement parcels (each labelled by its `direction`)."""
    ids = list(ids)
    result: dict[int, list[Shipment]] = {pk: [] for pk in ids}
    if not ids:
        return result
    shipments = (
        Shipment.objects.filter(sub_order_id__in=ids)
        .exclude(status=Shipment.Status.PACKED)
        .select_related("carrier")
        .prefetch_related(
            Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "pk"))
        )
        .order_by("sub_order_id", "pk")
    )
    for shipment in shipments:
        result[shipment.sub_order_id].append(shipment)
    for parcels in result.values():
        parcels.sort(key=lambda s: (not s.is_outbound, s.pk))
        outbound = sum(1 for s in parcels if s.is_outbound)
        for shipment in parcels:
            shipment.outbound_count = outbound  # "Parcel 1 of 2" counts the sub-order's own
    return result


def parcel_units(*, shipment_id: int) -> list[tuple[int, int]]:
    """What a parcel holds that is still to settle: [(order line id, quantity)], by line id;
    never more than the line has left to refund (its units refunded already are not counted)."""
    rows = (
        ShipmentLine.objects.filter(shipment_id=shipment_id)
        .select_related("order_line")
        .order_by("order_line_id")
    )
    units = []
    for row in rows:
        line = row.order_line
        quantity = min(row.quantity, line.quantity - line.refunded_quantity)
        if quantity > 0:
            units.append((line.pk, quantity))
    return units


def sub_order_tracking_for_user(*, user, sub_order_no: str) -> tuple[SubOrder, list[Shipment]]:
    """One of the shopper's sub-orders and its parcels; another shopper's is not found."""
    sub_order = (
        SubOrder.objects.filter(order__user=user, sub_order_no=sub_order_no)
        .select_related("order")
        .first()
    )
    if sub_order is None:
        raise NotFound("Sub-order not found.")
    return sub_order, tracking_for_sub_orders([sub_order.pk])[sub_order.pk]


def awaiting_shipment(*, merchant=None, warehouse=None) -> QuerySet[SubOrder]:
    """The fulfilment queue: sub-orders awaiting shipment, oldest first."""
    sub_orders = SubOrder.objects.filter(status=SubOrder.Status.AWAITING_SHIPMENT)
    if merchant is not None:
        sub_orders = sub_orders.filter(merchant=merchant)
    if warehouse is not None:
        sub_orders = sub_orders.filter(warehouse=warehouse)
    return (
        sub_orders.select_related("order", "merchant", "warehouse")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
            Prefetch(
                "shipments",
                queryset=Shipment.objects.filter(direction=Shipment.Direction.OUTBOUND)
                .select_related("carrier")
                .prefetch_related(Prefetch("lines", queryset=ShipmentLine.objects.order_by("pk")))
                .order_by("pk"),
            ),
        )
        .order_by("created_at", "pk")
    )


def pick_list(sub_order_ids) -> list[dict]:
    """What to pick for these sub-orders, one row per SKU and warehouse, by bin location:
    SKU, barcode, product, quantity still to ship, warehouse, location."""
    from catalog.models import StockRecord

    lines = list(
        OrderLine.objects.filter(
            sub_order_id__in=list(sub_order_ids),
            sub_order__status=SubOrder.Status.AWAITING_SHIPMENT,
        )
        .select_related("sku", "warehouse", "sub_order")
        .order_by("warehouse_id", "sku_id", "pk")
    )
    locations = {
        (sku_id, warehouse_id): location
        for sku_id, warehouse_id, location in StockRecord.objects.filter(
            sku_id__in={line.sku_id for line in lines}
        ).values_list("sku_id", "warehouse_id", "location")
    }
    rows: dict[tuple[int, int], dict] = {}
    for line in lines:
        quantity = line.quantity - line.refunded_quantity
        if quantity <= 0:
            continue
        key = (line.warehouse_id, line.sku_id)
        row = rows.setdefault(
            key,
            {
                "sku_code": line.sku_code,
                "barcode": line.sku.barcode,
                "product": line.product_title,
                "attributes": line.sku_attributes,
                "warehouse": line.warehouse.name,
                "location": locations.get((line.sku_id, line.warehouse_id), ""),
                "quantity": 0,
                "sub_orders": [],
            },
        )
        row["quantity"] += quantity
        row["sub_orders"].append(f"{line.sub_order.sub_order_no} x{quantity}")
    return sorted(rows.values(), key=lambda r: (r["warehouse"], r["location"], r["sku_code"]))


def _within_staff_reach(queryset: QuerySet, *, user, merchant_lookup: str) -> QuerySet:
    """Operations reach every merchant; a merchant's staff only their own."""
    if is_platform_staff(user):
        return queryset
    return queryset.filter(**{merchant_lookup: staff_merchant(user)})


def shipment_id_for_staff(*, user, shipment_no: str) -> int:
    """A parcel's id by its number, within the staff's reach: another merchant's parcel is
    "not found" exactly like one that does not exist."""
    shipments = _within_staff_reach(
        Shipment.objects.filter(shipment_no=shipment_no),
        user=user,
        merchant_lookup="sub_order__merchant",
    )
    pk = shipments.values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound("Parcel not found.")
    return pk


def sub_order_id_for_staff(*, user, sub_order_no: str) -> int:
    """A sub-order's id by its number, within the staff's reach (as above)."""
    sub_orders = _within_staff_reach(
        SubOrder.objects.filter(sub_order_no=sub_order_no), user=user, merchant_lookup="merchant"
    )
    pk = sub_orders.values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound("Sub-order not found.")
    return pk


def outbound_parcels(sub_order: SubOrder) -> list[Shipment]:
    """The sub-order's own (outbound) parcels, fresh from the database."""
    return list(
        Shipment.objects.filter(
            sub_order=sub_order, direction=Shipment.Direction.OUTBOUND
        ).order_by("pk")
    )


def units_not_refunded(sub_order: SubOrder) -> int:
    """Units of the sub-order's lines not yet refunded (shortage, loss): 0 closes it."""
    left = OrderLine.objects.filter(sub_order=sub_order).aggregate(
        left=Sum("quantity") - Sum("refunded_quantity")
    )["left"]
    return left or 0


def shipment_history(shipment_id: int) -> QuerySet[ShipmentEvent]:
    """Who changed the parcel's state and how, oldest first (the admin's history)."""
    return (
        ShipmentEvent.objects.filter(shipment_id=shipment_id)
        .select_related("actor")
        .order_by("created_at", "pk")
    )


# A parcel's tracking starts right after shipping (its task retries for 31 minutes); the sweep
# re-sends a start still missing after the grace period, and gives up on parcels a day old
# (orders' auto-confirm completes those without tracking).
TRACKING_START_GRACE = timedelta(minutes=45)
TRACKING_START_GIVE_UP = timedelta(days=1)


def tracking_adapters_in_service() -> list[str]:
    """Carrier adapters that can push events here: the sandbox where it is enabled
    (settings.PAYMENT_SANDBOX), Kuaidi100 once it has the key to subscribe and the salt its
    pushes are verified with."""
    adapters = ["sandbox"] if settings.PAYMENT_SANDBOX else []
    if settings.KUAIDI100_KEY and settings.KUAIDI100_SALT:
        adapters.append("kuaidi100")
    return adapters


def shipment_ids_awaiting_tracking(*, now: datetime, limit: int | None = None) -> list[int]:
    """Shipped parcels with no tracking started and no event yet, oldest first."""
    limit = limit or settings.SWEEP_BATCH_SIZE
    return list(
        Shipment.objects.filter(
            status=Shipment.Status.SHIPPED,
            tracking_started_at__isnull=True,
            shipped_at__lte=now - TRACKING_START_GRACE,
            shipped_at__gte=now - TRACKING_START_GIVE_UP,
            carrier__adapter__in=tracking_adapters_in_service(),
        )
        .order_by("shipped_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
