"""Storefront order pages: checkout (cart or buy now, coupon, idempotent submit, errors kept on
the page), my orders with tabs, one order with its timeline, cancel and confirm receipt."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from catalog.actors import SYSTEM
from catalog.models import CartItem, StockRecord
from orders import services
from orders.models import Order, PaymentMethod
from shop.accounts.models import Coupon, HeldCoupon
from tests.accounts.factories import UserFactory
from tests.orders.factories_web import (
    cod_order,
    place_order,
    put_in_cart,
    sellable_sku,
    shipped_order,
    shopper_with_address,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(client):
    user, address = shopper_with_address()
    client.force_login(user)
    return user, address


def checkout_page(client, **query):
    return client.get(reverse("orders:checkout"), query)


def place(client, address, **fields):
    data = {
        "address_id": str(address.public_id),
        "payment_method": PaymentMethod.COD,
        "coupon_code": "",
        "buyer_note": "",
        "idempotency_key": "form-key-1",
        "action": "place",
        **fields,
    }
    return client.post(reverse("orders:checkout"), data)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Checkout


def test_checkout_requires_sign_in(client):
    response = checkout_page(client)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_checkout_shows_the_cart_priced_for_my_address(shopper, client):
    # given
    user, address = shopper
    sku = sellable_sku(price=Decimal("45.50"), title="Oolong tea")
    put_in_cart(user, sku, quantity=2)

    # when
    response = checkout_page(client)

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "Oolong tea" in html
    assert sku.product.merchant.name in html
    assert "¥91.00" in html
    quote = response.context["quote"]
    assert html.count('data-testid="breakdown-row"') >= 1
    assert f"¥{quote.payable_amount:,.2f}" in html
    assert address.recipient in html
    for label in ("Alipay", "WeChat Pay", "Cash on delivery"):
        assert label in html
    assert response.context["form"].initial["idempotency_key"]
    assert 'name="idempotency_key"' in html


def test_buy_now_checks_out_one_sku_without_the_cart(shopper, client):
    user, _ = shopper
    in_cart = sellable_sku(title="In the cart")
    put_in_cart(user, in_cart)
    buy_now = sellable_sku(price=Decimal("10.00"), title="Bought now")

    response = checkout_page(client, sku_id=buy_now.pk, quantity=3)

    html = response.content.decode()
    assert "Bought now" in html
    assert "In the cart" not in html
    assert response.context["quote"].goods_amount == Decimal("30.00")


def test_an_empty_cart_sends_the_shopper_back_to_the_cart(shopper, client):
    response = checkout_page(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:cart")


def test_a_bad_buy_now_quantity_is_a_message_not_an_error(shopper, client):
    response = checkout_page(client, sku_id=sellable_sku().pk, quantity="lots")

    assert response.status_code == 302


def test_cash_on_delivery_places_the_order_and_shows_it(shopper, client):
    # given
    user, address = shopper
    sku = sellable_sku(stock=5)
    put_in_cart(user, sku, quantity=2)

    # when
    response = place(client, address, buyer_note="Ring twice")

    # then
    order = Order.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:detail", args=[order.order_no])
    assert order.status == Order.Status.PAID
    assert order.payment_method == PaymentMethod.COD
    assert order.buyer_note == "Ring twice"
    assert order.sub_orders.count() == 1
    assert not CartItem.objects.filter(cart__user=user).exists()
    assert StockRecord.objects.get(sku=sku).sellable == 3


def test_online_payment_goes_on_to_pay(shopper, client):
    user, address = shopper
    put_in_cart(user, sellable_sku())

    response = place(client, address, payment_method=PaymentMethod.ALIPAY)

    order = Order.objects.get(user=user)
    assert order.status == Order.Status.PENDING_PAYMENT
    try:
        expected = reverse("payments:pay", args=[order.order_no])
    except NoReverseMatch:
        expected = reverse("orders:detail", args=[order.order_no])
    assert response["Location"] == expected


def test_a_double_submit_places_one_order(shopper, client):
    # given
    user, address = shopper
    sku = sellable_sku(stock=5)

    # when: the same rendered form is sent twice
    first = place(client, address, sku_id=sku.pk, quantity=1, idempotency_key="same")
    second = place(client, address, sku_id=sku.pk, quantity=1, idempotency_key="same")

    # then
    assert Order.objects.filter(user=user).count() == 1
    assert first["Location"] == second["Location"]
    assert StockRecord.objects.get(sku=sku).sellable == 4


def test_a_form_without_its_key_is_priced_again_not_placed(shopper, client):
    user, address = shopper
    put_in_cart(user, sellable_sku())

    response = place(client, address, idempotency_key="")

    assert response.status_code == 200
    assert not Order.objects.exists()
    assert any("out of date" in m for m in messages_of(response))
    assert response.context["form"]["idempotency_key"].value()


def test_resubmitting_the_form_of_a_cancelled_cod_order_shows_it(shopper, client):
    # given: an order placed with this form, cancelled before its COD confirmation
    user, address = shopper
    sku = sellable_sku()
    order = place_order(user=user, address=address, sku=sku, key="used-key", payment_method="cod")
    client.post(reverse("orders:cancel", args=[order.order_no]))

    # when: the same form (same key, same order) is sent again
    response = place(client, address, idempotency_key="used-key", sku_id=sku.pk, quantity=1)

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:detail", args=[order.order_no])
    assert Order.objects.filter(user=user).count() == 1


def test_an_invalid_coupon_is_shown_and_nothing_typed_is_lost(shopper, client):
    user, address = shopper
    put_in_cart(user, sellable_sku())

    response = place(client, address, coupon_code="NOPE", buyer_note="Please gift-wrap")

    assert response.status_code == 200
    assert not Order.objects.exists()
    html = response.content.decode()
    assert response.context["form"].errors["coupon_code"]
    assert 'value="Please gift-wrap"' in html
    assert 'value="NOPE"' in html
    assert response.context["quote"] is not None  # still priced, without the coupon


def test_a_held_coupon_reprices_the_checkout(shopper, client):
    # given
    user, address = shopper
    put_in_cart(user, sellable_sku(price=Decimal("100.00")))
    now = timezone.now()
    coupon = Coupon.objects.create(
        code="SAVE10",
        name="10 off",
        kind=Coupon.Kind.FIXED,
        value=Decimal("10.00"),
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=1),
    )
    HeldCoupon.objects.create(user=user, coupon=coupon)
    before = checkout_page(client).context["quote"].payable_amount

    # when
    response = client.post(
        reverse("orders:checkout"),
        {
            "address_id": str(address.public_id),
            "payment_method": "alipay",
            "coupon_code": "SAVE10",
            "idempotency_key": "k",
            "action": "reprice",
        },
    )

    # then
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert response.context["quote"].payable_amount == before - Decimal("10.00")
    assert not Order.objects.exists()


def test_a_coupon_can_be_picked_from_the_shoppers_coupons(shopper, client):
    # given
    user, address = shopper
    put_in_cart(user, sellable_sku(price=Decimal("100.00")))
    now = timezone.now()
    coupon = Coupon.objects.create(
        code="PICKME",
        name="5 off anything",
        kind=Coupon.Kind.FIXED,
        value=Decimal("5.00"),
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=1),
    )
    HeldCoupon.objects.create(user=user, coupon=coupon)
    page = checkout_page(client)
    assert 'data-testid="coupon-PICKME"' in page.content.decode()

    # when
    response = client.post(
        reverse("orders:checkout"),
        {
            "address_id": str(address.public_id),
            "payment_method": "alipay",
            "idempotency_key": "k",
            "use_coupon": "PICKME",
            "action": "place",
        },
    )

    # then: priced with the coupon, not placed yet
    assert response.status_code == 200
    assert response.context["quote"].payable_amount == page.context["quote"].payable_amount - 5
    assert response.context["form"]["coupon_code"].value() == "PICKME"
    assert not Order.objects.exists()


def test_out_of_stock_is_a_message_on_the_checkout_page(shopper, client):
    user, address = shopper
    sku = sellable_sku(stock=1)

    response = place(client, address, sku_id=sku.pk, quantity=2, buyer_note="Kept")

    assert response.status_code == 200
    assert any("stock" in m.lower() for m in messages_of(response))
    assert not Order.objects.exists()
    assert 'value="Kept"' in response.content.decode()


def test_without_an_address_the_shopper_is_asked_to_add_one(client):
    user = UserFactory()
    client.force_login(user)
    put_in_cart(user, sellable_sku())

    response = checkout_page(client)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="no-address"' in html
    assert reverse("accounts:address_add") in html
    assert any("address" in m.lower() for m in messages_of(response))
    placed = client.post(
        reverse("orders:checkout"),
        {"payment_method": "cod", "idempotency_key": "k", "action": "place"},
    )
    assert placed.status_code == 200
    assert placed.context["form"].errors["address_id"]
    assert not Order.objects.exists()


def test_someone_elses_address_cannot_be_used(shopper, client):
    user, _ = shopper
    _, their_address = shopper_with_address()
    put_in_cart(user, sellable_sku())

    response = place(client, their_address)

    assert response.status_code == 200
    assert not Order.objects.exists()


# My orders


def test_my_orders_lists_only_mine_with_tabs(shopper, client):
    # given
    user, address = shopper
    pending = place_order(user=user, address=address)
    to_ship = cod_order(user=user, address=address)
    other, other_address = shopper_with_address()
    theirs = place_order(user=other, address=other_address)

    # when
    everything = client.get(reverse("orders:list")).content.decode()
    unpaid = client.get(reverse("orders:list"), {"status": "awaiting_payment"}).content.decode()

    # then
    assert pending.order_no in everything and to_ship.order_no in everything
    assert theirs.order_no not in everything
    assert "Awaiting payment" in everything and "Awaiting shipment" in everything
    assert pending.order_no in unpaid and to_ship.order_no not in unpaid
    for tab in ("All", "Awaiting payment", "Awaiting shipment", "Shipped", "Completed", "Closed"):
        assert f">{tab}</a>" in everything


def test_an_order_with_one_of_two_parcels_shipped_is_under_the_shipped_tab(shopper, client):
    # given: goods of two merchants, so two parcels; only the first has left
    user, address = shopper
    order = cod_order(user=user, address=address, skus=[sellable_sku(), sellable_sku()])
    first, second = order.sub_orders.order_by("pk")
    services.sub_order_ship(sub_order_id=first.pk, actor=SYSTEM)

    # when
    shipped = client.get(reverse("orders:list"), {"status": "shipped"}).content.decode()
    to_ship = client.get(reverse("orders:list"), {"status": "awaiting_shipment"}).content.decode()

    # then
    assert order.order_no in shipped
    assert order.order_no not in to_ship


def test_my_orders_is_paginated(shopper, client):
    user, address = shopper
    sku = sellable_sku()
    orders = [place_order(user=user, address=address, sku=sku) for _ in range(12)]

    first = client.get(reverse("orders:list")).content.decode()
    second = client.get(reverse("orders:list"), {"page": 2}).content.decode()

    assert orders[-1].order_no in first and orders[0].order_no not in first
    assert orders[0].order_no in second
    assert "Page 1 of 2" in first


def test_my_orders_costs_the_same_queries_for_2_or_10_orders(
    shopper, client, django_assert_max_num_queries
):
    user, address = shopper
    sku = sellable_sku()
    for _ in range(2):
        cod_order(user=user, address=address, sku=sku)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("orders:list"))
    for _ in range(8):
        cod_order(user=user, address=address, sku=sku)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("orders:list"))

    assert len(response.context["rows"]) == 10


# One order


def test_a_pending_order_shows_pay_and_cancel_with_its_deadline(shopper, client):
    user, address = shopper
    order = place_order(user=user, address=address)

    response = client.get(reverse("orders:detail", args=[order.order_no]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="cancel-order"' in html
    assert 'data-testid="payment-deadline"' in html
    assert timezone.localtime(order.payment_due_at).strftime("%Y-%m-%d %H:%M") in html
    assert 'data-testid="payment-countdown"' in html
    assert 0 < response.context["seconds_to_pay"] <= 30 * 60
    assert "Order placed" in html
    assert address.detail in html
    if response.context["pay_url"]:
        assert 'data-testid="pay"' in html


def test_a_shipped_order_shows_parcels_timeline_and_confirm_receipt(
    shopper, client, django_assert_max_num_queries
):
    user, address = shopper
    order = shipped_order(user=user, address=address, quantity=2)
    sub_order = order.sub_orders.get()

    with django_assert_max_num_queries(12):
        response = client.get(reverse("orders:detail", args=[order.order_no]))

    html = response.content.decode()
    assert sub_order.sub_order_no in html
    assert 'data-testid="confirm-receipt"' in html
    assert 'data-testid="cancel-order"' not in html
    assert html.count('data-testid="timeline-event"') == 4
    assert "Parcel shipped" in html and "Confirmed for cash on delivery" in html
    assert html.index("Parcel shipped") < html.index("Order placed")  # newest first


def test_an_order_page_costs_the_same_queries_for_1_or_4_merchants(
    shopper, client, django_assert_max_num_queries
):
    # given
    user, address = shopper
    small = shipped_order(user=user, address=address)
    large = shipped_order(user=user, address=address, skus=[sellable_sku() for _ in range(4)])
    assert large.sub_orders.count() == 4
    with django_assert_max_num_queries(12) as one_merchant:
        client.get(reverse("orders:detail", args=[small.order_no]))

    # when / then
    with django_assert_max_num_queries(len(one_merchant.captured_queries)):
        response = client.get(reverse("orders:detail", args=[large.order_no]))
    assert response.content.decode().count('data-testid="confirm-receipt"') == 4


def test_another_shoppers_order_is_not_found(shopper, client):
    _, _ = shopper
    other, other_address = shopper_with_address()
    theirs = place_order(user=other, address=other_address)

    assert client.get(reverse("orders:detail", args=[theirs.order_no])).status_code == 404
    assert client.post(reverse("orders:cancel", args=[theirs.order_no])).status_code == 404
    assert Order.objects.get(pk=theirs.pk).status == Order.Status.PENDING_PAYMENT


def test_cancel_closes_a_pending_order(shopper, client):
    user, address = shopper
    sku = sellable_sku(stock=2)
    order = place_order(user=user, address=address, sku=sku)

    response = client.post(reverse("orders:cancel", args=[order.order_no]), follow=True)

    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert StockRecord.objects.get(sku=sku).sellable == 2
    assert "Order cancelled" in response.content.decode()


def test_cancel_of_a_paid_order_is_refused_with_a_message(shopper, client):
    user, address = shopper
    order = cod_order(user=user, address=address)

    response = client.post(reverse("orders:cancel", args=[order.order_no]), follow=True)

    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert any("cannot" in m.lower() for m in messages_of(response))


def test_cancel_needs_a_post(shopper, client):
    user, address = shopper
    order = place_order(user=user, address=address)

    assert client.get(reverse("orders:cancel", args=[order.order_no])).status_code == 405


def test_confirm_receipt_of_a_parcel(shopper, client):
    user, address = shopper
    order = shipped_order(user=user, address=address)
    sub_order = order.sub_orders.get()

    response = client.post(reverse("orders:confirm_receipt", args=[sub_order.sub_order_no]))

    assert response["Location"] == reverse("orders:detail", args=[order.order_no])
    assert order.sub_orders.get().status == "received"
    page = client.get(response["Location"]).content.decode()
    assert "Receipt confirmed" in page
    assert 'data-testid="confirm-receipt"' not in page


def test_confirm_receipt_of_someone_elses_parcel_is_not_found(shopper, client):
    other, other_address = shopper_with_address()
    theirs = shipped_order(user=other, address=other_address).sub_orders.get()

    response = client.post(reverse("orders:confirm_receipt", args=[theirs.sub_order_no]))

    assert response.status_code == 404
