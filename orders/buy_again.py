"""Buy again (再次购买): an order's items back in the cart, at today's prices and stock.

A service of orders that writes only through the cart's own services (cart.services);
what cannot go back (no longer sold, out of stock) is reported, the rest is added.
"""

from dataclasses import dataclass, field

from django.db import transaction

from cart.services import cart_add
from shop.errors import DomainError, OutOfStock

from .models import Order


@dataclass
class BuyAgainResult:
    added: int = 0  # pieces put in the cart
    problems: list[str] = field(default_factory=list)


@transaction.atomic
def order_buy_again(*, order: Order, cart) -> BuyAgainResult:
    """Put each SKU of `order` in `cart` with the quantity ordered (less if that many are no
    longer in stock). `order` is one the caller has already checked belongs to the shopper."""
    quantities: dict[int, int] = {}
    titles: dict[int, str] = {}
    for line in order.lines.all():
        quantities[line.sku_id] = quantities.get(line.sku_id, 0) + line.quantity
        titles[line.sku_id] = line.product_title
    result = BuyAgainResult()
    for sku_id, quantity in quantities.items():
        try:
            with transaction.atomic():
                cart_add(cart=cart, sku_id=sku_id, quantity=quantity)
            result.added += quantity
        except OutOfStock as error:
            available = (error.extra or {}).get("available", 0)
            if available > 0:
                try:
                    with transaction.atomic():
                        cart_add(cart=cart, sku_id=sku_id, quantity=available)
                    result.added += available
                except DomainError:
                    pass  # the cart already holds what is left
            result.problems.append(f"{titles[sku_id]}: {error.detail}")
        except DomainError as error:
            result.problems.append(f"{titles[sku_id]}: {error.detail}")
    return result
