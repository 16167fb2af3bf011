"""price_cart, the pure layer: the pricing steps of DESIGN.md "Pricing at order creation", in
order, over plain data. Never touches the database."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from django.utils.translation import gettext as _

from shop.errors import InvalidInput

from .bill import quote_build
from .coupons import coupon_apply
from .inputs import check_province
from .lines import WorkCart
from .member import member_tier_apply
from .promotions import full_reduction_apply, percent_off_apply
from .shipping import shipping_apply
from .unit_prices import unit_prices_apply
from .values import CartLine, CouponOffer, MemberStatus, PromotionRule, Quote, ShippingRule


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
    """Price a cart from plain data (the rules: orders.pricing's docstring)."""
    if not lines:
        raise InvalidInput(_("Your order has no items."), code="empty_order")
    check_province(province)
    member = member or MemberStatus()
    running = [p for p in promotions if p.runs_at(at)]
    cart = WorkCart.of(lines)

    unit_prices_apply(cart, running)
    promotion_rows = percent_off_apply(cart, running)
    for merchant_id, row in full_reduction_apply(cart, running).items():
        if row is not None:
            promotion_rows[merchant_id].append(row)
    tier_row = member_tier_apply(cart, member)
    coupon_row, held_coupon_id = coupon_apply(
        cart, coupon_code=coupon_code, coupon=coupon, member=member, at=at
    )
    shipping_rows = shipping_apply(cart, shipping or {}, province)
    return quote_build(
        cart,
        promotion_rows=promotion_rows,
        member_rows=[row for row in (tier_row, coupon_row) if row is not None],
        shipping_rows=shipping_rows,
        held_coupon_id=held_coupon_id,
    )
