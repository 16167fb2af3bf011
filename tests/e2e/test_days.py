"""A day of each role in a real browser, from where they land, with a screenshot of each step
under var/screenshots/ (git-ignored; CI keeps the folder as an artefact):

- merchant staff: the landing page -> the overdue order to ship -> a shipped parcel;
- operations: the landing page -> an appeal -> approved -> refunded;
- a shopper on a phone-sized screen: product -> cart -> checkout -> cancel at the cashier ->
  pay again -> paid.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.models import AfterSalesCase, CaseType
from logistics.seed import ensure_default_carriers
from orders.models import Order, SubOrder
from tests.accounts.factories import PASSWORD
from tests.aftersales.admin_fixtures import appealed
from tests.aftersales.factories import ask, ensure_reasons, receive
from tests.aftersales.factories import paid_sub_order as paid_sub_order_for_case
from tests.catalog.factories import MerchantFactory
from tests.catalog.factories_admin import ops_user
from tests.logistics.factories import merchant_staff, paid_sub_order
from tests.orders.factories import stocked_sku
from tests.orders.factories_web import shopper_with_address

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def snap(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def admin_sign_in(page, live_server, username):
    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()


def test_merchant_day_from_the_landing_page_to_a_shipped_parcel(page, live_server):
    # given: an order paid three days ago (overdue) and one paid now
    ensure_default_carriers()
    merchant = MerchantFactory(name="杭州茶舍")
    staff = merchant_staff(merchant, user__username="e2e-merchant")
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        overdue = paid_sub_order(merchant=merchant, items=[({}, 2)])
    paid_sub_order(merchant=merchant, items=[({}, 1)])

    # when: the merchant signs in to the admin
    admin_sign_in(page, live_server, staff.username)

    # then: their landing page, the overdue order first
    expect(page.locator("#content")).to_contain_text("杭州茶舍")
    expect(page.locator(".workbench .tile").first).to_contain_text("1 单超时")
    first_row = page.locator(".workbench table").first.locator("tbody tr").first
    expect(first_row).to_contain_text(overdue.sub_order_no)
    expect(first_row).to_contain_text("已超时")
    expect(page.locator(".workbench figure.chart svg")).to_have_count(1)
    snap(page, "merchant-1-landing")

    # when: they open it and ship it with the sandbox courier
    first_row.get_by_role("link", name=overdue.sub_order_no).click()
    page.get_by_test_id("pack-form").locator("select[name=carrier]").select_option("sandbox")
    page.get_by_test_id("pack-form").get_by_role("button").click()
    page.get_by_test_id("parcel-row").locator("select").select_option("sandbox")
    page.get_by_test_id("parcel-row").locator("input[type=text]").fill("SBX2026120301")
    snap(page, "merchant-2-pack-and-ship")
    page.get_by_test_id("ship-submit").click()

    # then
    expect(page.locator(".messagelist")).to_contain_text(f"子订单 {overdue.sub_order_no} 已发货")
    assert SubOrder.objects.get(pk=overdue.pk).status in ("shipped", "delivered")
    page.goto(f"{live_server.url}{reverse('admin:index')}")
    expect(page.locator(".workbench .tile").first).not_to_contain_text("超时")
    snap(page, "merchant-3-after-shipping")


def test_ops_day_from_the_landing_page_to_a_settled_refund(page, live_server):
    # given: a refund the merchant refused, appealed to the platform
    ensure_default_carriers()
    ensure_reasons()
    sub_order = receive(paid_sub_order_for_case(quantities=(1,)))
    case = appealed(ask(sub_order, type=CaseType.REFUND_ONLY, reason="quality"))
    ops = ops_user(username="e2e-ops")

    # when: operations sign in
    admin_sign_in(page, live_server, ops.username)

    # then: the appeal waits on their landing page
    appeals = page.locator(".workbench .tile", has_text="平台介入")
    expect(appeals).to_contain_text("1")
    snap(page, "ops-1-landing")

    # when: they open it and approve the refund
    page.locator(".workbench table a", has_text=case.case_no).first.click()
    decide = page.get_by_test_id("action-decide")
    decide.locator("input[name=decision][value=approve]").check()
    decide.locator("textarea[name=note]").fill("Photo shows the defect: refund in full.")
    snap(page, "ops-2-appeal")
    decide.locator("input[type=submit]").click()

    # then: the shopper is refunded through the (sandbox) gateway
    page.wait_for_load_state()
    assert AfterSalesCase.objects.get(pk=case.pk).status in ("refunding", "refunded")
    page.goto(f"{live_server.url}{reverse('admin:index')}")
    expect(page.locator(".workbench .tile", has_text="平台介入")).to_contain_text("0")
    snap(page, "ops-3-after-the-decision")
    assert AfterSalesCase.objects.get(pk=case.pk).status == "refunded"


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_shopper_on_a_phone_cancels_at_the_cashier_and_pays_again(phone_page, live_server):
    page = phone_page
    # given: a shopper with an address, and a product on sale
    sku = stocked_sku(price="59.00")
    shopper, _address = shopper_with_address()

    # when: they sign in and open the product
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("input[name=username]", shopper.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}{reverse('catalog:product', args=[sku.product_id])}")

    # then: the header fits in two rows and the buy bar stays in reach
    brand = page.locator(".site-header .brand").bounding_box()
    nav = page.locator(".site-header .account-nav").bounding_box()
    assert abs(brand["y"] - nav["y"]) < 12  # brand and account links share the first row
    assert page.locator(".site-header").bounding_box()["height"] < 110
    bar = page.get_by_test_id("buy-bar").bounding_box()
    assert bar["y"] <= 844 - 40  # its buttons are on the first screen
    snap(page, "shopper-1-product-on-a-phone")

    # when: add to cart, check out, place the order
    page.get_by_test_id("add-to-cart").click()
    page.goto(f"{live_server.url}{reverse('orders:checkout')}")
    snap(page, "shopper-2-checkout")
    page.get_by_test_id("place-order").click()
    page.wait_for_load_state()
    order = Order.objects.filter(user=shopper).get()

    # and on the pay page choose Alipay, then press Cancel at the cashier
    page.get_by_test_id("method-alipay").check()
    page.get_by_test_id("start-payment").click()
    page.get_by_test_id("cashier-cancel").click()

    # then: the order still waits for payment, with pay again and another method
    expect(page.get_by_test_id("payment-cancelled")).to_be_visible()
    expect(page.get_by_test_id("another-method")).to_be_visible()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    snap(page, "shopper-3-cancelled-at-the-cashier")

    # when: pay again, and this time pay
    page.get_by_test_id("pay-again").click()
    page.get_by_test_id("cashier-pay").click()

    # then: paid, and the order page says how
    expect(page).to_have_url(re.compile(rf"/orders/{order.order_no}/"))
    expect(page.get_by_test_id("payment-method")).to_contain_text("支付宝")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    snap(page, "shopper-4-paid")
