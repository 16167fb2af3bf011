"""The only code that changes logistics: packing sub-orders into parcels, shipping them, the
carriers' tracking pushes, shortages found at picking, return and replacement parcels,
intercepts, and what operations record by hand (cash on delivery no carrier reported).

A sub-order's parcels can end differently (one signed for, one refused, one lost): the
sub-order is delivered once nothing of it is on its way and something arrived, closes only when
nothing arrived, and a lost parcel holds its automatic receipt until after-sales settles it.
Only outbound parcels (Shipment.Direction.OUTBOUND) count for that: a shopper's return parcel
and an exchange's replacement parcel are tracked but never move the sub-order.

Logistics reports what happened to a parcel (SHIPMENT_REFUSED, SHIPMENT_LOST,
SHIPMENT_RETURNED, SHIPMENT_INTERCEPT_FAILED, SHIPMENT_RETURN_SIGNED, emitted as the last step
of handling the outcome); after-sales decides and has payments refund; logistics never imports
payments nor aftersales. A cash-on-delivery sub-order whose cash is settled emits
SUBORDER_COD_SETTLED, which payments records.

Locks, everywhere: the parent order, then the sub-order, then its shipments by pk (the order
orders.services and payments.services take), so a tracking push, a ship and a refund on the same
order never deadlock. Sub-order transitions go through orders.services (which writes the
OrderEvent); shipment-level changes emit SHIPMENT_SHIPPED / SHIPMENT_TRACKING domain events.
"""

import csv
import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

import tablib
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django_fsm import can_proceed

from catalog.actors import SYSTEM, Role, actor_for, is_platform_staff, staff_merchant
from catalog.services.stock import stock_allocate, stock_consume, stock_release, stock_return
from orders import services as order_services
from orders.events import order_path
from orders.lock_objects import lock_sub_order
from orders.models import OrderLine, PaymentMethod, SubOrder
from shop import events as nodes
from shop.celery import send_after_commit
from shop.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
)
from shop.events import DomainEvent, emit
from shop.ids import new_business_number
from shop.money import ZERO, to_money

from .carriers import Acknowledgement, InvalidPush, ParsedEvent, get_adapter
from .models import Carrier, Shipment, ShipmentLine, ShortageRecord, TrackingEvent

logger = logging.getLogger(__name__)


# Parcels are the merchant's work: shoppers never reach a sub-order through logistics.
MERCHANT_ONLY = (Role.MERCHANT,)


# --- who may touch what ------------------------------------------------------------------------


def _check_reach(*, actor, merchant_id: int) -> None:
    """The system (actor None) and operations reach every sub-order; a merchant's staff only
    their merchant's; anyone else none (404: never reveal another merchant's orders)."""
    if actor is None or not getattr(actor, "pk", None):
        return
    if is_platform_staff(actor):
        return
    merchant = staff_merchant(actor)
    if merchant is None or merchant.pk != merchant_id:
        raise NotFound("Sub-order not found.")


def _actor_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


# --- locks ---------------------------------------------------------------------------------------


def _lock_shipments(sub_order: SubOrder) -> list[Shipment]:
    """Every parcel of the sub-order (all directions: the lock order is by pk)."""
    return list(
        Shipment.objects.select_for_update(of=("self",))
        .filter(sub_order=sub_order)
        .select_related("carrier")
        .order_by("pk")
    )


def _outbound(parcels: list[Shipment]) -> list[Shipment]:
    """The sub-order's own parcels: return and replacement parcels never move the sub-order."""
    return [p for p in parcels if p.is_outbound]


def _parcel_in(parcels: list[Shipment], shipment_id: int) -> Shipment:
    """The parcel among its sub-order's locked parcels; one removed (re-packed, emptied)
    between looking it up and taking the lock is "not found", not a crash."""
    parcel = next((s for s in parcels if s.pk == shipment_id), None)
    if parcel is None:
        raise NotFound("Parcel not found.")
    return parcel


def _lock_parcel(*, shipment_id: int, actor) -> tuple[SubOrder, list[Shipment], Shipment]:
    """Lock a parcel's order, sub-order and all its sibling parcels (in that order)."""
    sub_order_id = Shipment.objects.filter(pk=shipment_id).values_list("sub_order_id", flat=True)
    if not sub_order_id:
        raise NotFound("Parcel not found.")
    sub_order = lock_sub_order(pk=sub_order_id[0], actor=actor, roles=MERCHANT_ONLY)
    parcels = _lock_shipments(sub_order)
    return sub_order, parcels, _parcel_in(parcels, shipment_id)


def _delete_packed(shipments: list[Shipment]) -> None:
    """Unpack: the parcels (none shipped) and their lines go in one delete, not one per parcel."""
    if shipments:
        Shipment.objects.filter(pk__in=[s.pk for s in shipments]).delete()


def _carrier(code: str | None) -> Carrier:
    code = (code or settings.LOGISTICS_DEFAULT_CARRIER).strip()
    carrier = Carrier.objects.filter(code__iexact=code, active=True).first()
    if carrier is None:
        raise InvalidInput(f"Unknown carrier {code!r}.", code="unknown_carrier")
    return carrier


# --- events ----------------------------------------------------------------------------------


def _units_not_refunded(sub_order: SubOrder) -> int:
    """Units of the sub-order's lines not yet refunded (shortage, loss): 0 closes it."""
    left = OrderLine.objects.filter(sub_order=sub_order).aggregate(
        left=Sum("quantity") - Sum("refunded_quantity")
    )["left"]
    return left or 0


def _emit_shipment(node: str, *, shipment: Shipment, sub_order: SubOrder, extra=None) -> None:
    order = sub_order.order
    data = {
        "shipment_no": shipment.shipment_no,
        "sub_order_no": sub_order.sub_order_no,
        "order_no": order.order_no,
        "tracking_no": shipment.tracking_no,
        "direction": shipment.direction,
        "carrier": shipment.carrier.name if shipment.carrier_id else "",
        "carrier_code": shipment.carrier.code if shipment.carrier_id else "",
        "status": shipment.status,
        "status_text": shipment.get_status_display(),
        "path": order_path(order),
        "phone": order.phone,  # SMS reaches a shopper whose profile has no number
    }
    data.update(extra or {})
    emit(
        DomainEvent(
            node=node,
            subject_type="shipment",
            subject_id=shipment.pk,
            shopper_id=order.user_id,
            merchant_id=sub_order.merchant_id,
            warehouse_id=sub_order.warehouse_id,
            data=data,
        )
    )


def _emit_outcome(node: str, *, shipment: Shipment, sub_order: SubOrder, at) -> None:
    """A parcel's outcome for after-sales (and push rules): the last step of handling it, since
    the receivers run synchronously and may call back into logistics, orders and payments."""
    _emit_shipment(
        node,
        shipment=shipment,
        sub_order=sub_order,
        extra={"occurred_at": (at or timezone.now()).isoformat()},
    )


# --- packing -----------------------------------------------------------------------------------


@dataclass
class _Parcel:
    weight: int = 0
    volume: int = 0
    units: dict = field(default_factory=lambda: defaultdict(int))  # order line id -> quantity


