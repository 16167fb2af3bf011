"""Read queries of the catalogue, shared by storefront pages, the API and the admin."""

from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from catalog.models import StockMove, StockRecord


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
