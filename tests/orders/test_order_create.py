"""Placing an order: priced by orders.pricing, stock reserved per warehouse, the bill and the
address kept on the order, the coupon used, the cart emptied of what was ordered; all or
nothing, and once per idempotency key."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cart.models import Cart, CartItem
from catalog.actors import SYSTEM, actor_for
from catalog.models import StockMove
from catalog.selectors import stock_ledger_mismatches
from orders import services
from orders.events import OrderChanged
from orders.models import Order, OrderEvent, OrderLine, PriceLine
from shop import events as nodes
from shop.accounts.models import HeldCoupon
from shop.errors import InvalidInput, NotFound, OutOfStock
from tests.accounts.factories import AddressFactory
from tests.catalog.factories import MerchantFactory, WarehouseFactory
from tests.orders.factories import (
    add_stock,
    capture_domain_events,
    lines_total,
    shopper_with_address,
    stock_of,
    stocked_sku,
)
from tests.orders.factories_pricing import (
    HeldCouponFactory,
    ShippingTemplateFactory,
    TierFactory,
    member_profile,
)

pytestmark = pytest.mark.django_db


def _cart_with(user, *items):
    cart, _ = Cart.objects.get_or_create(user=user)
    for sku, quantity in items:
        CartItem.objects.create(cart=cart, sku=sku, quantity=quantity)
    return cart


def _money_holds(order: Order) -> None:
    """Bill rows, lines and header all say the same amount, to the cent."""
    assert sum(p.amount for p in order.price_lines.all()) == order.payable_amount
    assert lines_total(order) == order.payable_amount
    for line in order.lines.all():
        assert line.paid_amount == (
            line.goods_amount - line.promotion_discount - line.member_discount + line.shipping_share
        )


def test_order_create_reserves_stock_and_keeps_the_bill():
    # given
    shopper, address = shopper_with_address()
    member_profile(user=shopper, tier=TierFactory())
    merchant = MerchantFactory()
    ShippingTemplateFactory(merchant=merchant)
    tea = stocked_sku(merchant=merchant, on_hand=10, price="45.50")
    cup = stocked_sku(merchant=merchant, on_hand=10, price="19.90")
    kept = stocked_sku(on_hand=10)
    _cart_with(shopper, (tea, 1), (kept, 1))
    before = timezone.now()

    # when
    with capture_domain_events() as recorded:
        order = services.order_create(
            actor=actor_for(shopper),
            address_id=address.public_id,
            items=[(tea.pk, 2), (cup.pk, 1)],
            payment_method="alipay",
            buyer_note="Ring twice",
        )

    # then: the order as the shopper sees it
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.order_no.startswith("O")
    assert (order.recipient, order.province, order.address_detail) == (
        address.recipient,
        address.province,
        address.detail,
    )
    assert order.buyer_note == "Ring twice"
    assert order.goods_amount == Decimal("110.90")
    assert order.member_discount > 0
    assert order.shipping_fee > 0
    assert before + timedelta(minutes=30) <= order.payment_due_at
    assert order.payment_due_at <= timezone.now() + timedelta(minutes=30)
    _money_holds(order)
    assert list(order.price_lines.values_list("position", flat=True)) == list(
        range(order.price_lines.count())
    )
    # stock is reserved, the ledger explains it
    assert stock_of(tea).allocated == 2
    assert stock_of(cup).allocated == 1
    assert stock_ledger_mismatches() == []
    # the ordered SKU left the cart, the other stayed
    assert list(CartItem.objects.filter(cart__user=shopper).values_list("sku_id", flat=True)) == [
        kept.pk
    ]
    # one timeline row, one domain event
    [event] = OrderEvent.objects.filter(order=order)
    assert (event.transition, event.to_state) == ("create", "pending_payment")
    assert recorded.nodes == [nodes.ORDER_CREATED]
    [created] = recorded.events
    assert created.data["path"] == f"/orders/{order.order_no}/"
    # typed: what listeners act on is a field, not a key of the template variables
    assert isinstance(created, OrderChanged)
    assert (created.subject_id, created.shopper_id) == (order.pk, shopper.pk)
    assert (created.order_no, created.status) == (order.order_no, Order.Status.PENDING_PAYMENT)
    assert (created.payment_method, created.amount) == ("alipay", order.payable_amount)


def test_a_line_served_by_two_warehouses_becomes_two_lines_with_apportioned_amounts():
    # given: 5 wanted, 3 in Guangzhou and 3 in Hangzhou, shipping to Shanghai
    shopper, address = shopper_with_address()
    member_profile(user=shopper, tier=TierFactory())
    merchant = MerchantFactory()
    ShippingTemplateFactory(merchant=merchant)
    canton = WarehouseFactory(merchant=merchant, region="广东")
    hangzhou = WarehouseFactory(merchant=merchant, region="浙江")
    sku = stocked_sku(merchant=merchant, warehouse=canton, on_hand=3, price="33.33")
    add_stock(sku=sku, warehouse=hangzhou, on_hand=3)

    # when
    order = services.order_create(
        actor=actor_for(shopper),
        address_id=address.public_id,
        items=[(sku.pk, 5)],
        payment_method="wechat",
    )

    # then
    lines = list(order.lines.order_by("pk"))
    assert sorted(line.quantity for line in lines) == [2, 3]
    assert {line.warehouse_id for line in lines} == {canton.pk, hangzhou.pk}
    assert sum(line.goods_amount for line in lines) == Decimal("166.65")
    _money_holds(order)

    # and paying splits it into one parcel per warehouse, summing to the order
    order = services.order_pay_succeeded(order_id=order.pk, paid_at=timezone.now(), actor=SYSTEM)
    assert order.sub_orders.count() == 2
    assert sum(s.payable_amount for s in order.sub_orders.all()) == order.payable_amount


def test_items_default_to_the_cart():
    # given
    shopper, address = shopper_with_address()
    sku = stocked_sku(on_hand=5)
    _cart_with(shopper, (sku, 2))

    # when
    order = services.order_create(
        actor=actor_for(shopper), address_id=address.public_id, items=None, payment_method="cod"
    )

    # then
    assert list(order.lines.values_list("sku_id", "quantity")) == [(sku.pk, 2)]
    assert not CartItem.objects.filter(cart__user=shopper).exists()


def test_the_coupon_is_used_by_the_order_and_comes_back_on_cancel():
    # given
    shopper, address = shopper_with_address()
    held = HeldCouponFactory(user=shopper)
    sku = stocked_sku(on_hand=5, price="100.00")

    # when
    order = services.order_create(
        actor=actor_for(shopper),
        address_id=address.public_id,
        items=[(sku.pk, 1)],
        payment_method="alipay",
        coupon_code=held.coupon.code,
    )

    # then
    held = HeldCoupon.objects.get(pk=held.pk)
    assert held.used_at is not None
    assert held.used_on_order_no == order.order_no
    assert order.held_coupon_id == held.pk
    assert order.price_lines.filter(kind=PriceLine.Kind.COUPON).exists()
    _money_holds(order)

    # when cancelled, the shopper can use the coupon again
    services.order_cancel(order_no=order.order_no, actor=actor_for(shopper))
    held = HeldCoupon.objects.get(pk=held.pk)
    assert (held.used_at, held.used_on_order_no) == (None, "")


def _nothing_written(shopper):
    assert not Order.objects.filter(user=shopper).exists()
    assert not OrderLine.objects.exists()
    assert not StockMove.objects.filter(kind=StockMove.Kind.ALLOCATE).exists()


def test_out_of_stock_writes_nothing():
    # given
    shopper, address = shopper_with_address()
    held = HeldCouponFactory(user=shopper)
    plenty = stocked_sku(on_hand=10)
    scarce = stocked_sku(on_hand=1)
    _cart_with(shopper, (scarce, 2))

    # when
    with capture_domain_events() as recorded, pytest.raises(OutOfStock) as error:
        services.order_create(
            actor=actor_for(shopper),
            address_id=address.public_id,
            items=[(plenty.pk, 1), (scarce.pk, 2)],
            payment_method="alipay",
            coupon_code=held.coupon.code,
        )

    # then
    assert error.value.status_code == 409
    assert error.value.extra["sku_id"] == scarce.pk
    _nothing_written(shopper)
    assert stock_of(plenty).allocated == 0
    assert HeldCoupon.objects.get(pk=held.pk).used_at is None
    assert CartItem.objects.filter(cart__user=shopper).count() == 1
    assert recorded.events == []


def test_another_shoppers_address_is_not_found():
    # given
    shopper, _ = shopper_with_address()
    someone_elses = AddressFactory()
    sku = stocked_sku()

    # when / then
    with pytest.raises(NotFound):
        services.order_create(
            actor=actor_for(shopper),
            address_id=someone_elses.public_id,
            items=[(sku.pk, 1)],
            payment_method="alipay",
        )
    _nothing_written(shopper)


@pytest.mark.parametrize(
    ("items", "method", "code"),
    [
        ([], "alipay", "empty_order"),
        ([(1, 0)], "alipay", "invalid_quantity"),
        ([(999999, 1)], "alipay", "unknown_sku"),
        (None, "bitcoin", "invalid_payment_method"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(items, method, code):
    # given
    shopper, address = shopper_with_address()
    sku = stocked_sku()
    items = [(sku.pk, 1)] if items is None else items

    # when / then
    with pytest.raises(InvalidInput) as error:
        services.order_create(
            actor=actor_for(shopper),
            address_id=address.public_id,
            items=items,
            payment_method=method,
        )
    assert error.value.code == code
    _nothing_written(shopper)


def test_the_same_idempotency_key_returns_the_same_order():
    # given
    shopper, address = shopper_with_address()
    sku = stocked_sku(on_hand=5)

    def submit():
        return services.order_create(
            actor=actor_for(shopper),
            address_id=address.public_id,
            items=[(sku.pk, 2)],
            payment_method="alipay",
            idempotency_key="checkout-1",
        )

    # when
    first = submit()
    with capture_domain_events() as recorded:
        second = submit()

    # then
    assert second.pk == first.pk
    assert Order.objects.filter(user=shopper).count() == 1
    assert stock_of(sku).allocated == 2
    assert recorded.events == []


def test_the_same_key_from_another_shopper_is_another_order():
    # given
    sku = stocked_sku(on_hand=5)
    (alice, alice_address), (bob, bob_address) = shopper_with_address(), shopper_with_address()

    # when
    orders = [
        services.order_create(
            actor=actor_for(user),
            address_id=address.public_id,
            items=[(sku.pk, 1)],
            payment_method="alipay",
            idempotency_key="same-key",
        )
        for user, address in ((alice, alice_address), (bob, bob_address))
    ]

    # then
    assert orders[0].pk != orders[1].pk
    assert stock_of(sku).allocated == 2


def test_preview_prices_without_writing():
    # given
    shopper, address = shopper_with_address()
    sku = stocked_sku(on_hand=5, price="20.00")

    # when
    quote = services.order_preview(user=shopper, address_id=None, items=[(sku.pk, 3)])

    # then
    assert quote.goods_amount == Decimal("60.00")
    assert stock_of(sku).allocated == 0
    assert not Order.objects.exists()


def test_preview_needs_an_address_of_the_shopper():
    shopper, _ = shopper_with_address()
    sku = stocked_sku()
    with pytest.raises(NotFound):
        services.order_preview(
            user=shopper, address_id=AddressFactory().public_id, items=[(sku.pk, 1)]
        )