def _shippable_quantity(line: OrderLine) -> int:
    """Units still to ship: refunded units (shortages, refunds before shipment) stay behind."""
    return line.quantity - line.refunded_quantity


def plan_parcels(
    *, units: list[tuple[int, int, int, int]], max_weight: int, max_volume: int
) -> list[_Parcel]:
    """First-fit decreasing over single units [(line id, quantity, weight, volume)].

    The heaviest (then bulkiest) unit goes first into the first parcel that still has room for
    both its weight and its volume; a unit over the limit on its own ships alone.
    """
    flat = []
    for line_id, quantity, weight, volume in units:
        flat += [(weight, volume, line_id)] * quantity
    flat.sort(key=lambda unit: (-unit[0], -unit[1], unit[2]))
    parcels: list[_Parcel] = []
    for weight, volume, line_id in flat:
        target = None
        if weight <= max_weight and volume <= max_volume:
            for parcel in parcels:
                if parcel.weight + weight <= max_weight and parcel.volume + volume <= max_volume:
                    target = parcel
                    break
        if target is None:
            target = _Parcel()
            parcels.append(target)
        target.weight += weight
        target.volume += volume
        target.units[line_id] += 1
    return parcels


def _refresh_measures(shipment: Shipment) -> None:
    weight = volume = 0
    for line in shipment.lines.select_related("order_line__sku"):
        weight += line.quantity * line.order_line.sku.weight_grams
        volume += line.quantity * line.order_line.sku.volume_cm3
    shipment.weight_grams, shipment.volume_cm3 = weight, volume
    shipment.save(update_fields=["weight_grams", "volume_cm3"])


@transaction.atomic
def shipment_pack(*, sub_order_id: int, actor, carrier_code: str | None = None) -> list[Shipment]:
    """Split what the sub-order still has to ship into parcels within the carrier's weight and
    volume limits. Packing again (before anything shipped) replaces the parcels."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor, roles=MERCHANT_ONLY)
    if sub_order.status != SubOrder.Status.AWAITING_SHIPMENT:
        raise TransitionNotAllowed(
            f"Only sub-orders awaiting shipment can be packed "
            f"(this one is {sub_order.get_status_display().lower()}).",
            extra={"status": sub_order.status},
        )
    carrier = _carrier(carrier_code)
    shipments = _outbound(_lock_shipments(sub_order))
    if any(s.is_shipped for s in shipments):
        raise Conflict(
            "Some parcels have already shipped: adjust the packed ones by hand.",
            code="already_shipped",
        )
    _delete_packed(shipments)
    lines = list(
        OrderLine.objects.select_for_update(of=("self",))
        .filter(sub_order=sub_order)
        .select_related("sku")
        .order_by("pk")
    )
    units = [
        (line.pk, _shippable_quantity(line), line.sku.weight_grams, line.sku.volume_cm3)
        for line in lines
        if _shippable_quantity(line) > 0
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
    actor,
    to_shipment_id: int | None = None,
) -> list[Shipment]:
    """Move `quantity` units of a line from one packed parcel to another (or to a new parcel
    when `to_shipment_id` is None). A parcel left empty is removed. Returns the packed parcels."""
    sub_order, parcels, source = _lock_parcel(shipment_id=shipment_id, actor=actor)
    shipments = {s.pk: s for s in _outbound(parcels)}
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
        _check_within_limits(target, target.carrier)
    return [s for _, s in sorted(shipments.items()) if not s.is_shipped]


# --- shipping ----------------------------------------------------------------------------------


def _validated_tracking_no(carrier: Carrier, tracking_no: str) -> str:
    tracking_no = (tracking_no or "").strip().upper()
    if not carrier.tracking_no_is_valid(tracking_no):
        example = f" (e.g. {carrier.tracking_example})" if carrier.tracking_example else ""
        raise InvalidInput(
            f"{tracking_no or 'An empty value'} is not a {carrier.name} tracking number{example}.",
            code="invalid_tracking_no",
        )
    return tracking_no


def _check_within_limits(shipment: Shipment, carrier: Carrier) -> None:
    """A parcel over the carrier's weight or volume limit is refused at the counter: say so
    before it is handed over (it may have been packed for a bigger carrier, or filled by
    hand)."""
    over = []
    if shipment.weight_grams > carrier.max_weight_grams:
        over.append(
            f"weighs {shipment.weight_grams / 1000:g} kg (limit "
            f"{carrier.max_weight_grams / 1000:g} kg)"
        )
    if shipment.volume_cm3 > carrier.max_volume_cm3:
        over.append(f"measures {shipment.volume_cm3:,} cm³ (limit {carrier.max_volume_cm3:,} cm³)")
    if over:
        raise Conflict(
            f"Parcel {shipment.shipment_no} {' and '.join(over)}: too big for {carrier.name}. "
            "Choose a carrier that takes it, or move units to another parcel.",
            code="over_carrier_limit",
            extra={
                "weight_grams": shipment.weight_grams,
                "volume_cm3": shipment.volume_cm3,
                "max_weight_grams": carrier.max_weight_grams,
                "max_volume_cm3": carrier.max_volume_cm3,
            },
        )


def _ship_locked(
    *,
    sub_order: SubOrder,
    shipments: list[Shipment],
    shipment: Shipment,
    carrier,
    tracking_no,
    actor,
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
    _check_within_limits(shipment, carrier)
    taken = Shipment.objects.filter(carrier=carrier, tracking_no=tracking_no).exclude(
        pk=shipment.pk
    )
    if taken.exists():
        raise Conflict(
            f"Tracking number {tracking_no} is already used by another parcel.",
            code="tracking_no_taken",
        )
    shipment.ship(
        carrier=carrier, tracking_no=tracking_no, at=timezone.now(), actor=_actor_or_none(actor)
    )
    try:
        with transaction.atomic():
            shipment.save(
                update_fields=["status", "carrier", "tracking_no", "shipped_at", "shipped_by"]
            )
    except IntegrityError:
        raise Conflict(
            f"Tracking number {tracking_no} is already used by another parcel.",
            code="tracking_no_taken",
        ) from None
    _emit_shipment(nodes.SHIPMENT_SHIPPED, shipment=shipment, sub_order=sub_order)
    from .tasks import shipment_start_tracking

    send_after_commit(shipment_start_tracking, shipment.pk, swept_by="sweep_untracked_shipments")
    if all(s.is_shipped for s in shipments):
        count = len(shipments)
        order_services.sub_order_ship(
            sub_order_id=sub_order.pk,
            actor=actor_for(actor) if actor is not None else SYSTEM,
            note=f"{count} parcel(s): "
            + ", ".join(f"{s.carrier.name} {s.tracking_no}" for s in shipments)[:200],
        )
    return shipment


def shipment_record_tracking_started(*, shipment_id: int) -> None:
    """The carrier now pushes this parcel's events; the tracking sweep leaves it alone."""
    Shipment.objects.filter(pk=shipment_id, tracking_started_at__isnull=True).update(
        tracking_started_at=timezone.now()
    )


