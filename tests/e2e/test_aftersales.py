"""A return in a real browser, from the shopper's request to the money back: the shopper asks on
the order page (a photo of the fault, the amount the form suggests), the merchant approves in the
admin, the shopper sends the goods back with a tracking number, the merchant confirms the return
and the refund goes through the sandbox gateway; the shopper's case page shows each step."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from aftersales.models import AfterSalesCase
from aftersales.seed import ensure_reasons
from logistics.seed import ensure_default_carriers
from payments.models import Refund
from tests.accounts.factories import PASSWORD, UserFactory
from tests.aftersales.factories import paid_sub_order, receive, sandbox_tracking_no
from tests.catalog.factories import MerchantFactory
from tests.e2e.test_fulfilment import admin_sign_in
from tests.logistics.factories import merchant_staff
from tests.orders.factories import stock_of

pytestmark = pytest.mark.django_db(transaction=True)

Status = AfterSalesCase.Status


@pytest.fixture
def received():
    # A flush after another transactional test removes seeded rows.
    ensure_default_carriers()
    ensure_reasons()
    merchant = MerchantFactory(name="Suzhou Silk")
    staff = merchant_staff(merchant, user__username="e2e-aftersales-staff")
    shopper = UserFactory(username="e2e-returner")
    # 2 x ¥100 and ¥10 shipping, delivered and confirmed by the shopper.
    sub_order = receive(paid_sub_order(quantities=(2,), merchant=merchant, user=shopper))
    return staff, shopper, sub_order


def _png() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 48), (200, 30, 30)).save(buffer, format="PNG")
    return {"name": "stain.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def _act(page, action: str):
    """Press one of the case page's answer buttons in the admin."""
    page.get_by_test_id(f"action-{action}").locator("input[type=submit]").click()
    page.wait_for_load_state()


def test_a_return_from_the_storefront_through_the_admin_to_the_money_back(
    browser, page, live_server, received, login_in_browser
):
    staff, shopper, sub_order = received
    line = sub_order.lines.get()
    on_hand_before = stock_of(line.sku).on_hand

    # given: the shopper on a phone, on the order page
    login_in_browser(shopper.username, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{reverse('orders:detail', args=[sub_order.order.order_no])}")

    # when: they ask to return both units because of a stain, with a photo
    page.get_by_test_id("aftersales-request").click()
    form = page.get_by_test_id("request-form")
    form.get_by_test_id("type-return_refund").click()
    form.get_by_test_id("reason").select_option("quality")
    expect(page.locator("#evidence-hint")).to_be_visible()  # this reason needs a photo
    # the seller is responsible for a fault: the suggestion includes the shipping fee
    expect(page.get_by_test_id("max-amount")).to_have_text("¥210.00")
    expect(form.locator("[name=refund_amount]")).to_have_value("210.00")
    form.locator("[name=description]").fill("有污渍 / a stain on the sleeve")
    form.locator("[name=photos]").set_input_files(files=[_png()])
    form.get_by_test_id("submit-request").click()

    # then: the case page says it waits for the merchant
    expect(page).to_have_url(re.compile(r"/aftersales/A"))
    expect(page.get_by_test_id("case-status")).to_have_text(
        "待商家处理"
    )  # the browser asks for zh-CN
    expect(page.get_by_test_id("evidence").locator("a")).to_have_count(1)
    case = AfterSalesCase.objects.get(sub_order=sub_order)
    assert case.refund_amount == Decimal("210.00")

    # when: the merchant's staff approve it in the admin
    merchant_context = browser.new_context(viewport={"width": 1280, "height": 900})
    merchant_context.set_default_timeout(10_000)
    admin_page = merchant_context.new_page()
    try:
        admin_sign_in(admin_page, live_server, staff.username)
        admin_page.goto(f"{live_server.url}{reverse('admin:aftersales_aftersalescase_changelist')}")
        admin_page.locator("#result_list").get_by_role("link", name=case.case_no).click()
        expect(admin_page.get_by_test_id("case-summary")).to_contain_text("Awaiting the merchant")
        _act(admin_page, "approve")
        expect(admin_page.locator(".messagelist")).to_be_visible()

        # then: the shopper is told where to send the goods, and sends them
        page.reload()
        expect(page.get_by_test_id("case-status")).to_have_text("待买家退货")
        expect(page.get_by_test_id("return-address")).to_contain_text("退货路 1 号")
        return_form = page.get_by_test_id("return-form")
        return_form.locator("select[name=carrier]").select_option("sandbox")
        tracking_no = sandbox_tracking_no()
        return_form.locator("input[name=tracking_no]").fill(tracking_no)
        page.get_by_test_id("submit-return").click()
        expect(page.get_by_test_id("return-form")).to_have_count(0)
        expect(page.get_by_test_id("timeline")).to_contain_text(tracking_no)

        # when: the parcel arrives and the merchant confirms it, fit to sell again
        admin_page.reload()
        receive_form = admin_page.get_by_test_id("action-receive_return")
        receive_form.locator("input[name=resellable][value=yes]").check()
        _act(admin_page, "receive_return")
        expect(admin_page.locator(".messagelist")).to_be_visible()

        # then: the shopper sees the money back on the case page
        page.reload()
        expect(page.get_by_test_id("case-status")).to_have_text("退款成功")
        refund_row = page.get_by_test_id("refund")
        expect(refund_row).to_have_count(1)
        expect(refund_row).to_contain_text("¥210.00")
    finally:
        merchant_context.close()

    # and the books agree: one refund of ¥210 succeeded, both units back on the shelf
    refunds = list(Refund.objects.filter(payment__order=sub_order.order))
    assert [(r.amount, r.status) for r in refunds] == [(Decimal("210.00"), Refund.Status.SUCCEEDED)]
    assert AfterSalesCase.objects.get(pk=case.pk).status == Status.REFUNDED
    assert stock_of(line.sku).on_hand == on_hand_before + 2
