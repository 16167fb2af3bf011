"""Stock reads: what a SKU or product can still sell, and the ledger's consistency check."""

import logging

from django.db.models import (
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from catalog.models import (
    SKU,
    StockMove,
    StockRecord,
)

logger = logging.getLogger(__name__)


def stock_ledger_mismatches() -> list[dict]:
    """Stock records whose on_hand/allocated differ from the sums of their StockMoves."""
    moves = StockMove.objects.filter(
        sku_id=OuterRef("sku_id"), warehouse_id=OuterRef("warehouse_id")
    )
    ledger_on_hand = moves.values("sku_id").annotate(total=Sum("on_hand_delta")).values("total")
    ledger_allocated = moves.values("sku_id").annotate(total=Sum("allocated_delta")).values("total")
    zero = Value(0, output_field=IntegerField())
    rows = StockRecord.objects.annotate(
        ledger_on_hand=Coalesce(Subquery(ledger_on_hand, output_field=IntegerField()), zero),
        ledger_allocated=Coalesce(Subquery(ledger_allocated, output_field=IntegerField()), zero),
    ).values("sku_id", "warehouse_id", "on_hand", "allocated", "ledger_on_hand", "ledger_allocated")
    return [
        row
        for row in rows
        if row["on_hand"] != row["ledger_on_hand"] or row["allocated"] != row["ledger_allocated"]
    ]


# --- Stock --------------------------------------------------------------------------------


def _sellable_sum(records: QuerySet, group_by: str) -> Coalesce:
    total = (
        records.filter(warehouse__is_active=True)
        .values(group_by)
        .annotate(total=Sum(F("on_hand") - F("allocated")))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=IntegerField()), Value(0, output_field=IntegerField())
    )


def sku_sellable_expression() -> Coalesce:
    """Sellable stock of the SKU in the outer query: on_hand - allocated over active
    warehouses."""
    return _sellable_sum(StockRecord.objects.filter(sku_id=OuterRef("pk")), "sku_id")


def product_sellable_expression() -> Coalesce:
    """Sellable stock of the product in the outer query, over its active SKUs."""
    return _sellable_sum(
        StockRecord.objects.filter(sku__product_id=OuterRef("pk"), sku__is_active=True),
        "sku__product_id",
    )


def sku_is_sold(sku: SKU) -> bool:
    """Whether a shopper may buy the SKU: it, its product and its merchant are all active
    (expects `product__merchant` loaded)."""
    product = sku.product
    return sku.is_active and product.is_active and product.merchant.is_active


def sku_sellable(sku_id: int) -> int:
    """Sellable stock of one SKU (one query)."""
    total = StockRecord.objects.filter(sku_id=sku_id, warehouse__is_active=True).aggregate(
        total=Sum(F("on_hand") - F("allocated"))
    )["total"]
    return max(total or 0, 0)
