"""Orders in the states the storefront and API tests need, made through the real services
(pricing, stock allocation, split, transitions), so what the pages show is what a shopper
would really get."""

from decimal import Decimal

from catalog.actors import SYSTEM, actor_for
from catalog.models import Cart, CartItem
from orders import services
from orders.models import Order, PaymentMethod
from tests.catalog.factories import StockRecordFactory

# The pages' tests take the shopper from here too: one definition, in tests.orders.factories.
from tests.orders.factories import shopper_with_address  # noqa: F401


def sellable_sku(*, price=Decimal("99.00"), stock=100, merchant=None, title=None):
    """A SKU with `stock` units in one warehouse in Shanghai."""
    sku_kwargs = {"sku__price": price}
    if merchant is not None:
        sku_kwargs["sku__product__merchant"] = merchant
    if title is not None:
        sku_kwargs["sku__product__title"] = title
    return StockRecordFactory(on_hand=stock, **sku_kwargs).sku


def put_in_cart(user, sku, quantity=1) -> CartItem:
    cart, _ = Cart.objects.get_or_create(user=user)
    return CartItem.objects.create(cart=cart, sku=sku, quantity=quantity)


def place_order(
    *,
    user,
    address,
    sku=None,
    quantity=1,
    payment_method=PaymentMethod.ALIPAY,
    key="",
    skus=None,
) -> Order:
    """One SKU (`sku`, `quantity`), or one unit of each of `skus`."""
    items = [(s.pk, 1) for s in skus] if skus else [((sku or sellable_sku()).pk, quantity)]
    return services.order_create(
        actor=actor_for(user),
        address_id=address.public_id,
        items=items,
        payment_method=payment_method,
        idempotency_key=key,
    )


def cod_order(*, user, address, sku=None, quantity=1, skus=None) -> Order:
    """Placed with cash on delivery and confirmed: split into sub-orders, awaiting shipment."""
    order = place_order(
        user=user,
        address=address,
        sku=sku,
        quantity=quantity,
        skus=skus,
        payment_method=PaymentMethod.COD,
    )
    return services.order_cod_confirm(order_no=order.order_no, actor=actor_for(user))


def shipped_order(*, user, address, sku=None, quantity=1, skus=None) -> Order:
    order = cod_order(user=user, address=address, sku=sku, quantity=quantity, skus=skus)
    for sub_order in order.sub_orders.all():
        services.sub_order_ship(sub_order_id=sub_order.pk, actor=SYSTEM)
    return Order.objects.get(pk=order.pk)
