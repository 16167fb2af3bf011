"""In a real browser under the strict policy (script-src 'self'): the order page's scripts run,
the browser reports no blocked script, cancelling asks first with the translated question, and
the API docs (Swagger UI) still render."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from orders.models import Order
from tests.e2e.test_checkout import sign_in
from tests.orders.factories_web import place_order, shopper_with_address

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_order_page_scripts_run_and_cancel_asks_before_it_is_sent(page, live_server):
    # given: an order awaiting payment, and a browser that records what the policy blocks
    user, address = shopper_with_address(username="csp-shopper")
    order = place_order(user=user, address=address)
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, live_server, user.username)
    page.goto(f"{live_server.url}{reverse('orders:detail', args=[order.order_no])}")

    # then: the countdown script (a static file) runs: the time left (m:ss) ticks down
    countdown = page.get_by_test_id("payment-countdown")
    expect(countdown).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(countdown).not_to_have_text(countdown.text_content(), timeout=3_000)

    # when: the shopper says no to the question
    questions = []

    def answer_no(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer_no)
    page.get_by_test_id("cancel-order").click()

    # then: the question was asked in Chinese, and nothing was sent
    with translation.override("zh-hans"):
        expected_question = translation.gettext("Cancel this order?")
    assert questions == [expected_question]
    assert expected_question != "Cancel this order?"  # the catalogue's translation reached the JS
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT

    # when: the shopper says yes
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("cancel-order").click()

    # then: the order is cancelled, and no script was blocked along the way
    expect(page.get_by_test_id("pending-actions")).to_have_count(0)
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert blocked == []


def test_the_api_docs_render_under_the_policy(page, live_server):
    # given: a browser that records what the policy blocks
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    # when: a developer opens the API docs
    page.goto(f"{live_server.url}/api/docs/")

    # then: Swagger UI (its init script a file of ours, not inline) lists the API
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Shop API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert blocked == []
