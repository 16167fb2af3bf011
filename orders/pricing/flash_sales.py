"""Pricing a flash sale's SKUs: what the catalogue says about them is kept in process for a
short while (thousands of shoppers price the same SKU within seconds), and a running sale
prices its SKU like a limited-time price."""

import threading
from dataclasses import replace
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy

from catalog.models import Promotion
from catalog.services.flash_sales import flash_sales_generation

from .catalogue import cart_lines_load, promotions_load, shipping_rules_load
from .values import CartLine, PromotionRule, ShippingRule

# Flash-sale SKUs: thousands of shoppers price the same SKU within seconds, so what the
# catalogue says about it (title, price, images, its merchant's promotions and shipping
# template) is read once per process and kept FLASH_PRICING_CACHE_SECONDS, never past the
# sale's end. A merchant's edit of those during a sale shows within that time; the sale's own
# price and the shopper's tier and coupon are read on every quote. Saving a FlashSale starts
# a new generation of copies (catalog.signals).
FLASH_PRICING_CACHE_SECONDS = 30
_flash_catalogue: dict[tuple, tuple[datetime, datetime, tuple]] = {}
_flash_catalogue_lock = threading.Lock()


def catalogue_for(
    wanted: list[tuple[int, int]], province: str, at: datetime, flash: dict
) -> tuple[list[CartLine], list[PromotionRule], dict[int, ShippingRule]]:
    if not flash or len(flash) != len(wanted):
        lines = cart_lines_load(wanted)
        merchants = {line.merchant_id for line in lines}
        return lines, promotions_load(lines, at), shipping_rules_load(merchants, province)
    skus = tuple(sorted(sku_id for sku_id, _quantity in wanted))
    key = (skus, province, flash_sales_generation())
    with _flash_catalogue_lock:
        cached = _flash_catalogue.get(key)
    if cached is None or not cached[0] <= at < cached[1]:
        until = min(
            [at + timedelta(seconds=FLASH_PRICING_CACHE_SECONDS)]
            + [sale.ends_at for sale in flash.values()]
        )
        lines = cart_lines_load([(sku_id, 1) for sku_id, _quantity in wanted])
        merchants = {line.merchant_id for line in lines}
        entry = (
            {line.sku_id: line for line in lines},
            promotions_load(lines, at, until),
            shipping_rules_load(merchants, province),
        )
        cached = (at, until, entry)
        with _flash_catalogue_lock:
            if len(_flash_catalogue) > 1000:  # a bound, not an eviction policy: sales are few
                _flash_catalogue.clear()
            _flash_catalogue[key] = cached
    by_sku, promotions, shipping = cached[2]
    lines = [replace(by_sku[sku_id], quantity=quantity) for sku_id, quantity in wanted]
    return lines, promotions, shipping


def flash_sale_prices(flash: dict, lines: list[CartLine], at: datetime) -> list[PromotionRule]:
    """A running flash sale prices its SKU like a limited-time price: the lower price wins, and
    no percent-off applies on top (price_cart step 1)."""
    merchant_of = {line.sku_id: line.merchant_id for line in lines}
    return [
        PromotionRule(
            id=-sale.id,  # never a Promotion's id
            merchant_id=merchant_of[sku_id],
            name=gettext_lazy("Flash sale"),
            kind=Promotion.Kind.LIMITED_PRICE,
            starts_at=sale.starts_at,
            ends_at=sale.ends_at,
            limited_prices={sku_id: sale.price},
        )
        for sku_id, sale in flash.items()
        if sku_id in merchant_of
    ]
