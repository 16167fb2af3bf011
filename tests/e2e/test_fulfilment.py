"""Fulfilment in a real browser: a merchant packs and ships a paid sub-order in the admin, the
sandbox courier's signed events (played eagerly, through the real webhook handler) reach the
shopper's order page, the shopper confirms receipt and reviews what came."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from logistics.seed import ensure_default_carriers
from orders.models import SubOrder
from tests.accounts.factories import PASSWORD, UserFactory
from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import merchant_staff, paid_sub_order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paid():
    ensure_default_carriers()  # a flush after another transactional test removes seeded rows
    merchant = MerchantFactory(name="Hangzhou Tea House")
    staff = merchant_staff(merchant, user__username="e2e-packer")
    shopper = UserFactory(username="e2e-buyer")
    sub_order = paid_sub_order(merchant=merchant, user=shopper, items=[({}, 2)])
    return staff, shopper, sub_order


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (40, 140, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def admin_sign_in(page, live_server, username):
    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()


def test_a_merchant_ships_and_the_shopper_follows_and_confirms(browser, page, live_server, paid):
    staff, shopper, sub_order = paid

    # given: the merchant's staff in the admin's fulfilment queue
    admin_sign_in(page, live_server, staff.username)
    page.goto(f"{live_server.url}{reverse('admin:logistics_fulfilmentqueue_changelist')}")
    row = page.locator("tr", has_text=sub_order.sub_order_no)
    expect(row).to_contain_text("未打包")

    # when: pack with the sandbox courier and ship with a tracking number
    row.get_by_role("link", name="打包发货").click()
    page.get_by_test_id("pack-form").locator("select[name=carrier]").select_option("sandbox")
    page.get_by_test_id("pack-form").get_by_role("button").click()
    expect(page.get_by_test_id("parcel-row")).to_have_count(1)
    page.get_by_test_id("parcel-row").locator("select").select_option("sandbox")
    page.get_by_test_id("parcel-row").locator("input[type=text]").fill("SBX2026112501")
    page.get_by_test_id("ship-submit").click()

    # then: back on the queue, which no longer lists it
    expect(page.locator(".messagelist")).to_contain_text(f"子订单 {sub_order.sub_order_no} 已发货")
    expect(page.locator("#result_list")).to_have_count(0)

    # when: the shopper opens the order (the courier's events arrived meanwhile)
    shopper_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    shopper_context.set_default_timeout(10_000)
    shopper_page = shopper_context.new_page()
    try:
        shopper_page.goto(f"{live_server.url}{reverse('accounts:login')}")
        shopper_page.fill("input[name=username]", shopper.username)
        shopper_page.fill("input[name=password]", PASSWORD)
        shopper_page.locator("main form").filter(
            has=shopper_page.locator("input[name=password]")
        ).locator("button[type=submit]").click()
        shopper_page.wait_for_load_state()
        shopper_page.goto(
            f"{live_server.url}{reverse('orders:detail', args=[sub_order.order.order_no])}"
        )

        # then: the parcel's tracking, newest first, ends with "signed for"
        expect(shopper_page.get_by_test_id("tracking-no")).to_have_text("SBX2026112501")
        events = shopper_page.get_by_test_id("tracking-event")
        expect(events).to_have_count(4)
        expect(events.first).to_contain_text("Signed for")
        expect(events.last).to_contain_text("Parcel collected")
        expect(shopper_page.get_by_test_id("sub-order-status")).to_have_text("已送达")

        # when: the shopper confirms receipt
        shopper_page.on("dialog", lambda dialog: dialog.accept())
        shopper_page.get_by_test_id("confirm-receipt").click()

        # then
        expect(shopper_page).to_have_url(re.compile(r"/orders/"))
        expect(shopper_page.get_by_test_id("sub-order-status")).to_have_text("已收货")
        assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.RECEIVED

        # when: invited to review, the shopper gives 5 stars, a few words and a photo
        line = sub_order.lines.get()
        shopper_page.get_by_test_id(f"review-line-{line.pk}").click()
        shopper_page.locator("label[for=rating-5]").click()
        shopper_page.get_by_test_id("review-text").fill("Fragrant and fresh, well packed.")
        shopper_page.get_by_test_id("review-images").set_input_files(
            files=[{"name": "tea.png", "mimeType": "image/png", "buffer": _png_bytes()}]
        )
        shopper_page.get_by_test_id("submit-review").click()

        # then: the invitation is gone and the product page shows the review with its photo
        expect(shopper_page.locator(".messages")).to_contain_text("感谢你的评价")
        expect(shopper_page.get_by_test_id("review-invite")).to_have_count(0)
        shopper_page.goto(
            f"{live_server.url}{reverse('catalog:product', args=[line.sku.product_id])}"
        )
        expect(shopper_page.get_by_test_id("rating-average")).to_have_text("5.0")
        review = shopper_page.get_by_test_id("review")
        expect(review.get_by_test_id("review-text")).to_have_text(
            "Fragrant and fresh, well packed."
        )
        expect(review.get_by_test_id("review-image")).to_have_count(1)
    finally:
        shopper_context.close()
