"""Flash sales (秒杀): which are running, and the per-shopper limit.

Which sales run is read on every order attempt, so it is one query per process every
RUNNING_CACHE_SECONDS (all sales running now or starting within that time), not one per attempt.
Saving or deleting a FlashSale clears this process's copy at once (catalog.signals); other
processes see an edit within RUNNING_CACHE_SECONDS.

The per-shopper limit is one conditional upsert of the shopper's FlashSalePurchase row: two
attempts of one shopper (two tabs, a retrying app) serialise on that row, so together they can
never pass the limit; shoppers do not wait for each other.
"""

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from catalog.models import FlashSale, FlashSalePurchase
from shop.errors import Conflict

RUNNING_CACHE_SECONDS = 5


@dataclass(frozen=True)
class RunningSale:
    id: int
    sku_id: int
    price: Decimal
    starts_at: datetime
    ends_at: datetime
    per_shopper_limit: int

    def runs_at(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


class FlashSaleLimitReached(Conflict):
    default_code = "flash_sale_limit"


_lock = threading.Lock()
_cache: dict = {"loaded_at": None, "by_sku": {}, "generation": 0}


def flash_sales_forget() -> None:
    """Read the running sales again on the next call; copies derived from them (checkout
    pricing's) compare `flash_sales_generation()` and are read again too."""
    with _lock:
        _cache["loaded_at"] = None
        _cache["generation"] += 1


def flash_sales_generation() -> int:
    return _cache["generation"]


def _running_by_sku(at: datetime) -> dict[int, list[RunningSale]]:
    with _lock:
        loaded_at = _cache["loaded_at"]
        if loaded_at is not None and loaded_at <= at < loaded_at + timedelta(
            seconds=RUNNING_CACHE_SECONDS
        ):
            return _cache["by_sku"]
    horizon = at + timedelta(seconds=RUNNING_CACHE_SECONDS)
    by_sku: dict[int, list[RunningSale]] = {}
    for sale in FlashSale.objects.filter(
        is_active=True, starts_at__lt=horizon, ends_at__gt=at
    ).values_list("pk", "sku_id", "price", "starts_at", "ends_at", "per_shopper_limit"):
        running = RunningSale(*sale)
        by_sku.setdefault(running.sku_id, []).append(running)
    with _lock:
        _cache.update(loaded_at=at, by_sku=by_sku)
    return by_sku


def running_flash_sale(*, sku_id: int, at: datetime | None = None) -> RunningSale | None:
    """The flash sale of `sku_id` running at `at` (the lowest price if several overlap)."""
    at = at or timezone.now()
    sales = [sale for sale in _running_by_sku(at).get(sku_id, ()) if sale.runs_at(at)]
    return min(sales, key=lambda sale: (sale.price, sale.id), default=None)


def running_flash_sales(*, sku_ids, at: datetime | None = None) -> dict[int, RunningSale]:
    at = at or timezone.now()
    found = {}
    for sku_id in sku_ids:
        sale = running_flash_sale(sku_id=sku_id, at=at)
        if sale is not None:
            found[sku_id] = sale
    return found


def _limit_error(sale: RunningSale) -> FlashSaleLimitReached:
    return FlashSaleLimitReached(
        f"This flash sale allows {sale.per_shopper_limit} per shopper.",
        extra={"sku_id": sale.sku_id, "per_shopper_limit": sale.per_shopper_limit},
    )


def flash_sale_claim(*, sale: RunningSale, user, quantity: int) -> None:
    """Count `quantity` units of `sale` against `user`'s limit, in the caller's transaction;
    FlashSaleLimitReached (409) when that would pass it. One statement."""
    if quantity > sale.per_shopper_limit:
        raise _limit_error(sale)
    table = FlashSalePurchase._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (flash_sale_id, user_id, quantity) VALUES (%s, %s, %s)
            ON CONFLICT (flash_sale_id, user_id) DO UPDATE
                SET quantity = {table}.quantity + EXCLUDED.quantity
                WHERE {table}.quantity + EXCLUDED.quantity <= %s
            RETURNING quantity
            """,
            [sale.id, user.pk, quantity, sale.per_shopper_limit],
        )
        if cursor.fetchone() is None:
            raise _limit_error(sale)


def flash_sale_unclaim(*, user_id: int, lines: list[tuple[int, int]], ordered_at) -> None:
    """An order made at `ordered_at` was cancelled, expired or failed: its units [(sku_id,
    quantity)] no longer count against the shopper's limit of the sales running then."""
    for sku_id, quantity in lines:
        sale_ids = FlashSale.objects.filter(
            sku_id=sku_id, starts_at__lte=ordered_at, ends_at__gt=ordered_at
        ).values("pk")
        for purchase in FlashSalePurchase.objects.select_for_update().filter(
            flash_sale__in=sale_ids, user_id=user_id
        ):
            purchase.quantity = max(purchase.quantity - quantity, 0)
            purchase.save(update_fields=["quantity"])
