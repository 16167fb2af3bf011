"""In a real browser: a shopper checks out two merchants' goods, pays on the sandbox cashier,
and the order page shows the order paid and split into one parcel per merchant."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from orders.models import Order
from tests.e2e.test_checkout import sign_in
from tests.orders.factories_web import put_in_cart, sellable_sku, shopper_with_address

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_shopper_pays_on_the_sandbox_cashier_and_sees_the_order_split(page, live_server):
    # given: goods of two merchants in the cart
    user, _ = shopper_with_address(username="cashier-shopper")
    tea = sellable_sku(price=Decimal("128.00"), stock=5, title="Longjing green tea 250 g")
    cup = sellable_sku(price=Decimal("39.90"), stock=5, title="Celadon tea cup")
    put_in_cart(user, tea)
    put_in_cart(user, cup)
    sign_in(page, live_server, user.username)
    page.goto(f"{live_server.url}{reverse('orders:checkout')}")
    page.get_by_test_id("payment-alipay").click()
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("order-no")).to_be_visible()
    order = Order.objects.get(user=user)

    # when: Alipay on the pay page, then Pay on the cashier
    page.get_by_test_id("method-alipay").check()
    page.get_by_test_id("start-payment").click()
    expect(page.get_by_test_id("cashier-amount")).to_have_text(f"¥{order.payable_amount:,.2f}")
    expect(page.get_by_test_id("cashier-order-no")).to_have_text(order.order_no)
    page.get_by_test_id("cashier-pay").click()

    # then: back on the order page, paid, one parcel per merchant
    expect(page).to_have_url(re.compile(rf"/orders/{order.order_no}/$"))
    expect(page.get_by_test_id("order-status")).to_have_text("待发货")
    expect(page.get_by_test_id("sub-order")).to_have_count(2)
    expect(page.get_by_test_id("timeline")).to_contain_text("已付款")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
