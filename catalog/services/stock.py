"""The only code that changes stock. Every change writes a StockMove in the same transaction, so
on_hand and allocated always equal the sums of the ledger, each naming its actor (the user it
records, or none for the system).

Concurrency: allocation at checkout (`stock_plan_allocation` + `stock_allocate_planned`) plans
from an unlocked read, writes the ledger rows, and takes the stock with a conditional UPDATE as
the very last statement before COMMIT, so a hot SKU's row lock is held for one statement, not
for the whole order. Other allocations (`stock_allocate`) lock all stock rows of a SKU
(`SELECT ... FOR UPDATE`, ordered by pk). Both handle an order's SKUs in ascending SKU id (then
row pk), so two orders always take locks in the same order and cannot deadlock; the check
constraints on StockRecord are the last line of defence.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from catalog.actors import Actor
from catalog.models import SKU, StockMove, StockRecord, Warehouse
from catalog.services.catalogue_version import catalogue_version_bump
from shop.errors import InvalidInput, OutOfStock


@dataclass(frozen=True)
class Allocation:
    sku_id: int
    warehouse_id: int
    quantity: int
    stock_record_id: int | None = None


class StockPlanStale(Exception):
    """The warehouse a plan chose ran short meanwhile, but another still has the stock: plan
    again (the caller's transaction is rolled back and retried)."""


def _forget_flash_gate_on_commit(sku_id: int) -> None:
    """Sellable stock of `sku_id` changed outside the checkout path: a flash-sale admission
    counter mirroring it is dropped after commit and rebuilt from the database."""
    from catalog.services import flash_gate, flash_sales

    if flash_sales.running_flash_sale(sku_id=sku_id) is not None:
        transaction.on_commit(lambda: flash_gate.gate_forget(sku_id=sku_id))


def _record_move(
    *,
    record: StockRecord,
    kind: str,
    on_hand_delta: int = 0,
    allocated_delta: int = 0,
    reason: str = "",
    order_no: str = "",
    actor: Actor,
) -> StockMove:
    return StockMove.objects.create(
        sku_id=record.sku_id,
        warehouse_id=record.warehouse_id,
        kind=kind,
        on_hand_delta=on_hand_delta,
        allocated_delta=allocated_delta,
        reason=reason[:255],
        order_no=order_no,
        actor=actor.user,
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
    *, lines: list[tuple[int, int]], region: str, order_no: str, actor: Actor
) -> list[Allocation]:
    """Reserve stock for an order's lines [(sku_id, quantity)]; all or nothing.

    Raises OutOfStock (naming the SKU) when any line cannot be covered.
    """
    wanted = _wanted(lines)
    allocations: list[Allocation] = []
    for sku_id in sorted(wanted):
        quantity = wanted[sku_id]
        records = _locked_records(sku_id)
        plan = _plan_allocation(records, quantity, region)
        if not plan:
            sellable = sum(max(r.sellable, 0) for r in records)
            raise _out_of_stock(sku_id, sellable, quantity)
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
            allocations.append(Allocation(sku_id, record.warehouse_id, take, record.pk))
        _forget_flash_gate_on_commit(sku_id)
    return allocations


def _wanted(lines: list[tuple[int, int]]) -> dict[int, int]:
    wanted: dict[int, int] = {}
    for sku_id, quantity in lines:
        if quantity <= 0:
            raise InvalidInput("Quantity must be at least 1.", code="invalid_quantity")
        wanted[sku_id] = wanted.get(sku_id, 0) + quantity
    return wanted


def _out_of_stock(sku_id: int, sellable: int, quantity: int) -> OutOfStock:
    return OutOfStock(
        _("Not enough stock: %(available)d left, %(wanted)d wanted.")
        % {"available": sellable, "wanted": quantity},
        extra={"sku_id": sku_id, "available": sellable},
    )


def stock_plan_allocation(*, lines: list[tuple[int, int]], region: str) -> list[Allocation]:
    """Which warehouses would serve an order's lines [(sku_id, quantity)], from one unlocked
    read of their stock rows (the same choice as stock_allocate). Raises OutOfStock when the
    committed stock already cannot cover a line. Writes nothing; stock_allocate_planned takes
    the stock."""
    wanted = _wanted(lines)
    by_sku: dict[int, list[StockRecord]] = defaultdict(list)
    for record in (
        StockRecord.objects.filter(sku_id__in=wanted, warehouse__is_active=True)
        .select_related("warehouse")
        .order_by("pk")
    ):
        by_sku[record.sku_id].append(record)
    allocations: list[Allocation] = []
    for sku_id in sorted(wanted):
        records = by_sku[sku_id]
        plan = _plan_allocation(records, wanted[sku_id], region)
        if not plan:
            sellable = sum(max(r.sellable, 0) for r in records)
            raise _out_of_stock(sku_id, sellable, wanted[sku_id])
        allocations += [Allocation(sku_id, r.warehouse_id, take, r.pk) for r, take in plan]
    return allocations


def allocation_moves(
    *, allocations: list[Allocation], order_no: str, actor: Actor
) -> list[StockMove]:
    """The ledger rows of the stock an order takes at creation, unsaved."""
    return [
        StockMove(
            sku_id=part.sku_id,
            warehouse_id=part.warehouse_id,
            kind=StockMove.Kind.ALLOCATE,
            allocated_delta=part.quantity,
            reason="Allocated at order creation",
            order_no=order_no,
            actor=actor.user,
        )
        for part in allocations
    ]


def stock_allocate_planned(
    *, allocations: list[Allocation], order_no: str, actor: Actor
) -> list[StockMove]:
    """Reserve the planned stock, in the caller's transaction: the ledger rows in one insert,
    then one conditional UPDATE per stock row (SKU id, then row pk: the global lock order), the
    caller's last statements before COMMIT. A row that no longer covers its part raises
    OutOfStock, or StockPlanStale when the SKU's other warehouses still could; either way the
    caller's transaction must roll back (the ledger rows go with it)."""
    moves = StockMove.objects.bulk_create(
        allocation_moves(allocations=allocations, order_no=order_no, actor=actor)
    )
    for part in sorted(allocations, key=lambda part: (part.sku_id, part.stock_record_id)):
        taken = StockRecord.objects.filter(
            pk=part.stock_record_id, on_hand__gte=F("allocated") + part.quantity
        ).update(allocated=F("allocated") + part.quantity)
        if not taken:
            wanted = sum(p.quantity for p in allocations if p.sku_id == part.sku_id)
            sellable = sum(
                max(r.sellable, 0)
                for r in StockRecord.objects.filter(sku_id=part.sku_id, warehouse__is_active=True)
            )
            if sellable >= wanted:
                raise StockPlanStale(part.sku_id)
            raise _out_of_stock(part.sku_id, sellable, wanted)
    return moves


def _change(
    *,
    sku_id: int,
    warehouse_id: int,
    kind: str,
    on_hand_delta: int,
    allocated_delta: int,
    reason: str,
    order_no: str,
    actor: Actor,
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
    if on_hand_delta != allocated_delta:  # sellable changed (shipping changes neither)
        _forget_flash_gate_on_commit(sku_id)
    return record


@transaction.atomic
def stock_release(
    *, sku_id: int, warehouse_id: int, quantity: int, order_no: str, reason: str, actor: Actor
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
    *, sku_id: int, warehouse_id: int, quantity: int, order_no: str, actor: Actor
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
    *, sku_id: int, warehouse_id: int, quantity: int, order_no: str, reason: str, actor: Actor
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
    actor: Actor,
    kind: str = StockMove.Kind.ADJUST,
) -> StockRecord:
    """A manual correction or an import: changes on_hand, creating the record if needed."""
    if sku.product.merchant_id != warehouse.merchant_id:
        raise InvalidInput("A SKU can only be stocked in its own merchant's warehouse.")
    StockRecord.objects.get_or_create(sku=sku, warehouse=warehouse)
    catalogue_version_bump()
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
    actor: Actor,
    kind: str = StockMove.Kind.ADJUST,
) -> StockRecord:
    """Set on_hand to a counted figure (admin edit, import): records the difference."""
    if on_hand < 0:
        raise InvalidInput("Stock on hand cannot be negative.", code="invalid_quantity")
    if sku.product.merchant_id != warehouse.merchant_id:
        raise InvalidInput("A SKU can only be stocked in its own merchant's warehouse.")
    record, _created = StockRecord.objects.get_or_create(sku=sku, warehouse=warehouse)
    record = StockRecord.objects.select_for_update().get(pk=record.pk)
    delta = on_hand - record.on_hand
    if delta == 0:
        return record
    return stock_adjust(
        sku=sku, warehouse=warehouse, on_hand_delta=delta, reason=reason, actor=actor, kind=kind
    )
