"""A shopper's checkout in a real browser: product page -> cart -> checkout -> the order.

Cash on delivery ends on the order page with its timeline; Alipay ends on the payments page
(or the order page when payments is not installed)."""

import re
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from orders.models import Order
from tests.accounts.factories import PASSWORD
from tests.orders.factories_web import sellable_sku, shopper_with_address

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shopper():
    user, address = shopper_with_address(username="e2e-shopper")
    return user, address


@pytest.fixture
def sku():
    return sellable_sku(price=Decimal("128.00"), stock=10, title="Longjing green tea 250 g")


def sign_in(page, live_server, username: str):
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
    expect(page.locator("input[name=password]")).to_have_count(0)


def add_to_cart_and_open_checkout(page, live_server, sku):
    page.goto(f"{live_server.url}{reverse('catalog:product', args=[sku.product_id])}")
    expect(page.get_by_test_id("product-title")).to_have_text(sku.product.title)
    page.get_by_test_id("add-to-cart").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}{reverse('cart:cart')}")
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile(r"/orders/checkout/"))
    expect(page.get_by_test_id("checkout-line")).to_contain_text(sku.product.title)


def test_cash_on_delivery_checkout_ends_on_the_order_with_its_timeline(
    page, live_server, shopper, sku
):
    # given
    user, address = shopper
    sign_in(page, live_server, user.username)
    add_to_cart_and_open_checkout(page, live_server, sku)
    expect(page.get_by_test_id("address-option")).to_contain_text(address.recipient)
    expect(page.get_by_test_id("payable")).to_contain_text("¥")

    # when
    page.get_by_test_id("payment-cod").click()
    page.fill("input[name=buyer_note]", "Please call before delivery")
    page.get_by_test_id("place-order").click()

    # then
    expect(page).to_have_url(re.compile(r"/orders/O\d+/$"))
    order = Order.objects.get(user=user)
    expect(page.locator("h1")).to_contain_text(order.order_no)
    expect(page.get_by_test_id("order-status")).to_have_text("待发货")
    expect(page.get_by_test_id("order-line")).to_contain_text(sku.product.title)
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("订单已提交")
    expect(timeline).to_contain_text("已确认货到付款")
    expect(page.get_by_test_id("sub-order-status")).to_have_text("待发货")
    expect(page.get_by_test_id("cart-count")).to_have_count(0)
    assert order.buyer_note == "Please call before delivery"


def test_alipay_checkout_goes_on_to_pay(page, live_server, shopper, sku):
    # given
    user, _ = shopper
    sign_in(page, live_server, user.username)
    add_to_cart_and_open_checkout(page, live_server, sku)

    # when
    page.get_by_test_id("payment-alipay").click()
    page.get_by_test_id("place-order").click()
    page.wait_for_load_state()

    # then
    order = Order.objects.get(user=user)
    assert order.status == Order.Status.PENDING_PAYMENT
    try:
        pay_path = reverse("payments:pay", args=[order.order_no])
    except NoReverseMatch:
        pay_path = None
    if pay_path:
        expect(page).to_have_url(f"{live_server.url}{pay_path}")
        expect(page.get_by_test_id("order-no")).to_have_text(order.order_no)
    else:
        expect(page).to_have_url(f"{live_server.url}/orders/{order.order_no}/")
        expect(page.get_by_test_id("order-status")).to_have_text("待付款")
