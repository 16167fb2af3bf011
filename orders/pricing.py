"""Checkout pricing: what an order costs, line by line, and where every cent goes.

Two layers. `price_cart` is pure: it takes plain data (cart lines with their SKU prices and
weights, the merchants' promotions, the shopper's membership, the coupon, the shipping
templates) and returns a `Quote`; it never touches the database, so each rule is tested with a
table of numbers. `quote_order` loads that data in a fixed number of queries, whatever the
number of lines, and calls it. Nothing here writes.

The steps, in DESIGN.md order ("Pricing at order creation"):

1. Line price. The SKU's price, or the lowest limited-time price of a running LIMITED_PRICE
   promotion of the SKU's merchant when that is lower. Never a price from the client.
   goods_amount = unit_price x quantity.
2. Goods promotions, per merchant; a promotion runs when it is active and
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
3. Member benefits, platform-wide.
   a. Tier: `discount_percent` of the goods left after promotions, apportioned over all lines.
   b. Coupon: the code must be a coupon the shopper holds, unused, active, with
      `valid_from <= at < valid_until`, for new customers only when the shopper is new; a
      merchant coupon counts and discounts only that merchant's goods. Its `min_spend` is
      measured on those goods left after promotions and the tier discount. Fixed coupons take
      `value` off, percent coupons `value` % (rounded half-up); never more than the goods left.
      Any failure raises InvalidInput(code="invalid_coupon") saying why.
4. Shipping, per merchant, from its ShippingTemplate: `first_fee` covers up to
   `first_weight_grams`, each started `additional_weight_grams` beyond costs `additional_fee`;
   a ShippingRegionRate for the destination province replaces both fees. Free when the
   merchant's goods after all discounts reach `free_over`. A merchant without a template ships
   free. The fee is apportioned over the merchant's lines by what they pay for goods.
5. Payable = goods - promotions - member discounts + shipping; never negative, because each
   discount is capped at what is left of the goods it applies to.

Every total is split over lines with `shop.money.apportion` (ROUND_HALF_UP, remainder to the
largest line) and then capped at what each line has left, so a line's `paid_amount` is exact,
never negative, and the lines sum exactly to each total and to the breakdown rows.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import (
    SKU,
    AttributeValue,
    LimitedTimePrice,
    ProductImage,
    Promotion,
    ShippingRegionRate,
    ShippingTemplate,
)
from catalog.services.flash_sales import flash_sales_generation, running_flash_sales
from orders.models import PriceLine
from shop.accounts.models import Coupon, CustomerProfile, HeldCoupon
from shop.errors import InvalidInput
from shop.money import ZERO, apportion_capped, format_money, to_money
from shop.regions import PROVINCES

HUNDRED = Decimal(100)


# --- What the rest of the project sees (orders-contract.md) -------------------------------


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


# --- Plain inputs of the pure layer ------------------------------------------------------


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


# --- Input checks ------------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def normalise_items(items, *, max_quantity: int) -> list[tuple[int, int]]:
    """Validated (sku_id, quantity) pairs, the same SKU merged, in first-seen order."""
    if not items:
        raise InvalidInput(_("Your order has no items."), code="empty_order")
    merged: dict[int, int] = {}
    for item in items:
        try:
            sku_id, quantity = item
        except (TypeError, ValueError):
            raise InvalidInput(_("Each item needs a SKU and a quantity."), code="invalid_quantity")
        if not _is_int(sku_id) or sku_id <= 0:
            raise InvalidInput(
                _("Item %(sku)s is not on sale.") % {"sku": repr(sku_id)}, code="unknown_sku"
            )
        if not _is_int(quantity) or not 1 <= quantity <= max_quantity:
            raise InvalidInput(
                _("Quantity must be a whole number from 1 to %(most)d.") % {"most": max_quantity},
                code="invalid_quantity",
            )
        merged[sku_id] = merged.get(sku_id, 0) + quantity
        if merged[sku_id] > max_quantity:
            raise InvalidInput(
                _("You can buy at most %(most)d of one item in an order.") % {"most": max_quantity},
                code="invalid_quantity",
            )
    return list(merged.items())


def _check_province(province) -> None:
    if province not in PROVINCES:
        raise InvalidInput(
            _("We do not deliver to that province; choose another address."),
            code="invalid_province",
        )


# --- Pure arithmetic helpers -------------------------------------------------------------


def _plain(value: Decimal) -> str:
    """200.00 -> "200", 7.50 -> "7.5": numbers the way a shop writes them in a label."""
    text = format(Decimal(value).quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _label(text: str) -> str:
    return text if len(text) <= 128 else text[:127] + "…"


class _Line:
    """Working state of one line while the steps run."""

    def __init__(self, cart_line: CartLine, index: int):
        self.src = cart_line
        self.index = index
        self.unit_price = to_money(max(cart_line.list_price, ZERO))
        self.limited = False
        self.goods = ZERO
        self.promotion = ZERO
        self.member = ZERO
        self.shipping = ZERO

    @property
    def left(self) -> Decimal:
        return self.goods - self.promotion - self.member


def _coupon_error(message: str, reason: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_coupon", extra={"reason": reason})


def _check_coupon(
    coupon: CouponOffer | None, *, code: str, member: MemberStatus, at: datetime
) -> CouponOffer:
    if coupon is None:
        raise _coupon_error(
            _("You do not have a coupon with the code “%(code)s”.") % {"code": code}, "not_held"
        )
    if coupon.used_at is not None:
        raise _coupon_error(_("This coupon has already been used."), "used")
    if not coupon.is_active:
        raise _coupon_error(_("This coupon has been withdrawn."), "withdrawn")
    if at < coupon.valid_from:
        local = timezone.localtime(coupon.valid_from)
        raise _coupon_error(
            _("This coupon can be used from %(when)s.") % {"when": f"{local:%Y-%m-%d %H:%M}"},
            "not_yet_valid",
        )
    if at >= coupon.valid_until:
        local = timezone.localtime(coupon.valid_until)
        raise _coupon_error(
            _("This coupon expired on %(when)s.") % {"when": f"{local:%Y-%m-%d %H:%M}"}, "expired"
        )
    if coupon.for_new_customers and not member.is_new_customer:
        raise _coupon_error(_("This coupon is for new customers only."), "new_customers_only")
    return coupon


# --- The pure layer ----------------------------------------------------------------------


def price_cart(
    *,
    lines: Sequence[CartLine],
    province: str,
    at: datetime,
    promotions: Iterable[PromotionRule] = (),
    member: MemberStatus | None = None,
    coupon_code: str | None = None,
    coupon: CouponOffer | None = None,
    shipping: Mapping[int, ShippingRule] | None = None,
) -> Quote:
    """Price a cart from plain data (see the module docstring for the rules)."""
    if not lines:
        raise InvalidInput(_("Your order has no items."), code="empty_order")
    _check_province(province)
    member = member or MemberStatus()
    shipping = shipping or {}
    running = [p for p in promotions if p.runs_at(at)]

    # Merchants in order of first appearance; lines grouped by merchant, input order within.
    merchant_names: dict[int, str] = {}
    for cart_line in lines:
        merchant_names.setdefault(cart_line.merchant_id, cart_line.merchant_name)
    work = [_Line(cart_line, i) for i, cart_line in enumerate(lines)]
    by_merchant = {m: [w for w in work if w.src.merchant_id == m] for m in merchant_names}
    ordered = [w for m in merchant_names for w in by_merchant[m]]

    # 1. Line prices: the SKU price or a lower running limited-time price.
    for w in work:
        for promo in running:
            if promo.kind != Promotion.Kind.LIMITED_PRICE or promo.merchant_id != (
                w.src.merchant_id
            ):
                continue
            price = promo.limited_prices.get(w.src.sku_id)
            if price is not None and to_money(max(price, ZERO)) < w.unit_price:
                w.unit_price = to_money(max(price, ZERO))
                w.limited = True
        w.goods = to_money(w.unit_price * w.src.quantity)

    promotion_rows: dict[int, list[BreakdownRow]] = {m: [] for m in merchant_names}

    # 2a. Percent off, item level: the largest covering promotion, none on limited-price lines.
    percents = sorted(
        (p for p in running if p.kind == Promotion.Kind.PERCENT and p.percent_off),
        key=lambda p: (-p.percent_off, p.starts_at, p.id),
    )
    for merchant_id in merchant_names:
        per_promo: dict[int, Decimal] = {}
        for w in by_merchant[merchant_id]:
            if w.limited:
                continue
            promo = next((p for p in percents if p.covers(w.src)), None)
            if promo is None:
                continue
            rate = min(max(promo.percent_off, ZERO), HUNDRED)
            discount = min(to_money(w.goods * rate / HUNDRED), w.goods)
            w.promotion += discount
            per_promo[promo.id] = per_promo.get(promo.id, ZERO) + discount
        for promo in percents:
            if per_promo.get(promo.id):
                promotion_rows[merchant_id].append(
                    BreakdownRow(
                        kind=PriceLine.Kind.PROMOTION,
                        label=_label(f"{promo.name}: {_plain(promo.percent_off)}% off"),
                        amount=-per_promo[promo.id],
                        merchant_id=merchant_id,
                    )
                )

    # 2b. Full reduction, shop level: one promotion per merchant, its best tier reached.
    reductions = sorted(
        (p for p in running if p.kind == Promotion.Kind.FULL_REDUCTION),
        key=lambda p: (p.starts_at, p.id),
    )
    for merchant_id in merchant_names:
        best = None  # (discount, promotion, threshold, covered lines)
        for promo in reductions:
            covered = [w for w in by_merchant[merchant_id] if promo.covers(w.src)]
            base = sum((w.left for w in covered), ZERO)
            reached = [(d, t) for t, d in promo.tiers if t <= base and d > 0]
            if not covered or not reached or base <= 0:
                continue
            discount, threshold = max(reached)
            discount = min(to_money(discount), base)
            if best is None or discount > best[0]:
                best = (discount, promo, threshold, covered)
        if best is None:
            continue
        discount, promo, threshold, covered = best
        lefts = [w.left for w in covered]
        for w, part in zip(covered, apportion_capped(discount, lefts, lefts), strict=True):
            w.promotion += part
        promotion_rows[merchant_id].append(
            BreakdownRow(
                kind=PriceLine.Kind.PROMOTION,
                label=_label(
                    _("Full reduction: %(threshold)s off %(discount)s")
                    % {"threshold": _plain(threshold), "discount": _plain(discount)}
                ),
                amount=-discount,
                merchant_id=merchant_id,
            )
        )

    # 3a. Membership tier on what is left after promotions.
    tier_row = None
    rate = min(max(member.discount_percent or ZERO, ZERO), HUNDRED)
    if rate > 0:
        lefts = [w.left for w in ordered]
        base = sum(lefts, ZERO)
        discount = min(to_money(base * rate / HUNDRED), base)
        if discount > 0:
            for w, part in zip(ordered, apportion_capped(discount, lefts, lefts), strict=True):
                w.member += part
            label = (
                _("%(tier)s member %(rate)s%% off")
                % {"tier": member.tier_name, "rate": _plain(rate)}
                if member.tier_name
                else _("Member %(rate)s%% off") % {"rate": _plain(rate)}
            )
            tier_row = BreakdownRow(
                kind=PriceLine.Kind.MEMBER_TIER,
                label=_label(label),
                amount=-discount,
                merchant_id=None,
            )

    # 3b. Coupon on what is left after the tier discount.
    coupon_row = None
    held_coupon_id = None
    code = (coupon_code or "").strip()
    if code:
        offer = _check_coupon(coupon, code=code, member=member, at=at)
        scope = [w for w in ordered if offer.merchant_id in (None, w.src.merchant_id)]
        if not scope:
            raise _coupon_error(
                _("This coupon is only for goods from %(shop)s.")
                % {"shop": offer.merchant_name or _("another shop")},
                "merchant_not_in_order",
            )
        lefts = [w.left for w in scope]
        base = sum(lefts, ZERO)
        if base < offer.min_spend:
            amounts = {"need": format_money(offer.min_spend), "have": format_money(base)}
            raise _coupon_error(
                _(
                    "This coupon needs %(need)s of goods from %(shop)s after discounts; "
                    "you have %(have)s."
                )
                % {**amounts, "shop": offer.merchant_name}
                if offer.merchant_id
                else _("This coupon needs %(need)s of goods after discounts; you have %(have)s.")
                % amounts,
                "min_spend_not_met",
            )
        value = max(offer.value, ZERO)
        if offer.kind == Coupon.Kind.PERCENT:
            discount = to_money(base * min(value, HUNDRED) / HUNDRED)
        else:
            discount = to_money(value)
        discount = min(discount, base)
        for w, part in zip(scope, apportion_capped(discount, lefts, lefts), strict=True):
            w.member += part
        held_coupon_id = offer.held_coupon_id
        coupon_row = BreakdownRow(
            kind=PriceLine.Kind.COUPON,
            label=_label(_("Coupon: %(name)s") % {"name": offer.name}),
            amount=-discount,
            merchant_id=offer.merchant_id,
        )

    # 4. Shipping per merchant.
    shipping_rows: list[BreakdownRow] = []
    for merchant_id, name in merchant_names.items():
        group = by_merchant[merchant_id]
        weight = sum(w.src.weight_grams * w.src.quantity for w in group)
        rule = shipping.get(merchant_id)
        goods_left = sum((w.left for w in group), ZERO)
        if rule is None:
            fee, label = ZERO, _("Shipping from %(shop)s: free") % {"shop": name}
        elif rule.free_over is not None and goods_left >= rule.free_over:
            fee = ZERO
            label = _("Shipping from %(shop)s: free on orders over %(amount)s") % {
                "shop": name,
                "amount": format_money(rule.free_over),
            }
        else:
            fee = rule.fee_for(weight_grams=weight, province=province)
            label = _("Shipping from %(shop)s (%(kg)s kg to %(province)s)") % {
                "shop": name,
                "kg": _plain(Decimal(weight) / 1000),
                "province": province,
            }
        weights = [w.left for w in group]
        if sum(weights, ZERO) <= 0:
            weights = [Decimal(w.src.quantity) for w in group]
        for w, part in zip(group, apportion_capped(fee, weights), strict=True):
            w.shipping += part
        shipping_rows.append(
            BreakdownRow(
                kind=PriceLine.Kind.SHIPPING,
                label=_label(label),
                amount=fee,
                merchant_id=merchant_id,
            )
        )

    # 5. Lines, merchants, totals, breakdown.
    quoted = {
        w.index: QuotedLine(
            sku_id=w.src.sku_id,
            merchant_id=w.src.merchant_id,
            product_title=w.src.product_title,
            sku_code=w.src.sku_code,
            sku_attributes=w.src.sku_attributes,
            image_url=w.src.image_url,
            unit_price=w.unit_price,
            quantity=w.src.quantity,
            goods_amount=w.goods,
            promotion_discount=w.promotion,
            member_discount=w.member,
            shipping_share=w.shipping,
            paid_amount=w.left + w.shipping,
        )
        for w in work
    }
    merchants = []
    for merchant_id, name in merchant_names.items():
        mlines = [quoted[w.index] for w in by_merchant[merchant_id]]
        merchants.append(
            MerchantQuote(
                merchant_id=merchant_id,
                merchant_name=name,
                lines=mlines,
                goods_amount=sum((q.goods_amount for q in mlines), ZERO),
                promotion_discount=sum((q.promotion_discount for q in mlines), ZERO),
                member_discount=sum((q.member_discount for q in mlines), ZERO),
                shipping_fee=sum((q.shipping_share for q in mlines), ZERO),
                payable_amount=sum((q.paid_amount for q in mlines), ZERO),
            )
        )
    breakdown = [
        BreakdownRow(
            kind=PriceLine.Kind.GOODS,
            label=_label(_("Goods from %(shop)s") % {"shop": m.merchant_name}),
            amount=m.goods_amount,
            merchant_id=m.merchant_id,
        )
        for m in merchants
    ]
    for merchant_id in merchant_names:
        breakdown.extend(promotion_rows[merchant_id])
    breakdown.extend(row for row in (tier_row, coupon_row) if row is not None)
    breakdown.extend(shipping_rows)

    return Quote(
        merchants=merchants,
        lines=[quoted[w.index] for w in ordered],
        breakdown=breakdown,
        goods_amount=sum((m.goods_amount for m in merchants), ZERO),
        promotion_discount=sum((m.promotion_discount for m in merchants), ZERO),
        member_discount=sum((m.member_discount for m in merchants), ZERO),
        shipping_fee=sum((m.shipping_fee for m in merchants), ZERO),
        payable_amount=sum((m.payable_amount for m in merchants), ZERO),
        held_coupon_id=held_coupon_id,
        total_weight_grams=sum(w.src.weight_grams * w.src.quantity for w in work),
    )


# --- The database layer ------------------------------------------------------------------


def _sku_attributes(sku: SKU) -> str:
    return " / ".join(f"{v.attribute.name}: {v.value}" for v in sku.attribute_values.all())


def _image_url(sku: SKU) -> str:
    images = list(sku.product.images.all())
    return images[0].image.url if images and images[0].image else ""


def _load_cart_lines(wanted: list[tuple[int, int]]) -> list[CartLine]:
    skus = {
        sku.pk: sku
        for sku in SKU.objects.filter(
            pk__in=[sku_id for sku_id, _quantity in wanted],
            is_active=True,
            product__is_active=True,
            product__merchant__is_active=True,
        )
        .select_related("product__merchant")
        .prefetch_related(
            Prefetch(
                "attribute_values",
                queryset=AttributeValue.objects.select_related("attribute").order_by(
                    "attribute__name", "value"
                ),
            ),
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id")),
        )
    }
    lines = []
    for sku_id, quantity in wanted:
        sku = skus.get(sku_id)
        if sku is None:
            raise InvalidInput(
                _("One of the items is no longer on sale."),
                code="unknown_sku",
                extra={"sku_id": sku_id},
            )
        lines.append(
            CartLine(
                sku_id=sku.pk,
                product_id=sku.product_id,
                merchant_id=sku.product.merchant_id,
                merchant_name=sku.product.merchant.name,
                product_title=sku.product.title,
                sku_code=sku.code,
                list_price=sku.price,
                quantity=quantity,
                weight_grams=sku.weight_grams,
                sku_attributes=_sku_attributes(sku),
                image_url=_image_url(sku),
            )
        )
    return lines


def _load_promotions(
    lines: list[CartLine], at: datetime, until: datetime | None = None
) -> list[PromotionRule]:
    """The promotions running at `at`, or at any time up to `until` (a cached copy's lifetime;
    price_cart keeps only those running when it prices)."""
    promotions = list(
        Promotion.objects.filter(
            merchant_id__in={line.merchant_id for line in lines},
            is_active=True,
            starts_at__lte=until or at,
            ends_at__gt=at,
        ).prefetch_related("tiers")
    )
    if not promotions:
        return []
    scoped_ids = [p.pk for p in promotions if not p.applies_to_all]
    product_ids: dict[int, set[int]] = {}
    if scoped_ids:
        for promotion_id, product_id in Promotion.products.through.objects.filter(
            promotion_id__in=scoped_ids, product_id__in={line.product_id for line in lines}
        ).values_list("promotion_id", "product_id"):
            product_ids.setdefault(promotion_id, set()).add(product_id)
    limited_ids = [p.pk for p in promotions if p.kind == Promotion.Kind.LIMITED_PRICE]
    limited: dict[int, dict[int, Decimal]] = {}
    if limited_ids:
        for promotion_id, sku_id, price in LimitedTimePrice.objects.filter(
            promotion_id__in=limited_ids, sku_id__in={line.sku_id for line in lines}
        ).values_list("promotion_id", "sku_id", "price"):
            limited.setdefault(promotion_id, {})[sku_id] = price
    return [
        PromotionRule(
            id=p.pk,
            merchant_id=p.merchant_id,
            name=p.name,
            kind=p.kind,
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            is_active=p.is_active,
            applies_to_all=p.applies_to_all,
            product_ids=frozenset(product_ids.get(p.pk, ())),
            percent_off=p.percent_off,
            tiers=tuple((t.threshold, t.discount) for t in p.tiers.all()),
            limited_prices=limited.get(p.pk, {}),
        )
        for p in promotions
    ]


def _load_member(user) -> MemberStatus:
    if not getattr(user, "is_authenticated", False):
        return MemberStatus()
    profile = CustomerProfile.objects.filter(user=user).select_related("tier").first()
    if profile is None:  # staff and legacy accounts: no tier, and no order paid yet
        return MemberStatus()
    tier = profile.tier
    return MemberStatus(
        tier_name=tier.name if tier else "",
        discount_percent=tier.discount_percent if tier else ZERO,
        is_new_customer=profile.is_new_customer,
    )


def _load_coupon(user, code: str) -> CouponOffer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    held = list(
        HeldCoupon.objects.filter(user=user, coupon__code__iexact=code).select_related(
            "coupon__merchant"
        )
    )
    if not held:
        return None
    held.sort(key=lambda h: (h.coupon.code != code, h.pk))  # an exact match wins
    copy, coupon = held[0], held[0].coupon
    return CouponOffer(
        held_coupon_id=copy.pk,
        code=coupon.code,
        name=coupon.name,
        kind=coupon.kind,
        value=coupon.value,
        valid_from=coupon.valid_from,
        valid_until=coupon.valid_until,
        min_spend=coupon.min_spend,
        merchant_id=coupon.merchant_id,
        merchant_name=coupon.merchant.name if coupon.merchant else "",
        for_new_customers=coupon.for_new_customers,
        is_active=coupon.is_active,
        used_at=copy.used_at,
    )


def _load_shipping(merchant_ids: set[int], province: str) -> dict[int, ShippingRule]:
    templates = ShippingTemplate.objects.filter(merchant_id__in=merchant_ids).prefetch_related(
        Prefetch("region_rates", queryset=ShippingRegionRate.objects.filter(region=province))
    )
    return {
        t.merchant_id: ShippingRule(
            merchant_id=t.merchant_id,
            first_weight_grams=t.first_weight_grams,
            first_fee=t.first_fee,
            additional_weight_grams=t.additional_weight_grams,
            additional_fee=t.additional_fee,
            free_over=t.free_over,
            region_rates={r.region: (r.first_fee, r.additional_fee) for r in t.region_rates.all()},
        )
        for t in templates
    }


# Flash-sale SKUs: thousands of shoppers price the same SKU within seconds, so what the
# catalogue says about it (title, price, images, its merchant's promotions and shipping
# template) is read once per process and kept FLASH_PRICING_CACHE_SECONDS, never past the
# sale's end. A merchant's edit of those during a sale shows within that time; the sale's own
# price and the shopper's tier and coupon are read on every quote. Saving a FlashSale starts
# a new generation of copies (catalog.signals).
FLASH_PRICING_CACHE_SECONDS = 30
_flash_catalogue: dict[tuple, tuple[datetime, datetime, tuple]] = {}
_flash_catalogue_lock = threading.Lock()


def _catalogue_for(
    wanted: list[tuple[int, int]], province: str, at: datetime, flash: dict
) -> tuple[list[CartLine], list[PromotionRule], dict[int, ShippingRule]]:
    if not flash or len(flash) != len(wanted):
        lines = _load_cart_lines(wanted)
        merchants = {line.merchant_id for line in lines}
        return lines, _load_promotions(lines, at), _load_shipping(merchants, province)
    skus = tuple(sorted(sku_id for sku_id, _quantity in wanted))
    key = (skus, province, flash_sales_generation())
    with _flash_catalogue_lock:
        cached = _flash_catalogue.get(key)
    if cached is None or not cached[0] <= at < cached[1]:
        until = min(
            [at + timedelta(seconds=FLASH_PRICING_CACHE_SECONDS)]
            + [sale.ends_at for sale in flash.values()]
        )
        lines = _load_cart_lines([(sku_id, 1) for sku_id, _quantity in wanted])
        merchants = {line.merchant_id for line in lines}
        entry = (
            {line.sku_id: line for line in lines},
            _load_promotions(lines, at, until),
            _load_shipping(merchants, province),
        )
        cached = (at, until, entry)
        with _flash_catalogue_lock:
            if len(_flash_catalogue) > 1000:  # a bound, not an eviction policy: sales are few
                _flash_catalogue.clear()
            _flash_catalogue[key] = cached
    by_sku, promotions, shipping = cached[2]
    lines = [replace(by_sku[sku_id], quantity=quantity) for sku_id, quantity in wanted]
    return lines, promotions, shipping


def _flash_sale_prices(flash: dict, lines: list[CartLine], at: datetime) -> list[PromotionRule]:
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


def quote_order(
    *,
    user,
    items: list[tuple[int, int]],
    province: str,
    coupon_code: str | None = None,
    at: datetime | None = None,
) -> Quote:
    """Price `items` ((sku_id, quantity) pairs) for `user`, shipped to `province`, at `at`
    (now by default). Reads a fixed number of queries (fewer for flash-sale SKUs, whose
    catalogue reads are cached), writes nothing."""
    at = at or timezone.now()
    wanted = normalise_items(items, max_quantity=settings.CART_MAX_QUANTITY_PER_LINE)
    _check_province(province)
    flash = running_flash_sales(sku_ids=[sku_id for sku_id, _quantity in wanted], at=at)
    lines, promotions, shipping = _catalogue_for(wanted, province, at, flash)
    code = (coupon_code or "").strip()
    return price_cart(
        lines=lines,
        province=province,
        at=at,
        promotions=[*promotions, *_flash_sale_prices(flash, lines, at)],
        member=_load_member(user),
        coupon_code=code or None,
        coupon=_load_coupon(user, code) if code else None,
        shipping=shipping,
    )
