"""Step 3a, the membership tier: `discount_percent` of the goods left after promotions, shared
out over every line."""

from django.utils.translation import gettext as _

from orders.models import PriceLine
from shop.money import ZERO, to_money

from .labels import plain_number, row_label
from .lines import WorkCart, discount_share_out
from .values import HUNDRED, BreakdownRow, MemberStatus


def member_tier_apply(cart: WorkCart, member: MemberStatus) -> BreakdownRow | None:
    rate = min(max(member.discount_percent or ZERO, ZERO), HUNDRED)
    if rate <= 0:
        return None
    base = sum((w.left for w in cart.ordered), ZERO)
    discount = min(to_money(base * rate / HUNDRED), base)
    if discount <= 0:
        return None
    discount_share_out(discount, cart.ordered, onto="member")
    label = (
        _("%(tier)s member %(rate)s%% off") % {"tier": member.tier_name, "rate": plain_number(rate)}
        if member.tier_name
        else _("Member %(rate)s%% off") % {"rate": plain_number(rate)}
    )
    return BreakdownRow(
        kind=PriceLine.Kind.MEMBER_TIER, label=row_label(label), amount=-discount, merchant_id=None
    )
