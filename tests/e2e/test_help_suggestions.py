"""A shopper starts an after-sales request, reads a suggested help article, goes back to the
form and types a question: the suggestions follow, and the visit is recorded for deflection.
And an author's script in an article never runs in the browser."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from aftersales.models import AfterSalesCase
from aftersales.seed import ensure_reasons
from catalog.actors import actor_for
from knowledge import services
from knowledge.models import SuggestionImpression
from knowledge.seed import ensure_help_content
from logistics.seed import ensure_default_carriers
from tests.accounts.factories import PASSWORD, UserFactory
from tests.aftersales.factories import paid_sub_order, receive

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def received(settings, tmp_path):
    settings.PAYMENT_SANDBOX_DIR = str(tmp_path / "sandbox")
    # A flush after another transactional test removes the seeded rows.
    ensure_default_carriers()
    ensure_reasons()
    ensure_help_content()
    shopper = UserFactory(username="e2e-reader")
    return receive(paid_sub_order(user=shopper))


def test_a_shopper_reads_a_suggested_article_during_a_request(page, live_server, received):
    sub_order = received
    # given: the shopper on the request form of a received order
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "e2e-reader")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    request_url = reverse("aftersales:request", args=[sub_order.sub_order_no])
    page.goto(f"{live_server.url}{request_url}")

    # when: a return for a quality problem
    page.get_by_test_id("type-return_refund").click()
    page.get_by_test_id("reason").select_option("quality")

    # then: up to three articles, the one about faulty goods among them, in the shopper's
    # language (the browser asks for zh-CN)
    suggestions = page.get_by_test_id("suggested-article")
    expect(page.get_by_test_id("suggested-articles")).to_be_visible()
    expect(suggestions.first).to_be_visible()
    assert suggestions.count() <= 3
    expect(page.get_by_test_id("suggested-articles")).to_contain_text("破损、有质量问题或发错货")

    # when: the shopper reads it
    page.get_by_role("link", name="收到的商品破损、有质量问题或发错货").click()

    # then: the article, and a way back to the request
    expect(page.get_by_test_id("help-article")).to_contain_text("请先拍照")
    page.get_by_test_id("back-to-request-link").click()
    expect(page.get_by_test_id("request-form")).to_be_visible()

    # when: typing a question instead
    page.locator("[name=description]").fill("退款多久到账")

    # then: the suggestions follow the words
    expect(page.get_by_test_id("suggested-articles")).to_contain_text("退款多久到账？")

    # and: one visit recorded with the article read, no case filed
    impression = SuggestionImpression.objects.get(sub_order=sub_order)
    assert impression.opened_article.slug == "damaged-quality-zh"
    assert not AfterSalesCase.objects.filter(sub_order=sub_order).exists()


def test_a_script_in_an_article_is_not_executed(page, live_server):
    # given: an author pasted HTML with scripts into a published article
    ensure_reasons()
    author = get_user_model().objects.create_user("e2e-author", password=PASSWORD)
    services.article_save(
        actor=actor_for(author),
        title="Pasted HTML",
        slug="pasted-html",
        status="published",
        body='<script>window.pwned = 1</script>\n\n<img src="x" onerror="window.pwned = 2">\n\n'
        "[click](javascript:window.pwned=3)",
    )

    # when
    page.goto(f"{live_server.url}{reverse('help:article', args=['pasted-html'])}")
    page.get_by_test_id("help-article-body").get_by_text("click").click()

    # then: nothing ran, the text of the tags is visible
    assert page.evaluate("window.pwned === undefined")
    expect(page.get_by_test_id("help-article-body")).to_contain_text(
        "<script>window.pwned = 1</script>"
    )
