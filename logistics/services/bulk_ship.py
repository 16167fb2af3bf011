"""Shipping many parcels from an import (rows read by logistics.ship_import): all or nothing,
like the catalogue import."""

from collections import defaultdict
from dataclasses import dataclass, replace

from django.db import transaction

from catalog.actors import Actor
from orders.models import SubOrder
from shop.errors import DomainError, InvalidInput, NotFound

from .. import wording
from ..models import Shipment
from .shipping import sub_order_ship_next_parcel


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


class _RollBack(Exception):
    pass


def _bulk_sub_order_no(number: str, *, actor: Actor) -> str:
    """The order column takes a sub-order number (S...) or the parent order's number (O...)
    when that order has exactly one sub-order the actor ships (a merchant sees its own)."""
    if SubOrder.objects.filter(sub_order_no=number).exists():
        return number
    sub_orders = SubOrder.objects.filter(order__order_no=number)
    if not actor.sees_everything:
        sub_orders = sub_orders.filter(merchant_id=actor.merchant_id)
    numbers = list(sub_orders.order_by("pk").values_list("sub_order_no", flat=True)[:10])
    if not numbers:
        raise NotFound("Sub-order not found.")
    if len(numbers) > 1:
        raise InvalidInput(
            wording.bulk_ambiguous_order(number=number, sub_order_nos=numbers),
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
            row = replace(row, note=wording.bulk_still_packed(total=total, packed=packed))
        rows.append(row)
    return rows


def shipments_bulk_ship(*, rows: list[dict], actor: Actor) -> BulkShipReport:
    """Ship many parcels from an import: all or nothing.

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
                    message = wording.bulk_row_shipped(
                        shipment_no=shipment.shipment_no, given=sub_order_no, resolved=resolved
                    )
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
