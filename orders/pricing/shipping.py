"""Step 4, shipping per merchant from its ShippingTemplate (ShippingRule.fee_for: by weight and
destination province), free when the merchant's goods after every discount reach `free_over`,
free for a merchant without a template. The fee is shared over the merchant's lines by what
they pay for goods (by quantity when they pay nothing)."""

from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from orders.models import PriceLine
from shop.money import ZERO, apportion_capped, format_money

from .labels import plain_number, row_label
from .lines import WorkCart
from .values import BreakdownRow, ShippingRule


def shipping_apply(
    cart: WorkCart, shipping: Mapping[int, ShippingRule], province: str
) -> list[BreakdownRow]:
    rows: list[BreakdownRow] = []
    for merchant_id, name in cart.merchant_names.items():
        group = cart.by_merchant[merchant_id]
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
                "kg": plain_number(Decimal(weight) / 1000),
                "province": province,
            }
        weights = [w.left for w in group]
        if sum(weights, ZERO) <= 0:
            weights = [Decimal(w.src.quantity) for w in group]
        for w, part in zip(group, apportion_capped(fee, weights), strict=True):
            w.shipping += part
        rows.append(
            BreakdownRow(
                kind=PriceLine.Kind.SHIPPING,
                label=row_label(label),
                amount=fee,
                merchant_id=merchant_id,
            )
        )
    return rows