@transaction.atomic
def shipment_ship(*, shipment_id: int, carrier_code: str, tracking_no: str, actor) -> Shipment:
    """Hand a packed parcel to a carrier. When it is the sub-order's last parcel, the sub-order
    ships (orders.services: stock consumed, OrderEvent, shopper told)."""
    sub_order_id = Shipment.objects.filter(pk=shipment_id).values_list("sub_order_id", flat=True)
    if not sub_order_id:
        raise NotFound("Parcel not found.")
    carrier = _carrier(carrier_code)
    tracking_no = _validated_tracking_no(carrier, tracking_no)
    sub_order = lock_sub_order(pk=sub_order_id[0], actor=actor, roles=MERCHANT_ONLY)
    parcels = _lock_shipments(sub_order)
    shipment = _parcel_in(parcels, shipment_id)
    if not shipment.is_outbound:
        raise Conflict(
            f"Parcel {shipment.shipment_no} already shipped with {shipment.tracking_no}.",
            code="already_shipped",
        )
    shipments = _outbound(parcels)
    return _ship_locked(
        sub_order=sub_order,
        shipments=shipments,
        shipment=shipment,
        carrier=carrier,
        tracking_no=tracking_no,
        actor=actor,
    )


@transaction.atomic
def sub_order_ship_next_parcel(
    *, sub_order_no: str, carrier_code: str, tracking_no: str, actor
) -> Shipment:
    """Ship the sub-order's next packed parcel (packing it first with this carrier when it has
    none): what one row of a bulk import or a WMS call means."""
    carrier = _carrier(carrier_code)
    tracking_no = _validated_tracking_no(carrier, tracking_no)
    sub_order = lock_sub_order(
        sub_order_no=(sub_order_no or "").strip(), actor=actor, roles=MERCHANT_ONLY
    )
    shipments = _outbound(_lock_shipments(sub_order))
    again = next(
        (s for s in shipments if s.carrier_id == carrier.pk and s.tracking_no == tracking_no), None
    )
    if again is not None:
        return again
    if not shipments and sub_order.status == SubOrder.Status.AWAITING_SHIPMENT:
        shipment_pack(sub_order_id=sub_order.pk, actor=actor, carrier_code=carrier.code)
        shipments = _outbound(_lock_shipments(sub_order))
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


# --- bulk ship ---------------------------------------------------------------------------------

BULK_COLUMNS = ("sub_order_no", "carrier", "tracking_no")
_HEADER_ALIASES = {
    "sub_order_no": "sub_order_no",
    "sub-order": "sub_order_no",
    "sub_order": "sub_order_no",
    "order_no": "sub_order_no",
    "carrier": "carrier",
    "carrier_code": "carrier",
    "tracking_no": "tracking_no",
    "tracking_number": "tracking_no",
    "tracking": "tracking_no",
}


@dataclass(frozen=True)
class BulkShipRow:
    number: int  # the row's line in the file (header is 1)
    sub_order_no: str
    carrier: str
    tracking_no: str
    ok: bool
    message: str
    # Something to act on although the row is good, e.g. parcels of its sub-order still packed.
    note: str = ""


@dataclass(frozen=True)
class BulkShipReport:
    rows: list[BulkShipRow]
    applied: bool

    @property
    def errors(self) -> list[BulkShipRow]:
        return [row for row in self.rows if not row.ok]

    @property
    def notes(self) -> list[BulkShipRow]:
        return [row for row in self.rows if row.ok and row.note]


def bulk_ship_rows_from_file(*, content: bytes, filename: str) -> list[dict]:
    """Rows of a CSV or XLSX with the columns sub_order_no, carrier, tracking_no."""
    name = (filename or "").lower()
    try:
        if name.endswith(".xlsx"):
            dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
            headers = [str(h or "").strip().lower() for h in dataset.headers or []]
            records = [["" if v is None else str(v).strip() for v in row] for row in dataset]
        elif name.endswith(".csv") or not name:
            text = content.decode("utf-8-sig")
            reader = list(csv.reader(io.StringIO(text)))
            if not reader:
                raise InvalidInput("The file is empty.", code="empty_file")
            headers = [h.strip().lower() for h in reader[0]]
            records = [[v.strip() for v in row] for row in reader[1:] if any(row)]
        else:
            raise InvalidInput("Upload a .csv or .xlsx file.", code="invalid_file")
    except (UnicodeDecodeError, ValueError, KeyError) as exc:
        raise InvalidInput(f"Could not read the file: {exc}", code="invalid_file") from None
    except Exception as exc:  # openpyxl raises its own errors on a broken workbook
        if isinstance(exc, DomainError):
            raise
        raise InvalidInput("Could not read the file as a workbook.", code="invalid_file") from None
    columns = {}
    for index, header in enumerate(headers):
        key = _HEADER_ALIASES.get(header.replace(" ", "_"))
        if key and key not in columns:
            columns[key] = index
    missing = [c for c in BULK_COLUMNS if c not in columns]
    if missing:
        raise InvalidInput(
            f"Missing column(s): {', '.join(missing)}. Expected: {', '.join(BULK_COLUMNS)}.",
            code="invalid_file",
        )
    return [
        {key: (record[index] if index < len(record) else "") for key, index in columns.items()}
        for record in records
    ]


class _RollBack(Exception):
    pass


def _bulk_sub_order_no(number: str, *, actor) -> str:
    """The order column takes a sub-order number (S...) or the parent order's number (O...)
    when that order has exactly one sub-order the actor ships (a merchant sees its own)."""
    if SubOrder.objects.filter(sub_order_no=number).exists():
        return number
    sub_orders = SubOrder.objects.filter(order__order_no=number)
    if getattr(actor, "pk", None) and not is_platform_staff(actor):
        merchant = staff_merchant(actor)
        sub_orders = sub_orders.filter(merchant_id=merchant.pk if merchant else None)
    numbers = list(sub_orders.order_by("pk").values_list("sub_order_no", flat=True)[:10])
    if not numbers:
        raise NotFound("Sub-order not found.")
    if len(numbers) > 1:
        raise InvalidInput(
            f"Order {number} has {len(numbers)} sub-orders to ship "
            f"({', '.join(numbers)}): use the sub-order number.",
            code="ambiguous_order",
        )
    return numbers[0]


def _still_packed_notes(report: list[BulkShipRow], shipped_in: dict[int, int]) -> list:
    """After every row: a good row whose sub-order still has packed parcels says so, since the
    sub-order does not ship (and the shopper hears nothing) until its last parcel does."""
    counts = defaultdict(lambda: [0, 0])  # sub-order id -> [parcels, still packed]
    for sub_order_id, status in Shipment.objects.filter(
        sub_order_id__in=set(shipped_in.values()), direction=Shipment.Direction.OUTBOUND
    ).values_list("sub_order_id", "status"):
        counts[sub_order_id][0] += 1
        counts[sub_order_id][1] += status == Shipment.Status.PACKED
    rows = []
    for index, row in enumerate(report):
        sub_order_id = shipped_in.get(index)
        total, packed = counts[sub_order_id] if sub_order_id else (0, 0)
        if row.ok and packed:
            row = replace(
                row,
                note=f"{total - packed} of {total} parcels shipped; {packed} still packed: "
                f"add a row for {'it' if packed == 1 else 'each'} (the sub-order ships with "
                "its last parcel)",
            )
        rows.append(row)
    return rows


