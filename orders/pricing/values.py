"""The values of pricing: what the pure layer takes (cart lines, promotions, membership, the
coupon, shipping templates, as plain data) and what it answers (a Quote)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from shop.money import ZERO, to_money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class QuotedLine:
    sku_id: int
    merchant_id: int
    product_title: str
    sku_code: str
    sku_attributes: str  # "Colour: Red / Size: M"
    image_url: str
    unit_price: Decimal  # SKU price, or the active limited-time price (never the client's)
    quantity: int
    goods_amount: Decimal  # unit_price * quantity (after limited-time price)
    promotion_discount: Decimal  # apportioned share of the merchant's goods promotions
    member_discount: Decimal  # apportioned share of tier discount + coupon
    shipping_share: Decimal  # apportioned share of its merchant's shipping fee
    paid_amount: Decimal  # goods - promotion - member + shipping_share


@dataclass(frozen=True)
class BreakdownRow:  # becomes an orders.PriceLine
    kind: str  # PriceLine.Kind value: goods|promotion|member_tier|coupon|shipping
    label: str  # shopper-readable: "Full reduction: 200 off 20", "Gold member 5% off"
    amount: Decimal  # discounts negative
    merchant_id: int | None  # None for platform-wide rows (tier, platform coupon)


@dataclass(frozen=True)
class MerchantQuote:
    merchant_id: int
    merchant_name: str
    lines: list[QuotedLine]
    goods_amount: Decimal
    promotion_discount: Decimal
    member_discount: Decimal
    shipping_fee: Decimal
    payable_amount: Decimal


@dataclass(frozen=True)
class Quote:
    merchants: list[MerchantQuote]
    lines: list[QuotedLine]  # all lines, merchant order then input order
    breakdown: list[BreakdownRow]  # in DESIGN.md order; sums exactly to payable_amount
    goods_amount: Decimal
    promotion_discount: Decimal  # positive number (total discount)
    member_discount: Decimal  # positive number
    shipping_fee: Decimal
    payable_amount: Decimal
    held_coupon_id: int | None  # the HeldCoupon applied, if any
    total_weight_grams: int


@dataclass(frozen=True)
class CartLine:
    """One SKU the shopper buys, with what the catalogue says about it."""

    sku_id: int
    product_id: int
    merchant_id: int
    merchant_name: str
    product_title: str
    sku_code: str
    list_price: Decimal  # SKU.price
    quantity: int
    weight_grams: int = 0  # of one unit
    sku_attributes: str = ""
    image_url: str = ""


@dataclass(frozen=True)
class PromotionRule:
    """A merchant's goods promotion (catalog.Promotion with its tiers / limited prices)."""

    id: int
    merchant_id: int
    name: str
    kind: str  # Promotion.Kind value
    starts_at: datetime
    ends_at: datetime
    is_active: bool = True
    applies_to_all: bool = True
    product_ids: frozenset[int] = frozenset()
    percent_off: Decimal | None = None  # PERCENT
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()  # FULL_REDUCTION: (threshold, discount)
    limited_prices: Mapping[int, Decimal] = field(default_factory=dict)  # LIMITED_PRICE: sku->

    def runs_at(self, at: datetime) -> bool:
        return self.is_active and self.starts_at <= at < self.ends_at

    def covers(self, line: CartLine) -> bool:
        if line.merchant_id != self.merchant_id:
            return False
        return self.applies_to_all or line.product_id in self.product_ids


@dataclass(frozen=True)
class MemberStatus:
    tier_name: str = ""
    discount_percent: Decimal = ZERO
    is_new_customer: bool = True


@dataclass(frozen=True)
class CouponOffer:
    """A HeldCoupon of the shopper with its Coupon."""

    held_coupon_id: int
    code: str
    name: str
    kind: str  # Coupon.Kind value
    value: Decimal
    valid_from: datetime
    valid_until: datetime
    min_spend: Decimal = ZERO
    merchant_id: int | None = None
    merchant_name: str = ""
    for_new_customers: bool = False
    is_active: bool = True
    used_at: datetime | None = None


@dataclass(frozen=True)
class ShippingRule:
    """A merchant's ShippingTemplate; region_rates: province -> (first_fee, additional_fee)."""

    merchant_id: int
    first_weight_grams: int = 1000
    first_fee: Decimal = Decimal("8.00")
    additional_weight_grams: int = 1000
    additional_fee: Decimal = Decimal("5.00")
    free_over: Decimal | None = None
    region_rates: Mapping[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def fee_for(self, *, weight_grams: int, province: str) -> Decimal:
        first_fee, additional_fee = self.region_rates.get(
            province, (self.first_fee, self.additional_fee)
        )
        extra = max(weight_grams - self.first_weight_grams, 0)
        if extra and self.additional_weight_grams:
            steps = math.ceil(extra / self.additional_weight_grams)
        else:
            steps = 1 if extra else 0  # a template with a 0 g step charges one step for any excess
        return to_money(max(first_fee, ZERO) + steps * max(additional_fee, ZERO))
