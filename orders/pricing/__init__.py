"""Checkout pricing: what an order costs, line by line, and where every cent goes.

Two layers. `price_cart` (cart.py) is pure: it takes plain data (values.py: cart lines with
their SKU prices and weights, the merchants' promotions, the shopper's membership, the coupon,
the shipping templates) and returns a `Quote`; it never touches the database, so each rule is
tested with a table of numbers. It runs one function per step below, each in its own module,
over a working copy of the lines (lines.py). `quote_order` (quote.py) loads that data in a
fixed number of queries, whatever the number of lines (catalogue.py, shopper.py, flash_sales.py),
and calls it. Nothing here writes.

The steps, in DESIGN.md order ("Pricing at order creation"), and the module of each:

1. Line price (unit_prices.py). The SKU's price, or the lowest limited-time price of a running
   LIMITED_PRICE promotion of the SKU's merchant when that is lower. Never a price from the client.
   goods_amount = unit_price x quantity.
2. Goods promotions, per merchant (promotions.py); a promotion runs when it is active and
   `starts_at <= at < ends_at`, and covers the products of its own merchant (every product when
   `applies_to_all`, otherwise the products it lists; the model has no category scope).
   a. Percent off (item level): each line gets the largest running percent-off promotion that
      covers it, rounded half-up per line. Percent-off promotions do not stack with each other,
      and a line already sold at a limited-time price gets none (both are item-level price cuts).
   b. Full reduction (shop level, "spend 200, get 20 off"): measured on the covered goods after
      step a. Of each promotion, the tier with the largest discount whose threshold is reached
      (goods >= threshold) applies; of several running full-reduction promotions of one
      merchant, only the one giving the largest discount applies (ties: earliest start, lowest
      id). The discount is apportioned over the covered lines.
3. Member benefits, platform-wide (member.py, coupons.py).
   a. Tier: `discount_percent` of the goods left after promotions, apportioned over all lines.
   b. Coupon: the code must be a coupon the shopper holds, unused, active, with
      `valid_from <= at < valid_until`, for new customers only when the shopper is new; a
      merchant coupon counts and discounts only that merchant's goods. Its `min_spend` is
      measured on those goods left after promotions and the tier discount. Fixed coupons take
      `value` off, percent coupons `value` % (rounded half-up); never more than the goods left.
      Any failure raises InvalidInput(code="invalid_coupon") saying why.
4. Shipping, per merchant (shipping.py), from its ShippingTemplate: `first_fee` covers up to
   `first_weight_grams`, each started `additional_weight_grams` beyond costs `additional_fee`;
   a ShippingRegionRate for the destination province replaces both fees. Free when the
   merchant's goods after all discounts reach `free_over`. A merchant without a template ships
   free. The fee is apportioned over the merchant's lines by what they pay for goods.
5. Payable (bill.py) = goods - promotions - member discounts + shipping; never negative,
   because each discount is capped at what is left of the goods it applies to.

Every total is split over lines with `shop.money.apportion` (ROUND_HALF_UP, remainder to the
largest line) and then capped at what each line has left (lines.discount_share_out), so a
line's `paid_amount` is exact, never negative, and the lines sum exactly to each total and to
the breakdown rows.

This package's public surface is what it imports below.
"""

from .cart import price_cart
from .inputs import normalise_items
from .quote import quote_order
from .values import (
    BreakdownRow,
    CartLine,
    CouponOffer,
    MemberStatus,
    MerchantQuote,
    PromotionRule,
    Quote,
    QuotedLine,
    ShippingRule,
)

__all__ = [
    "BreakdownRow",
    "CartLine",
    "CouponOffer",
    "MemberStatus",
    "MerchantQuote",
    "PromotionRule",
    "Quote",
    "QuotedLine",
    "ShippingRule",
    "normalise_items",
    "price_cart",
    "quote_order",
]