def shipments_bulk_ship(*, rows: list[dict], actor) -> BulkShipReport:
    """Ship many parcels from an import: all or nothing, like the catalogue import.

    Every row is tried (each in its own savepoint) so the report names every bad row; if any
    row is bad, nothing is shipped and the merchant fixes the file and uploads it again.
    A merchant's staff reach only their own sub-orders (another's is "not found"). A row may
    name the parent order when it has one sub-order of this merchant; a good row whose
    sub-order still has parcels packed after the whole file says so.
    """
    report: list[BulkShipRow] = []
    shipped_in: dict[int, int] = {}  # report index -> sub-order id
    seen: set[tuple[str, str]] = set()
    try:
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):
                sub_order_no = str(row.get("sub_order_no", "")).strip()
                carrier = str(row.get("carrier", "")).strip()
                tracking_no = str(row.get("tracking_no", "")).strip().upper()
                key = (carrier.lower(), tracking_no)
                try:
                    if not sub_order_no or not carrier or not tracking_no:
                        raise InvalidInput("Sub-order, carrier and tracking number are required.")
                    if key in seen:
                        raise InvalidInput(f"Tracking number {tracking_no} appears twice.")
                    seen.add(key)
                    with transaction.atomic():
                        resolved = _bulk_sub_order_no(sub_order_no, actor=actor)
                        shipment = sub_order_ship_next_parcel(
                            sub_order_no=resolved,
                            carrier_code=carrier,
                            tracking_no=tracking_no,
                            actor=actor,
                        )
                except DomainError as error:
                    report.append(
                        BulkShipRow(number, sub_order_no, carrier, tracking_no, False, error.detail)
                    )
                else:
                    shipped_in[len(report)] = shipment.sub_order_id
                    message = f"Parcel {shipment.shipment_no} shipped"
                    if resolved != sub_order_no:
                        message += f" (sub-order {resolved})"
                    report.append(
                        BulkShipRow(number, sub_order_no, carrier, tracking_no, True, message)
                    )
            if not report:
                raise InvalidInput("The file has no rows.", code="empty_file")
            report = _still_packed_notes(report, shipped_in)
            if any(not row.ok for row in report):
                raise _RollBack
    except _RollBack:
        return BulkShipReport(rows=report, applied=False)
    return BulkShipReport(rows=report, applied=True)


# --- tracking ----------------------------------------------------------------------------------


@dataclass
class TrackingResult:
    stored: int = 0
    duplicates: int = 0
    unknown: int = 0


def _shipment_finder(*, carriers: list[Carrier], events: list[ParsedEvent]):
    """One query for every parcel a push names (a push often repeats one tracking number for
    each of its events); returns event -> Shipment | None."""
    wanted = {event.tracking_no.upper() for event in events}
    known = list(
        Shipment.objects.filter(carrier__in=carriers, tracking_no__in=wanted).order_by("pk")
    )

    def find(event: ParsedEvent) -> Shipment | None:
        candidates = carriers
        if event.aggregator_code:
            candidates = [
                c for c in carriers if c.aggregator_code == event.aggregator_code
            ] or carriers
        carrier_ids = {c.pk for c in candidates}
        tracking_no = event.tracking_no.upper()
        return next(
            (s for s in known if s.tracking_no == tracking_no and s.carrier_id in carrier_ids),
            None,
        )

    return find


def _move_along(shipment: Shipment) -> None:
    if can_proceed(shipment.move):
        shipment.move()
        shipment.save(update_fields=["status"])


def _apply_final_state(*, shipment: Shipment, sub_order: SubOrder, event: TrackingEvent) -> None:
    """Move the parcel (and through orders.services the sub-order) on a new event. Only
    forward: a late 'in transit' never undoes 'signed for'. Return and replacement parcels
    move on their own and never move the sub-order."""
    now = timezone.now()
    status = event.status
    if status in (
        TrackingEvent.Status.COLLECTED,
        TrackingEvent.Status.IN_TRANSIT,
        TrackingEvent.Status.OUT_FOR_DELIVERY,
    ):
        _move_along(shipment)
        return
    if not shipment.is_outbound:
        _apply_side_parcel_event(shipment=shipment, sub_order=sub_order, event=event)
        return
    if status == TrackingEvent.Status.SIGNED and can_proceed(shipment.deliver):
        was_lost = shipment.status == Shipment.Status.LOST
        if was_lost and shipment.lost_settled_at is not None:
            # Refunded as lost, then delivered after all: the parcel is the carrier's word;
            # getting the money back is for operations.
            logger.warning(
                "parcel %s of sub-order %s was refunded as lost but is now signed for",
                shipment.shipment_no,
                sub_order.sub_order_no,
            )
        shipment.deliver(at=event.occurred_at)
        fields = ["status", "delivered_at"]
        if sub_order.order.payment_method == PaymentMethod.COD:
            shipment.cod_collected_at = now
            fields.append("cod_collected_at")
        shipment.save(update_fields=fields)
        _on_parcel_signed(sub_order=sub_order)
        if shipment.intercept_requested_at is not None:
            # The carrier could not stop it: the shopper has it (after-sales asks them to send
            # it back).
            _emit_outcome(
                nodes.SHIPMENT_INTERCEPT_FAILED,
                shipment=shipment,
                sub_order=sub_order,
                at=event.occurred_at,
            )
    elif status == TrackingEvent.Status.REFUSED and can_proceed(shipment.refuse):
        _parcel_refused(
            shipment=shipment,
            sub_order=sub_order,
            note=event.description or "Refused by the recipient",
            at=event.occurred_at,
        )
    elif status == TrackingEvent.Status.LOST and can_proceed(shipment.lose):
        shipment.lose(at=now, note=event.description or "Reported lost by the carrier")
        shipment.save(update_fields=["status", "closed_at", "note"])
        # After-sales opens a lost-parcel case (SHIPMENT_LOST), refunds, then settles it here.
        logger.warning(
            "parcel %s (%s %s) of sub-order %s reported lost",
            shipment.shipment_no,
            shipment.carrier.code,
            shipment.tracking_no,
            sub_order.sub_order_no,
        )
        _on_sub_order_step(
            lambda: order_services.sub_order_hold_auto_confirm(
                sub_order_id=sub_order.pk,
                actor=SYSTEM,
                reason=f"Parcel {shipment.tracking_no} reported lost: automatic receipt on "
                "hold until it is settled",
            ),
            sub_order,
        )
        # What did arrive is delivered once nothing else is on its way.
        parcels = _parcels_of(sub_order)
        if not any(p.is_on_its_way for p in parcels) and any(
            p.status == Shipment.Status.DELIVERED for p in parcels
        ):
            _on_parcel_signed(sub_order=sub_order)
        _emit_outcome(
            nodes.SHIPMENT_LOST, shipment=shipment, sub_order=sub_order, at=event.occurred_at
        )
    elif status == TrackingEvent.Status.RETURNED:
        _on_returned_to_sender(shipment=shipment, sub_order=sub_order, event=event)


