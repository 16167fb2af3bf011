"""Read queries of the cart, shared by the cart page, the API and checkout."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from cart.models import Cart, CartItem
from catalog.models import SKU, AttributeValue, Merchant, Product, ProductImage
from catalog.selectors import sku_is_sold, sku_label, sku_sellable_expression
from shop.money import ZERO, to_money


@dataclass
class CartLine:
    item: CartItem  # for an anonymous cart: an unsaved CartItem whose id is the SKU id
    sku: SKU
    product: Product
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    available: int  # sellable stock of the SKU now
    sellable: bool  # can be ordered as it stands
    problem: str  # why not, for the shopper ("" when sellable)
    image: ProductImage | None = None

    @property
    def label(self) -> str:
        return sku_label(self.sku)


class CartGroup(tuple):
    """(merchant, lines): unpacks as a pair and reads as attributes."""

    def __new__(cls, merchant: Merchant, lines: list[CartLine]):
        return super().__new__(cls, (merchant, lines))

    @property
    def merchant(self) -> Merchant:
        return self[0]

    @property
    def lines(self) -> list[CartLine]:
        return self[1]

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_total for line in self.lines if line.sellable), ZERO)


@dataclass
class CartContents:
    groups: list[CartGroup]
    total: Decimal  # of the lines that can be ordered
    count: int  # pieces in the cart, all lines

    @property
    def lines(self) -> list[CartLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def has_problems(self) -> bool:
        return any(not line.sellable for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.groups


def cart_items(cart) -> list[CartItem]:
    """The cart's items: rows for a signed-in shopper's Cart, unsaved CartItems (id = SKU id)
    for an anonymous session cart."""
    if isinstance(cart, Cart):
        if cart.pk is None:
            return []
        return list(CartItem.objects.filter(cart=cart).order_by("added_at", "id"))
    return [
        CartItem(id=sku_id, sku_id=sku_id, quantity=quantity)
        for sku_id, quantity in cart.quantities().items()
    ]


def _line_problem(sku: SKU, quantity: int, available: int) -> str:
    if not sku_is_sold(sku):
        return _("No longer sold.")
    if available <= 0:
        return _("Out of stock.")
    if quantity > available:
        return _("Only %(available)s left: lower the quantity.") % {"available": available}
    return ""


def cart_contents(cart) -> CartContents:
    """The cart grouped by merchant (in the order lines were added), with each line's price,
    stock and any problem, in at most four queries whatever its size."""
    items = cart_items(cart)
    if not items:
        return CartContents(groups=[], total=ZERO, count=0)
    skus = {
        sku.pk: sku
        for sku in SKU.objects.filter(pk__in=[item.sku_id for item in items])
        .select_related("product__merchant")
        .annotate(stock_available=sku_sellable_expression())
        .prefetch_related(
            Prefetch(
                "attribute_values",
                queryset=AttributeValue.objects.select_related("attribute").order_by(
                    "attribute__name", "attribute_id", "value"
                ),
            ),
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id")),
        )
    }
    groups: dict[int, CartGroup] = {}
    for item in items:
        sku = skus.get(item.sku_id)
        if sku is None:  # an anonymous cart may name a SKU deleted since
            continue
        item.sku = sku
        available = max(sku.stock_available, 0)
        problem = _line_problem(sku, item.quantity, available)
        images = list(sku.product.images.all())
        line = CartLine(
            item=item,
            sku=sku,
            product=sku.product,
            quantity=item.quantity,
            unit_price=sku.price,
            line_total=to_money(sku.price * item.quantity),
            available=available,
            sellable=not problem,
            problem=problem,
            image=images[0] if images else None,
        )
        merchant = sku.product.merchant
        groups.setdefault(merchant.pk, CartGroup(merchant, [])).lines.append(line)
    group_list = list(groups.values())
    return CartContents(
        groups=group_list,
        total=sum((group.subtotal for group in group_list), ZERO),
        count=sum(line.quantity for group in group_list for line in group.lines),
    )
