"""quote_order, the database layer: load what price_cart needs in a fixed number of queries
(fewer for flash-sale SKUs, whose catalogue reads are cached) and price it. Writes nothing."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from catalog.services.flash_sales import running_flash_sales

from .cart import price_cart
from .flash_sales import catalogue_for, flash_sale_prices
from .inputs import check_province, normalise_items
from .shopper import coupon_offer_load, member_status_load
from .values import MemberStatus, Quote


def quote_order(
    *,
    user,
    items: list[tuple[int, int]],
    province: str,
    coupon_code: str | None = None,
    at: datetime | None = None,
    member: MemberStatus | None = None,
) -> Quote:
    """Price `items` ((sku_id, quantity) pairs) for `user`, shipped to `province`, at `at`
    (now by default). Reads a fixed number of queries (fewer for flash-sale SKUs, whose
    catalogue reads are cached), writes nothing. `member`: the shopper's membership when the
    caller has already read it (the flash-sale lane reads it with the shopper's other facts)."""
    at = at or timezone.now()
    wanted = normalise_items(items, max_quantity=settings.CART_MAX_QUANTITY_PER_LINE)
    check_province(province)
    flash = running_flash_sales(sku_ids=[sku_id for sku_id, _quantity in wanted], at=at)
    lines, promotions, shipping = catalogue_for(wanted, province, at, flash)
    code = (coupon_code or "").strip()
    return price_cart(
        lines=lines,
        province=province,
        at=at,
        promotions=[*promotions, *flash_sale_prices(flash, lines, at)],
        member=member if member is not None else member_status_load(user),
        coupon_code=code or None,
        coupon=coupon_offer_load(user, code) if code else None,
        shipping=shipping,
    )