def _apply_side_parcel_event(
    *, shipment: Shipment, sub_order: SubOrder, event: TrackingEvent
) -> None:
    """A return parcel (shopper -> merchant) or a replacement parcel (merchant -> shopper):
    the parcel moves, the sub-order does not. A return parcel signed for tells after-sales
    (SHIPMENT_RETURN_SIGNED); a replacement refused and back with the sender returns its goods
    to stock like any refused parcel."""
    status = event.status
    if status == TrackingEvent.Status.SIGNED and can_proceed(shipment.deliver):
        shipment.deliver(at=event.occurred_at)
        shipment.save(update_fields=["status", "delivered_at"])
        if shipment.direction == Shipment.Direction.RETURN:
            _emit_outcome(
                nodes.SHIPMENT_RETURN_SIGNED,
                shipment=shipment,
                sub_order=sub_order,
                at=event.occurred_at,
            )
    elif status == TrackingEvent.Status.REFUSED and can_proceed(shipment.refuse):
        shipment.refuse(at=timezone.now(), note=event.description or "Refused by the recipient")
        shipment.save(update_fields=["status", "closed_at", "note"])
    elif status == TrackingEvent.Status.LOST and can_proceed(shipment.lose):
        shipment.lose(at=timezone.now(), note=event.description or "Reported lost by the carrier")
        shipment.save(update_fields=["status", "closed_at", "note"])
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
            shipment.return_to_sender(
                at=timezone.now(), note=event.description or "Returned to sender"
            )
            shipment.save(update_fields=["status", "closed_at", "note"])
        if shipment.status in (Shipment.Status.REFUSED, Shipment.Status.RETURNED):
            _parcel_back(sub_order=sub_order, shipment=shipment, actor=None, at=event.occurred_at)


def _parcel_refused(*, shipment: Shipment, sub_order: SubOrder, note: str, at) -> None:
    """An outbound parcel refused at the door: the parcel, then the sub-order (and COD's
    bookkeeping), then SHIPMENT_REFUSED for after-sales."""
    shipment.refuse(at=timezone.now(), note=note)
    shipment.save(update_fields=["status", "closed_at", "note"])
    _on_parcel_refused(sub_order=sub_order, shipment=shipment)
    _emit_outcome(nodes.SHIPMENT_REFUSED, shipment=shipment, sub_order=sub_order, at=at)


def _on_returned_to_sender(*, shipment: Shipment, sub_order: SubOrder, event: TrackingEvent):
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
            _parcel_refused(
                shipment=shipment,
                sub_order=sub_order,
                note=event.description or "Returned to sender",
                at=event.occurred_at,
            )
        else:
            _parcel_intercepted_back(
                shipment=shipment, sub_order=sub_order, note=event.description or ""
            )
    if shipment.status not in (Shipment.Status.REFUSED, Shipment.Status.RETURNED):
        logger.info(
            "parcel %s is %s: 'returned to sender' ignored", shipment.shipment_no, shipment.status
        )
        return
    _parcel_back(sub_order=sub_order, shipment=shipment, actor=None, at=event.occurred_at)


def _parcel_intercepted_back(*, shipment: Shipment, sub_order: SubOrder, note: str) -> None:
    """An intercepted parcel came back without reaching the shopper. Like a refused one, it no
    longer holds up the sub-order: what else arrived is delivered once nothing is on its way;
    when nothing arrived, the sub-order waits for after-sales (which refunds, and orders closes
    it). Cash on delivery: its lines are no longer owed, as for a refusal."""
    shipment.return_to_sender(at=timezone.now(), note=note or "Intercepted, returned to sender")
    shipment.save(update_fields=["status", "closed_at", "note"])
    if sub_order.order.payment_method == PaymentMethod.COD:
        _cod_lines_no_longer_owed(sub_order=sub_order, shipment=shipment, reason="intercepted")
    others = [p for p in _parcels_of(sub_order) if p.pk != shipment.pk]
    if not any(p.is_on_its_way for p in others) and any(
        p.status == Shipment.Status.DELIVERED for p in others
    ):
        _on_parcel_signed(sub_order=sub_order)


def _parcel_back(*, sub_order: SubOrder, shipment: Shipment, actor, at=None) -> bool:
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
            reason=f"{shipment.get_status_display()} parcel {shipment.tracking_no} back in the "
            "warehouse",
            actor=actor_for(_actor_or_none(actor) or SYSTEM),
        )
    _emit_outcome(nodes.SHIPMENT_RETURNED, shipment=shipment, sub_order=sub_order, at=at or now)
    return True


def _on_sub_order_step(call, sub_order: SubOrder) -> None:
    try:
        with transaction.atomic():
            call()
    except DomainError as error:
        # e.g. the shopper confirmed receipt before the courier's "signed" arrived.
        logger.info("sub-order %s: carrier event not applied: %s", sub_order, error.detail)


def _parcels_of(sub_order: SubOrder) -> list[Shipment]:
    """The sub-order's own (outbound) parcels, fresh from the database."""
    return list(
        Shipment.objects.filter(
            sub_order=sub_order, direction=Shipment.Direction.OUTBOUND
        ).order_by("pk")
    )


def _cod_collect_when_settled(*, sub_order: SubOrder, parcels: list[Shipment]) -> None:
    """Tell payments a cash-on-delivery sub-order's cash is settled once every parcel has an
    outcome that fixes what is owed: delivered (cash taken), refused, returned or
    lost-and-settled (their lines no longer owed). Payments' receiver of SUBORDER_COD_SETTLED
    records the sub-order's payable minus those lines (cod_collect), so the cash of a parcel
    still on its way or lost but not settled is never counted as taken."""
    if sub_order.order.payment_method != PaymentMethod.COD:
        return
    parcels = _outbound(parcels)
    if not any(p.status == Shipment.Status.DELIVERED for p in parcels):
        return
    if any(p.is_on_its_way or p.is_lost_unsettled for p in parcels):
        return
    order = sub_order.order
    emit(
        DomainEvent(
            node=nodes.SUBORDER_COD_SETTLED,
            subject_type="suborder",
            subject_id=sub_order.pk,
            shopper_id=order.user_id,
            merchant_id=sub_order.merchant_id,
            warehouse_id=sub_order.warehouse_id,
            data={
                "order_no": order.order_no,
                "sub_order_no": sub_order.sub_order_no,
                "delivered": [p.shipment_no for p in parcels if p.status == "delivered"],
            },
        )
    )


def _resume_auto_confirm_when_nothing_lost(*, sub_order: SubOrder, parcels, reason: str) -> None:
    if any(p.is_lost_unsettled for p in parcels):
        return
    _on_sub_order_step(
        lambda: order_services.sub_order_resume_auto_confirm(
            sub_order_id=sub_order.pk, actor=SYSTEM, reason=reason
        ),
        sub_order,
    )


