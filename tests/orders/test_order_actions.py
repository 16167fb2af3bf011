"""What "My orders" and the order page offer to do next: pay, confirm receipt, review,
after-sales, buy again; and the order's wording once its parcels move."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.actors import actor_for
from catalog.models import CartItem
from orders import services
from orders.models import PaymentMethod
from tests.orders.factories import paid_order, place_order, shipped_sub_order, stocked_sku

pytestmark = pytest.mark.django_db


def _actions(client) -> str:
    html = client.get(reverse("orders:list")).content.decode()
    return html[html.index('data-testid="order-actions"') :]


def test_the_list_offers_pay_on_an_unpaid_order_and_confirm_on_a_shipped_one(client):
    # given
    sku = stocked_sku()
    unpaid = place_order(items=[(sku, 1)])
    client.force_login(unpaid.user)

    # then
    assert 'data-testid="row-pay"' in _actions(client)

    # given a shipped order of another shopper's
    sub_order = shipped_sub_order(items=[(stocked_sku(), 1)])
    client.force_login(sub_order.order.user)
    actions = _actions(client)
    assert 'data-testid="row-confirm-receipt"' in actions
    assert 'data-testid="row-aftersales"' in actions
    assert 'data-testid="row-pay"' not in actions


def test_the_list_asks_no_query_per_row(client, django_assert_max_num_queries):
    # given ten orders
    sku = stocked_sku(on_hand=100)
    first = paid_order(items=[(sku, 1)])
    for _ in range(9):
        paid_order(user=first.user, items=[(sku, 1)])
    client.force_login(first.user)

    # then
    with django_assert_max_num_queries(12):
        assert client.get(reverse("orders:list")).status_code == 200


def test_buy_again_puts_a_cancelled_orders_items_back_in_the_cart(client):
    # given a cancelled order of two items
    sku = stocked_sku(on_hand=10, price="20.00")
    order = place_order(items=[(sku, 2)])
    services.order_cancel(order_no=order.order_no, actor=actor_for(order.user))
    client.force_login(order.user)
    assert (
        'data-testid="buy-again"'
        in client.get(reverse("orders:detail", args=[order.order_no])).content.decode()
    )

    # when
    response = client.post(reverse("orders:buy_again", args=[order.order_no]))

    # then
    assert response.status_code == 302 and response.url == reverse("catalog:cart")
    assert CartItem.objects.get(cart__user=order.user, sku=sku).quantity == 2


def test_buy_again_of_another_shoppers_order_is_not_found(client):
    order = place_order(items=[(stocked_sku(), 1)])
    services.order_cancel(order_no=order.order_no, actor=actor_for(order.user))
    client.force_login(place_order(items=[(stocked_sku(), 1)]).user)

    response = client.post(reverse("orders:buy_again", args=[order.order_no]))

    assert response.status_code == 404


def test_buy_again_takes_what_is_left_and_says_what_is_missing(client):
    # given: 3 were ordered, the order closed, then stock dropped to 1
    sku = stocked_sku(on_hand=3)
    order = place_order(items=[(sku, 3)])
    services.order_cancel(order_no=order.order_no, actor=actor_for(order.user))
    paid_order(items=[(sku, 2)])
    client.force_login(order.user)

    # when
    response = client.post(reverse("orders:buy_again", args=[order.order_no]), follow=True)

    # then
    assert CartItem.objects.get(cart__user=order.user, sku=sku).quantity == 1
    assert "Only 1" in response.content.decode()


def test_the_timeline_does_not_say_the_parcel_was_handed_over_at_payment(client):
    order = paid_order(items=[(stocked_sku(), 1)])
    client.force_login(order.user)

    page = client.get(reverse("orders:detail", args=[order.order_no])).content.decode()

    assert "Parcel handed to the merchant" not in page
    assert "Sent to the merchant to pack and ship" in page


def test_a_cash_on_delivery_order_is_told_how_it_is_paid(client):
    order = place_order(items=[(stocked_sku(price="30.00"), 1)], payment_method=PaymentMethod.COD)
    order = services.order_cod_confirm(order_no=order.order_no, actor=actor_for(order.user))
    client.force_login(order.user)

    page = client.get(reverse("orders:detail", args=[order.order_no])).content.decode()

    assert "pay the courier" in page
    assert order.payable_amount == Decimal("30.00")
