"""Step 5, the bill: each line's amounts (paid = goods - promotion - member + shipping share),
each merchant's sums, the totals, and the breakdown rows in DESIGN.md order (goods, promotions,
member tier, coupon, shipping), which sum exactly to the payable amount."""

from django.utils.translation import gettext as _

from orders.models import PriceLine
from shop.money import ZERO

from .labels import row_label
from .lines import WorkCart
from .values import BreakdownRow, MerchantQuote, Quote, QuotedLine


def _quoted_lines(cart: WorkCart) -> dict[int, QuotedLine]:
    return {
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
        for w in cart.lines
    }


def _merchant_quotes(cart: WorkCart, quoted: dict[int, QuotedLine]) -> list[MerchantQuote]:
    merchants = []
    for merchant_id, name in cart.merchant_names.items():
        mlines = [quoted[w.index] for w in cart.by_merchant[merchant_id]]
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
    return merchants


def quote_build(
    cart: WorkCart,
    *,
    promotion_rows: dict[int, list[BreakdownRow]],
    member_rows: list[BreakdownRow],
    shipping_rows: list[BreakdownRow],
    held_coupon_id: int | None,
) -> Quote:
    quoted = _quoted_lines(cart)
    merchants = _merchant_quotes(cart, quoted)
    breakdown = [
        BreakdownRow(
            kind=PriceLine.Kind.GOODS,
            label=row_label(_("Goods from %(shop)s") % {"shop": m.merchant_name}),
            amount=m.goods_amount,
            merchant_id=m.merchant_id,
        )
        for m in merchants
    ]
    for merchant_id in cart.merchant_names:
        breakdown.extend(promotion_rows[merchant_id])
    breakdown.extend(member_rows)
    breakdown.extend(shipping_rows)
    return Quote(
        merchants=merchants,
        lines=[quoted[w.index] for w in cart.ordered],
        breakdown=breakdown,
        goods_amount=sum((m.goods_amount for m in merchants), ZERO),
        promotion_discount=sum((m.promotion_discount for m in merchants), ZERO),
        member_discount=sum((m.member_discount for m in merchants), ZERO),
        shipping_fee=sum((m.shipping_fee for m in merchants), ZERO),
        payable_amount=sum((m.payable_amount for m in merchants), ZERO),
        held_coupon_id=held_coupon_id,
        total_weight_grams=sum(w.src.weight_grams * w.src.quantity for w in cart.lines),
    )
