"""Step 3b, the coupon: the code must be one the shopper holds, unused, active and valid now
(for new customers only when the shopper is new); a merchant's coupon counts and discounts only
that merchant's goods. Its min_spend is measured on those goods left after promotions and the
tier; fixed coupons take `value` off, percent coupons `value` % (rounded half-up), never more
than the goods left. Any failure raises InvalidInput(code="invalid_coupon") saying why."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import PriceLine
from shop.accounts.models import Coupon
from shop.errors import InvalidInput
from shop.money import ZERO, format_money, to_money

from .labels import row_label
from .lines import WorkCart, discount_share_out
from .values import HUNDRED, BreakdownRow, CouponOffer, MemberStatus


def coupon_error(message: str, reason: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_coupon", extra={"reason": reason})


def coupon_check(
    coupon: CouponOffer | None, *, code: str, member: MemberStatus, at: datetime
) -> CouponOffer:
    if coupon is None:
        raise coupon_error(
            _("You do not have a coupon with the code “%(code)s”.") % {"code": code}, "not_held"
        )
    if coupon.used_at is not None:
        raise coupon_error(_("This coupon has already been used."), "used")
    if not coupon.is_active:
        raise coupon_error(_("This coupon has been withdrawn."), "withdrawn")
    if at < coupon.valid_from:
        local = timezone.localtime(coupon.valid_from)
        raise coupon_error(
            _("This coupon can be used from %(when)s.") % {"when": f"{local:%Y-%m-%d %H:%M}"},
            "not_yet_valid",
        )
    if at >= coupon.valid_until:
        local = timezone.localtime(coupon.valid_until)
        raise coupon_error(
            _("This coupon expired on %(when)s.") % {"when": f"{local:%Y-%m-%d %H:%M}"}, "expired"
        )
    if coupon.for_new_customers and not member.is_new_customer:
        raise coupon_error(_("This coupon is for new customers only."), "new_customers_only")
    return coupon


def coupon_apply(
    cart: WorkCart,
    *,
    coupon_code: str | None,
    coupon: CouponOffer | None,
    member: MemberStatus,
    at: datetime,
) -> tuple[BreakdownRow | None, int | None]:
    """The coupon's row and the HeldCoupon it uses; (None, None) without a code."""
    code = (coupon_code or "").strip()
    if not code:
        return None, None
    offer = coupon_check(coupon, code=code, member=member, at=at)
    scope = [w for w in cart.ordered if offer.merchant_id in (None, w.src.merchant_id)]
    if not scope:
        raise coupon_error(
            _("This coupon is only for goods from %(shop)s.")
            % {"shop": offer.merchant_name or _("another shop")},
            "merchant_not_in_order",
        )
    base = sum((w.left for w in scope), ZERO)
    if base < offer.min_spend:
        amounts = {"need": format_money(offer.min_spend), "have": format_money(base)}
        raise coupon_error(
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
    discount_share_out(discount, scope, onto="member")
    row = BreakdownRow(
        kind=PriceLine.Kind.COUPON,
        label=row_label(_("Coupon: %(name)s") % {"name": offer.name}),
        amount=-discount,
        merchant_id=offer.merchant_id,
    )
    return row, offer.held_coupon_id