def _on_parcel_signed(*, sub_order: SubOrder) -> None:
    """A parcel was delivered. When nothing of the sub-order is still on its way, the sub-order
    is delivered (a refused, returned or lost sibling does not stop what did arrive)."""
    parcels = _parcels_of(sub_order)
    if any(p.is_on_its_way for p in parcels):
        return  # other parcels of the sub-order are still on their way
    if sub_order.status == SubOrder.Status.SHIPPED:
        _on_sub_order_step(
            lambda: order_services.sub_order_deliver(sub_order_id=sub_order.pk, actor=SYSTEM),
            sub_order,
        )
    # A parcel reported lost may have turned up: the hold ends when no lost one is left.
    _resume_auto_confirm_when_nothing_lost(
        sub_order=sub_order, parcels=parcels, reason="No parcel is missing any more"
    )
    _cod_collect_when_settled(sub_order=sub_order, parcels=parcels)


def _parcel_units_to_settle(shipment: Shipment) -> list[tuple[OrderLine, int]]:
    """The parcel's order lines, locked in one query (by id, the lock order), each with how
    many of the parcel's units are still to settle (never more than the line has left; the
    same figures as selectors.parcel_units)."""
    quantities = dict(shipment.lines.values_list("order_line_id", "quantity"))
    lines = OrderLine.objects.select_for_update().filter(pk__in=quantities).order_by("pk")
    units = [(line, min(quantities[line.pk], _shippable_quantity(line))) for line in lines]
    return [(line, quantity) for line, quantity in units if quantity > 0]


def _cod_lines_no_longer_owed(*, sub_order: SubOrder, shipment: Shipment, reason: str) -> None:
    """Cash on delivery: the parcel's goods were never paid for, and now never will be; like a
    shortage at picking, its lines just stop being owed (no money moves)."""
    for line, quantity in _parcel_units_to_settle(shipment):
        order_services.order_line_record_refund(
            line_id=line.pk, amount=_share_for(line, quantity), quantity=quantity
        )
    logger.info("COD parcel %s: %s; its lines are no longer owed", shipment.shipment_no, reason)


