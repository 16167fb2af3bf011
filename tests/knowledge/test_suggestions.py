"""Articles suggested while a shopper fills an after-sales request: from the reason chosen,
the product's category, the order's stage and the words typed; each fetch is recorded as an
impression for the deflection figures."""

import pytest
from django.urls import reverse

from knowledge import selectors
from knowledge.models import Article, SuggestionImpression
from tests.aftersales.factories import receive, ship

pytestmark = pytest.mark.django_db


def _suggest(client, sub_order, **params):
    response = client.get(reverse("help:suggest"), {"sub_order": sub_order.sub_order_no, **params})
    assert response.status_code == 200, response.content
    return [a["slug"] for a in response.json()["articles"]]


def test_suggestions_follow_the_reason(client, paid):
    # given: a parcel on its way
    sub_order = ship(paid())
    client.force_login(sub_order.order.user)

    # when
    slugs = _suggest(client, sub_order, reason="not-delivered")

    # then
    assert slugs[0] == "parcel-not-arrived-en"
    assert len(slugs) <= 3
    assert all(s.endswith("-en") for s in slugs)  # one language, not both copies


def test_suggestions_follow_the_words_typed_in_chinese(client, paid):
    sub_order = receive(paid())
    client.force_login(sub_order.order.user)
    slugs = _suggest(client, sub_order, reason="other", q="想开发票")
    assert slugs[0] == "invoice-zh"


def test_suggestions_follow_the_category(client, paid):
    # given: the size-exchange article is linked to the product's parent category
    sub_order = receive(paid())
    product = sub_order.lines.get().sku.product
    parent = product.category.parent or product.category
    Article.objects.get(slug="exchange-size-en").categories.add(parent)
    client.force_login(sub_order.order.user)

    # when: nothing chosen yet but the category
    slugs = _suggest(client, sub_order)

    # then
    assert slugs[0] == "exchange-size-en"


def test_suggestions_leave_out_articles_of_another_stage(paid):
    # given: not shipped yet
    slugs = [
        a.slug
        for a in selectors.suggested_articles(
            reason_code="dont-want", stage="not_shipped", language="en"
        )
    ]
    # then: how to cancel, never how to send a parcel back
    assert slugs[0] == "cancel-before-shipping-en"
    assert "how-to-return-en" not in slugs


def test_each_form_visit_is_one_impression(client, paid):
    # given
    sub_order = receive(paid())
    client.force_login(sub_order.order.user)

    # when: the page loads, a reason is chosen, words are typed
    _suggest(client, sub_order)
    _suggest(client, sub_order, reason="quality")
    first = _suggest(client, sub_order, reason="quality", q="坏了")
    client.get(reverse("help:article", args=[first[0]]) + f"?from={sub_order.sub_order_no}")

    # then
    impression = SuggestionImpression.objects.get()
    assert impression.merchant_id == sub_order.merchant_id
    assert impression.reason_code == "quality"
    assert impression.opened_article.slug == first[0]


def test_someone_elses_order_gets_404(client, paid, django_user_model):
    sub_order = paid()
    client.force_login(django_user_model.objects.create_user("other", password="x"))
    response = client.get(reverse("help:suggest"), {"sub_order": sub_order.sub_order_no})
    assert response.status_code == 404
    assert not SuggestionImpression.objects.exists()


def test_the_request_form_has_the_suggestions_box(client, paid):
    sub_order = receive(paid())
    client.force_login(sub_order.order.user)
    html = client.get(reverse("aftersales:request", args=[sub_order.sub_order_no])).content
    assert b'data-testid="suggested-articles"' in html
    assert b"knowledge/suggest.js" in html


def test_suggestions_answer_with_a_bounded_number_of_queries(
    client, paid, django_assert_max_num_queries
):
    sub_order = receive(paid())
    client.force_login(sub_order.order.user)
    _suggest(client, sub_order, reason="quality")  # the impression exists: the update path
    # session, user, sub-order, categories (2), search (3), candidates (3), impression (2)
    with django_assert_max_num_queries(14):
        _suggest(client, sub_order, reason="quality", q="坏了 broken")
