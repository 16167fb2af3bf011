"""GET /api/help/articles/?search=&reason=&category=&stage=, GET /api/help/articles/{slug}/,
POST /api/help/articles/{slug}/feedback/."""

import pytest

from knowledge.models import Article
from tests.catalog.factories import CategoryFactory

pytestmark = pytest.mark.django_db
LIST = "/api/help/articles/"


def test_search_ranks_with_bounded_queries(api_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = api_client.get(LIST, {"search": "退货"})
    assert response.status_code == 200
    assert response.json()["results"][0]["slug"] == "how-to-return-zh"


def test_filter_by_reason_and_stage(api_client):
    # when
    by_reason = api_client.get(LIST, {"reason": "not-delivered"}).json()["results"]
    by_stage = api_client.get(LIST, {"stage": "not_shipped", "language": "en"}).json()["results"]

    # then
    assert {a["slug"] for a in by_reason} == {"parcel-not-arrived-zh", "parcel-not-arrived-en"}
    slugs = {a["slug"] for a in by_stage}
    assert "cancel-before-shipping-en" in slugs and "how-to-return-en" not in slugs


def test_filter_by_category_includes_the_categories_above(api_client):
    # given: an article for clothing answers for shirts
    clothing = CategoryFactory(slug="clothing")
    shirts = CategoryFactory(slug="shirts", parent=clothing)
    Article.objects.get(slug="exchange-size-en").categories.add(clothing, shirts)

    # when
    results = api_client.get(LIST, {"category": shirts.slug}).json()["results"]

    # then
    assert [a["slug"] for a in results] == ["exchange-size-en"]
    assert api_client.get(LIST, {"category": "no-such"}).json()["results"] == []


def test_bad_filters_are_400(api_client):
    response = api_client.get(LIST, {"stage": "everywhere"})
    assert response.status_code == 400
    assert "stage" in str(response.json())


def test_article_detail_has_safe_html(api_client):
    # when
    data = api_client.get(f"{LIST}refund-arrival-en/").json()

    # then
    assert data["title"].startswith("When does my refund arrive")
    assert "<table>" in data["body_html"]
    assert set(data) >= {"body", "reasons", "helpful_count", "topic"}
    assert api_client.get(f"{LIST}no-such/").status_code == 404


def test_feedback(api_client, django_user_model):
    # given
    user = django_user_model.objects.create_user("fb", password="x")
    api_client.force_authenticate(user)

    # when
    first = api_client.post(f"{LIST}invoice-en/feedback/", {"helpful": True}, format="json")
    again = api_client.post(f"{LIST}invoice-en/feedback/", {"helpful": True}, format="json")
    bad = api_client.post(f"{LIST}invoice-en/feedback/", {"helpful": "perhaps"}, format="json")
    missing = api_client.post(f"{LIST}nope/feedback/", {"helpful": True}, format="json")

    # then
    assert first.status_code == 200 and first.json()["helpful_count"] == 1
    assert again.json()["helpful_count"] == 1  # one answer per user
    assert bad.status_code == 400 and missing.status_code == 404


def test_help_endpoints_are_in_the_schema(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (LIST, "/api/help/articles/{slug}/", "/api/help/articles/{slug}/feedback/"):
        assert path in schema
