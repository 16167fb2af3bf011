"""The only code that changes stock. Every change writes a StockMove in the same transaction, so
on_hand and allocated always equal the sums of the ledger.

Concurrency: allocation locks all stock rows of a SKU (`SELECT ... FOR UPDATE`, ordered by pk)
and handles an order's SKUs in ascending SKU id, so two orders always take locks in the same
order and cannot deadlock; the check constraints on StockRecord are the last line of defence.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from catalog.models import SKU, StockMove, StockRecord, Warehouse
from shop.errors import InvalidInput, OutOfStock


@dataclass(frozen=True)
class Allocation:
    sku_id: int
    warehouse_id: int
    quantity: int


def _record_move(
    *,
    record: StockRecord,
    kind: str,
    on_hand_delta: int = 0,
    allocated_delta: int = 0,
    reason: str = "",
    order_no: str = "",
    actor=None,
) -> StockMove:
    return StockMove.objects.create(
        sku_id=record.sku_id,
        warehouse_id=record.warehouse_id,
        kind=kind,
        on_hand_delta=on_hand_delta,
        allocated_delta=allocated_delta,
        reason=reason[:255],
        order_no=order_no,
        actor=actor if getattr(actor, "pk", None) else None,
    )


def _locked_records(sku_id: int):
    # of=("self",): only the stock rows. Without it PostgreSQL also locks the joined warehouse
    # rows, so two checkouts of different SKUs in the same warehouses queue behind each other
    # and can deadlock (the global lock order is by SKU, not by warehouse).
    return list(
        StockRecord.objects.select_for_update(of=("self",))
        .filter(sku_id=sku_id, warehouse__is_active=True)
        .select_related("warehouse")
        .order_by("pk")
    )


def _plan_allocation(records: list[StockRecord], quantity: int, region: str) -> list[tuple]:
    """Which warehouses serve `quantity`: one in the destination region that covers it all,
    else any one that covers it all (most stock first), else split, most stock first."""
    in_region = [r for r in records if r.warehouse.region == region and r.sellable >= quantity]
    if in_region:
        best = max(in_region, key=lambda r: (r.sellable, -r.pk))
        return [(best, quantity)]
    by_sellable = sorted(records, key=lambda r: (-r.sellable, r.pk))
    if by_sellable and by_sellable[0].sellable >= quantity:
        return [(by_sellable[0], quantity)]
    plan, remaining = [], quantity
    for record in by_sellable:
        if remaining == 0:
            break
        take = min(record.sellable, remaining)
        if take > 0:
            plan.append((record, take))
            remaining -= take
    if remaining:
        return []
    return plan


@transaction.atomic
def stock_allocate(
    *, lines: list[tuple[int, int]], region: str, order_no: str, actor=None
) -> list[Allocation]:
    """Reserve stock for an order's lines [(sku_id, quantity)]; all or nothing.

    Raises OutOfStock (naming the SKU) when any line cannot be covered.
    """
    wanted: dict[int, int] = {}
    for sku_id, quantity in lines:
        if quantity <= 0:
            raise InvalidInput("Quantity must be at least 1.", code="invalid_quantity")
        wanted[sku_id] = wanted.get(sku_id, 0) + quantity

    allocations: list[Allocation] = []
    for sku_id in sorted(wanted):
        quantity = wanted[sku_id]
        records = _locked_records(sku_id)
        plan = _plan_allocation(records, quantity, region)
        if not plan:
            sellable = sum(max(r.sellable, 0) for r in records)
            raise OutOfStock(
                f"Not enough stock for SKU {sku_id}: {sellable} available, {quantity} wanted.",
                extra={"sku_id": sku_id, "available": sellable},
            )
        for record, take in plan:
            StockRecord.objects.filter(pk=record.pk).update(allocated=F("allocated") + take)
            _record_move(
                record=record,
                kind=StockMove.Kind.ALLOCATE,
                allocated_delta=take,
                reason="Allocated at order creation",
                order_no=order_no,
                actor=actor,
            )
            allocations.append(Allocation(sku_id, record.warehouse_id, take))
    return allocations


def _change(
    *,
    sku_id: int,
    warehouse_id: int,
    kind: str,
    on_hand_delta: int,
    allocated_delta: int,
    reason: str,
    order_no: str,
    actor,
) -> StockRecord:
    record = StockRecord.objects.select_for_update().get(sku_id=sku_id, warehouse_id=warehouse_id)
    if record.on_hand + on_hand_delta < record.allocated + allocated_delta:
        raise OutOfStock(
            f"Stock of SKU {sku_id} in warehouse {warehouse_id} would go below what is "
            f"allocated ({record.allocated}).",
            extra={"sku_id": sku_id, "available": record.sellable},
        )
    if record.allocated + allocated_delta < 0:
        raise InvalidInput("Cannot release more than is allocated.", code="invalid_quantity")
    StockRecord.objects.filter(pk=record.pk).update(
        on_hand=F("on_hand") + on_hand_delta, allocated=F("allocated") + allocated_delta
    )
    _record_move(
        record=record,
        kind=kind,
        on_hand_delta=on_hand_delta,
        allocated_delta=allocated_delta,
        reason=reason,
        order_no=order_no,
        actor=actor,
    )
    record.refresh_from_db(fields=["on_hand", "allocated"])
    return record


@transaction.atomic
def stock_release(
    *, sku_id: int, warehouse_id: int, quantity: int, order_no: str, reason: str, actor=None
) -> StockRecord:
    """Give allocated stock back to sellable (order cancelled, expired, failed, refunded
    before shipment)."""
    return _change(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        kind=StockMove.Kind.RELEASE,
        on_hand_delta=0,
        allocated_delta=-quantity,
        reason=reason,
        order_no=order_no,
        actor=actor,
    )


@transaction.atomic
def stock_consume(
    *, sku_id: int, warehouse_id: int, quantity: int, order_no: str, actor=None
) -> StockRecord:
    """Allocated stock leaves the warehouse at shipment."""
    return _change(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        kind=StockMove.Kind.CONSUME,
        on_hand_delta=-quantity,
        allocated_delta=-quantity,
        reason="Shipped",
        order_no=order_no,
        actor=actor,
    )


@transaction.atomic
def stock_return(
    *, sku_id: int, warehouse_id: int, quantity: int, order_no: str, reason: str, actor=None
) -> StockRecord:
    """Goods came back (a return received) and are sellable again."""
    return _change(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        kind=StockMove.Kind.RETURN,
        on_hand_delta=quantity,
        allocated_delta=0,
        reason=reason,
        order_no=order_no,
        actor=actor,
    )


@transaction.atomic
def stock_adjust(
    *,
    sku: SKU,
    warehouse: Warehouse,
    on_hand_delta: int,
    reason: str,
    actor=None,
    kind: str = StockMove.Kind.ADJUST,
) -> StockRecord:
    """A manual correction or an import: changes on_hand, creating the record if needed."""
    if sku.product.merchant_id != warehouse.merchant_id:
        raise InvalidInput("A SKU can only be stocked in its own merchant's warehouse.")
    StockRecord.objects.get_or_create(sku=sku, warehouse=warehouse)
    return _change(
        sku_id=sku.pk,
        warehouse_id=warehouse.pk,
        kind=kind,
        on_hand_delta=on_hand_delta,
        allocated_delta=0,
        reason=reason,
        order_no="",
        actor=actor,
    )


@transaction.atomic
def stock_set_on_hand(
    *,
    sku: SKU,
    warehouse: Warehouse,
    on_hand: int,
    reason: str,
    actor=None,
    kind: str = StockMove.Kind.ADJUST,
) -> StockRecord:
    """Set on_hand to a counted figure (admin edit, import): records the difference."""
    if on_hand < 0:
        raise InvalidInput("Stock on hand cannot be negative.", code="invalid_quantity")
    if sku.product.merchant_id != warehouse.merchant_id:
        raise InvalidInput("A SKU can only be stocked in its own merchant's warehouse.")
    record, _ = StockRecord.objects.get_or_create(sku=sku, warehouse=warehouse)
    record = StockRecord.objects.select_for_update().get(pk=record.pk)
    delta = on_hand - record.on_hand
    if delta == 0:
        return record
    return stock_adjust(
        sku=sku, warehouse=warehouse, on_hand_delta=delta, reason=reason, actor=actor, kind=kind
    )