def _on_parcel_refused(*, sub_order: SubOrder, shipment: Shipment) -> None:
    """The recipient refused one parcel. The sub-order closes through the refusal path only
    when nothing else of it reached the shopper or is still coming; otherwise the refusal
    stays with this parcel (its goods come back through shipment_return_received) and the
    rest goes on: a sibling already delivered or delivered later delivers the sub-order."""
    if sub_order.order.payment_method == PaymentMethod.COD:
        _cod_lines_no_longer_owed(sub_order=sub_order, shipment=shipment, reason="refused")
    others = [p for p in _parcels_of(sub_order) if p.pk != shipment.pk]
    if not any(p.is_on_its_way or p.status == Shipment.Status.DELIVERED for p in others):
        _on_sub_order_step(
            lambda: order_services.sub_order_refuse(
                sub_order_id=sub_order.pk,
                actor=SYSTEM,
                reason=f"Parcel {shipment.tracking_no} refused at delivery",
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
        _on_parcel_signed(sub_order=sub_order)


@transaction.atomic
def tracking_event_record(*, carrier_code: str, events: list[ParsedEvent]) -> TrackingResult:
    """Store a carrier's events (de-duplicated, any order) and apply what they mean.

    `carrier_code` is a Carrier.code, or an adapter key (an aggregator pushes for every
    carrier it serves). Events for parcels we do not know are counted and ignored.
    """
    carriers = list(Carrier.objects.filter(code__iexact=carrier_code))
    if not carriers:
        carriers = list(Carrier.objects.filter(adapter=carrier_code))
    result = TrackingResult()
    by_shipment: dict[int, list[ParsedEvent]] = defaultdict(list)
    shipments: dict[int, Shipment] = {}
    find_shipment = _shipment_finder(carriers=carriers, events=events)
    for event in events:
        shipment = find_shipment(event)
        if shipment is None:
            result.unknown += 1
            logger.info("tracking push for unknown parcel %s ignored", event.tracking_no)
            continue
        shipments[shipment.pk] = shipment
        by_shipment[shipment.pk].append(event)
    for shipment_id in sorted(by_shipment):
        sub_order = lock_sub_order(
            pk=shipments[shipment_id].sub_order_id, actor=None, roles=MERCHANT_ONLY
        )
        shipment = (
            Shipment.objects.select_for_update(of=("self",))
            .select_related("carrier")
            .get(pk=shipment_id)
        )
        parsed_events = sorted(by_shipment[shipment_id], key=lambda e: e.occurred_at)
        # Carriers re-send a parcel's whole history with each push: the events already stored
        # are read in one query (the parcel's lock keeps another push from adding any
        # meanwhile), not one get_or_create per event.
        seen = set(
            TrackingEvent.objects.filter(
                shipment=shipment, dedupe_key__in={p.dedupe_key for p in parsed_events}
            ).values_list("dedupe_key", flat=True)
        )
        new_events = []
        for parsed in parsed_events:
            if parsed.dedupe_key in seen:
                result.duplicates += 1
                continue
            seen.add(parsed.dedupe_key)
            new_events.append(
                TrackingEvent.objects.create(
                    shipment=shipment,
                    dedupe_key=parsed.dedupe_key,
                    status=parsed.status,
                    carrier_status=parsed.carrier_status[:32],
                    description=parsed.description or parsed.status,
                    location=parsed.location,
                    occurred_at=parsed.occurred_at,
                )
            )
            result.stored += 1
        for stored in new_events:
            _apply_final_state(shipment=shipment, sub_order=sub_order, event=stored)
        if new_events:
            latest = max(new_events, key=lambda e: (e.occurred_at, e.pk))
            _emit_shipment(
                nodes.SHIPMENT_TRACKING,
                shipment=shipment,
                sub_order=sub_order,
                extra={
                    "event_id": latest.pk,
                    "event": latest.status,
                    "status_text": latest.description,
                    "location": latest.location,
                },
            )
    return result


def tracking_push_receive(*, adapter_key: str, body: bytes, headers) -> Acknowledgement:
    """A carrier's webhook: verify, store, answer in the carrier's own format. A bad signature
    answers 403, a malformed body 400; nothing is stored then."""
    try:
        adapter = get_adapter(adapter_key)
    except LookupError:
        raise NotFound("Unknown carrier.") from None
    try:
        events = adapter.verify_and_parse(body=body, headers=headers)
    except InvalidPush as error:
        logger.warning("tracking push from %s refused: %s", adapter_key, error.detail)
        return adapter.acknowledge(
            ok=False, detail=error.detail, status=403 if error.forbidden else 400
        )
    tracking_event_record(carrier_code=adapter_key, events=events)
    return adapter.acknowledge(ok=True)


@transaction.atomic
def shipment_return_received(*, shipment_id: int, actor) -> Shipment:
    """A refused (or intercepted) parcel came back to the warehouse: its goods are sellable
    again, and after-sales hears it (SHIPMENT_RETURNED) and refunds. Once per parcel
    (idempotent). An intercepted parcel still on its way that the merchant has in hand (no
    carrier scan said so) is returned to sender first."""
    sub_order, _, shipment = _lock_parcel(shipment_id=shipment_id, actor=actor)
    if shipment.returned_at is not None:
        return shipment
    if shipment.direction == Shipment.Direction.RETURN:
        raise TransitionNotAllowed(
            "A shopper's return parcel is received through after-sales.",
            extra={"status": shipment.status},
        )
    if shipment.is_on_its_way and shipment.intercept_requested_at is not None:
        if shipment.is_outbound:
            _parcel_intercepted_back(
                shipment=shipment, sub_order=sub_order, note="Intercepted, back in the warehouse"
            )
        else:
            shipment.return_to_sender(at=timezone.now(), note="Intercepted, back in the warehouse")
            shipment.save(update_fields=["status", "closed_at", "note"])
    if shipment.status not in (Shipment.Status.REFUSED, Shipment.Status.RETURNED):
        raise TransitionNotAllowed(
            f"Only a refused parcel can come back (this one is "
            f"{shipment.get_status_display().lower()}).",
            extra={"status": shipment.status},
        )
    _parcel_back(sub_order=sub_order, shipment=shipment, actor=actor)
    return shipment


@transaction.atomic
def shipment_intercept(*, shipment_id: int, actor) -> Shipment:
    """Ask the carrier to bring a parcel on its way back to the sender (拦截), for a refund
    before delivery. The carrier then reports it returning and back with the sender
    (SHIPMENT_RETURNED through the returned path), or delivers it all the same
    (SHIPMENT_INTERCEPT_FAILED). Asking again changes nothing."""
    sub_order, _, shipment = _lock_parcel(shipment_id=shipment_id, actor=actor)
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
        logger.info(
            "parcel %s (%s %s) of sub-order %s: intercept requested",
            shipment.shipment_no,
            shipment.carrier.code if shipment.carrier_id else "-",
            shipment.tracking_no,
            sub_order.sub_order_no,
        )
    return shipment


# --- lost parcels and cash on delivery -----------------------------------------------------------


def _require_operations(actor) -> None:
    """Recording cash by hand is for platform operations (or the system)."""
    if actor is None or not getattr(actor, "pk", None):
        return
    if not is_platform_staff(actor):
        raise NotFound("Parcel not found.")


@transaction.atomic
def shipment_lost_settled(*, shipment_id: int, actor) -> Shipment:
    """After-sales settled a parcel the carrier lost: it refunded its goods (cash on delivery:
    recorded them as no longer owed) before calling this. The parcel is marked settled, then
    the sub-order closes when nothing of it reached the shopper or is still coming, else its
    automatic receipt (held when the parcel was lost) runs again and a cash-on-delivery
    sub-order's cash of what was delivered is recorded. No money or line bookkeeping here.
    Idempotent."""
    sub_order, parcels, shipment = _lock_parcel(shipment_id=shipment_id, actor=actor)
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
    if not shipment.is_outbound:
        return shipment
    settled = f"Parcel {shipment.tracking_no} lost: settled through after-sales"[:255]
    others = [p for p in _outbound(parcels) if p.pk != shipment.pk]
    if sub_order.status == SubOrder.Status.RECEIVED:
        if _units_not_refunded(sub_order) <= 0:
            order_services.sub_order_close_lost(
                sub_order_id=sub_order.pk,
                actor=actor_for(actor) if actor is not None else SYSTEM,
                reason=settled,
            )
    elif sub_order.status in (SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED):
        if not any(p.is_on_its_way or p.status == Shipment.Status.DELIVERED for p in others):
            order_services.sub_order_close_lost(
                sub_order_id=sub_order.pk,
                actor=actor_for(actor) if actor is not None else SYSTEM,
                reason=settled,
            )
        else:
            if not any(p.is_lost_unsettled for p in others):
                order_services.sub_order_resume_auto_confirm(
                    sub_order_id=sub_order.pk,
                    actor=actor_for(actor) if actor is not None else SYSTEM,
                    reason=settled,
                )
            fresh = SubOrder.objects.select_related("order").get(pk=sub_order.pk)
            _cod_collect_when_settled(sub_order=fresh, parcels=[*others, shipment])
    return shipment


@transaction.atomic
def shipment_cod_collect(*, shipment_id: int, actor) -> Shipment:
    """Operations record that the courier handed over the cash for a cash-on-delivery parcel,
    for carriers that never push "signed for" (a courier without Kuaidi100 keys). Cash taken
    at the door means the parcel was handed over, so it is delivered as a signing would; the
    sub-order's cash is recorded (SUBORDER_COD_SETTLED, payments' cod_collect) as soon as none
    of its parcels is still on its way or lost unsettled (else only what arrived would not be
    known yet). Idempotent."""
    _require_operations(actor)
    sub_order, parcels, shipment = _lock_parcel(shipment_id=shipment_id, actor=actor)
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
        fields = ["cod_collected_at"]
        if can_proceed(shipment.deliver):
            shipment.deliver(at=now)
            fields += ["status", "delivered_at"]
        shipment.cod_collected_at = shipment.cod_collected_at or now
        shipment.save(update_fields=fields)
    _on_parcel_signed(sub_order=sub_order)
    return shipment


# --- shortages at picking and unpacking ----------------------------------------------------------


def _share_for(line: OrderLine, quantity: int) -> Decimal:
    """The paid share of `quantity` units of the line: the rest of what it paid when they are
    its last units, else a proportional part; never more than is left to refund."""
    left = line.paid_amount - line.refunded_amount
    if quantity >= _shippable_quantity(line):
        return max(left, ZERO)
    return min(to_money(line.paid_amount * quantity / line.quantity), left)


def _shortage_checked(
    *, line_id: int, quantity: int, actor, refund_recorded: bool = False
) -> tuple[SubOrder, list, OrderLine]:
    """The checks of a shortage at picking, on the locked order, sub-order, parcels and line.
    `refund_recorded`: the caller already recorded these units' refund on the line, so they
    count as still to ship here (and must be among the refunded ones)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidInput("Quantity must be at least 1.", code="invalid_quantity")
    line_ids = OrderLine.objects.filter(pk=line_id).values_list("sub_order_id", flat=True)
    if not line_ids or line_ids[0] is None:
        raise NotFound("Order line not found.")
    sub_order = lock_sub_order(pk=line_ids[0], actor=actor, roles=MERCHANT_ONLY)
    if sub_order.status != SubOrder.Status.AWAITING_SHIPMENT:
        raise TransitionNotAllowed(
            f"Only sub-orders awaiting shipment can be short "
            f"(this one is {sub_order.get_status_display().lower()}).",
            extra={"status": sub_order.status},
        )
    shipments = _outbound(_lock_shipments(sub_order))
    if any(s.is_shipped for s in shipments):
        raise Conflict("A parcel has shipped already: use after-sales instead.", code="shipped")
    line = OrderLine.objects.select_for_update().get(pk=line_id)
    left = _shippable_quantity(line)
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
def line_shortage_check(*, line_id: int, quantity: int, actor) -> OrderLine:
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
    actor,
    refund_amount: Decimal,
    refund_reference: str,
) -> ShortageRecord:
    """Staff could not find `quantity` units of a line at picking. After-sales has refunded
    them (or recorded them as no longer owed) through orders/payments BEFORE this call; here
    their reservation is released, packed parcels are unpacked, the shortage is recorded with
    the refund after-sales made, and the sub-order closes as out of stock when nothing is left
    to ship (else the shopper is told of the partial shortage). No money moves here."""
    reason = (reason or "").strip()[:255]
    if not reason:
        raise InvalidInput("Give the reason the shopper will read.", code="reason_required")
    sub_order, shipments, line = _shortage_checked(
        line_id=line_id, quantity=quantity, actor=actor, refund_recorded=True
    )
    order = sub_order.order
    note = f"Out of stock at picking: {reason}"
    amount = to_money(Decimal(refund_amount or 0))
    stock_release(
        sku_id=line.sku_id,
        warehouse_id=line.warehouse_id,
        quantity=quantity,
        order_no=order.order_no,
        reason=note[:255],
        actor=actor_for(_actor_or_none(actor) or SYSTEM),
    )
    shortage = ShortageRecord.objects.create(
        order_line=line,
        sub_order=sub_order,
        quantity=quantity,
        reason=reason,
        staff=_actor_or_none(actor),
        refund_amount=amount,
        refund_reference=(refund_reference or "")[:64],
    )
    # Packed parcels no longer match what is left: they are packed again when shipping.
    _delete_packed(shipments)
    if _units_not_refunded(sub_order) <= 0:
        # orders.services writes the OrderEvent and emits SUBORDER_OUT_OF_STOCK itself.
        order_services.sub_order_close_out_of_stock(
            sub_order_id=sub_order.pk,
            actor=actor_for(actor) if actor is not None else SYSTEM,
            reason=note,
        )
    else:
        emit(
            DomainEvent(
                node=nodes.SUBORDER_OUT_OF_STOCK,
                subject_type="suborder",
                subject_id=sub_order.pk,
                shopper_id=order.user_id,
                merchant_id=sub_order.merchant_id,
                warehouse_id=sub_order.warehouse_id,
                data={
                    "order_no": order.order_no,
                    "sub_order_no": sub_order.sub_order_no,
                    "phone": order.phone,
                    "product": line.product_title,
                    "quantity": quantity,
                    "amount": str(amount),
                    "reason": reason,
                    "status": sub_order.status,
                    "shortage_id": shortage.pk,
                    "path": order_path(order),
                },
            )
        )
    return shortage


@transaction.atomic
def sub_order_unpack(*, sub_order_id: int, actor) -> int:
    """Remove a sub-order's packed parcels (none may have shipped: Conflict "shipped"), e.g.
    before after-sales refunds it ahead of shipment. Returns how many were removed."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor, roles=MERCHANT_ONLY)
    shipments = _outbound(_lock_shipments(sub_order))
    if any(s.is_shipped for s in shipments):
        raise Conflict("A parcel of this sub-order has shipped already.", code="shipped")
    _delete_packed(shipments)
    return len(shipments)


# --- return and replacement parcels (after-sales) ------------------------------------------------


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


def _tracking_no_free(carrier: Carrier, tracking_no: str) -> None:
    if Shipment.objects.filter(carrier=carrier, tracking_no=tracking_no).exists():
        raise Conflict(
            f"Tracking number {tracking_no} is already used by another parcel.",
            code="tracking_no_taken",
        )


def _create_shipped_side_parcel(
    *,
    sub_order: SubOrder,
    direction: str,
    carrier: Carrier,
    tracking_no: str,
    units: list[tuple[OrderLine, int]],
    actor,
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
    shipment.ship(
        carrier=carrier, tracking_no=tracking_no, at=timezone.now(), actor=_actor_or_none(actor)
    )
    try:
        with transaction.atomic():
            shipment.save()
    except IntegrityError:
        raise Conflict(
            f"Tracking number {tracking_no} is already used by another parcel.",
            code="tracking_no_taken",
        ) from None
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line=line, quantity=quantity)
        for line, quantity in units
    )
    from .tasks import shipment_start_tracking

    send_after_commit(shipment_start_tracking, shipment.pk, swept_by="sweep_untracked_shipments")
    return shipment


@transaction.atomic
def return_shipment_register(
    *,
    sub_order_id: int,
    carrier_code: str,
    tracking_no: str,
    lines: list[tuple[int, int]],
    actor,
) -> Shipment:
    """The shopper's parcel back to the merchant (an after-sales return or exchange): its
    tracking number is checked as any parcel's (the carrier's pattern, unique per carrier); it
    is shipped at once and tracked like an outbound parcel, never moves the sub-order, and its
    "signed for" emits SHIPMENT_RETURN_SIGNED."""
    carrier = _carrier(carrier_code)
    tracking_no = _validated_tracking_no(carrier, tracking_no)
    sub_order = lock_sub_order(
        pk=sub_order_id, actor=None if _is_shopper(actor) else actor, roles=MERCHANT_ONLY
    )
    if _is_shopper(actor) and sub_order.order.user_id != actor.pk:
        raise NotFound("Sub-order not found.")
    _lock_shipments(sub_order)
    units = _side_parcel_lines(sub_order=sub_order, lines=lines)
    _tracking_no_free(carrier, tracking_no)
    return _create_shipped_side_parcel(
        sub_order=sub_order,
        direction=Shipment.Direction.RETURN,
        carrier=carrier,
        tracking_no=tracking_no,
        units=units,
        actor=actor,
    )


def _is_shopper(actor) -> bool:
    """A signed-in shopper (not staff): they reach their own orders only."""
    return bool(getattr(actor, "pk", None)) and not getattr(actor, "is_staff", False)


@transaction.atomic
def replacement_shipment_ship(
    *,
    sub_order_id: int,
    lines: list[tuple[int, int]],
    carrier_code: str,
    tracking_no: str,
    actor,
) -> Shipment:
    """An exchange's new parcel from the merchant: the units are allocated (the sub-order's
    warehouse region first) and consumed at once through catalog's stock service, OutOfStock
    when there are not enough (nothing written). Tracked like any parcel; never moves the
    sub-order."""
    carrier = _carrier(carrier_code)
    tracking_no = _validated_tracking_no(carrier, tracking_no)
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor, roles=MERCHANT_ONLY)
    _lock_shipments(sub_order)
    units = _side_parcel_lines(sub_order=sub_order, lines=lines)
    _tracking_no_free(carrier, tracking_no)
    order = sub_order.order
    region = sub_order.warehouse.region if sub_order.warehouse_id else ""
    # A savepoint: OutOfStock leaves no allocation behind even if the caller carries on.
    with transaction.atomic():
        allocations = stock_allocate(
            lines=[(line.sku_id, quantity) for line, quantity in units],
            region=region,
            order_no=order.order_no,
            actor=actor_for(_actor_or_none(actor) or SYSTEM),
        )
        for allocation in sorted(allocations, key=lambda a: (a.sku_id, a.warehouse_id)):
            stock_consume(
                sku_id=allocation.sku_id,
                warehouse_id=allocation.warehouse_id,
                quantity=allocation.quantity,
                order_no=order.order_no,
                actor=actor_for(_actor_or_none(actor) or SYSTEM),
            )
    shipment = _create_shipped_side_parcel(
        sub_order=sub_order,
        direction=Shipment.Direction.REPLACEMENT,
        carrier=carrier,
        tracking_no=tracking_no,
        units=units,
        actor=actor,
    )
    _emit_shipment(nodes.SHIPMENT_SHIPPED, shipment=shipment, sub_order=sub_order)
    return shipment
