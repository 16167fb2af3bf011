"""Step 1, the line price: the SKU's price, or the lowest running limited-time price of the
SKU's merchant when that is lower (a flash sale prices like one). Never a price from the
client. goods = unit price x quantity."""

from catalog.models import Promotion
from shop.money import ZERO, to_money

from .lines import WorkCart
from .values import PromotionRule


def unit_prices_apply(cart: WorkCart, running: list[PromotionRule]) -> None:
    for w in cart.lines:
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
