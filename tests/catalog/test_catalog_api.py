"""Catalogue API: /api/categories/, /api/products/."""

from decimal import Decimal

import pytest

from catalog.models import Product
from tests.catalog.factories import (
    ProductImageFactory,
    SearchCatalogue,
    SKUFactory,
    StockRecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return SearchCatalogue()


def titles(response) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


# --- Catalogue ----------------------------------------------------------------------------


def test_category_tree(api_client, cat):
    response = api_client.get("/api/categories/")
    assert response.status_code == 200
    tree = response.json()
    assert [node["slug"] for node in tree] == ["digital", "sport"]
    assert [child["name"] for child in tree[0]["children"]] == ["手机", "电视"]


def test_product_search_with_chinese_and_partial_words(api_client, cat):
    assert titles(api_client.get("/api/products/", {"search": "手机"}))[0] == "华为手机 Mate 60"
    assert titles(api_client.get("/api/products/", {"search": "iph"})) == ["iPhone 15 Pro"]


def test_every_filter(api_client, cat):
    get = api_client.get
    assert set(titles(get("/api/products/", {"category": "digital"}))) == {
        "华为手机 Mate 60",
        "iPhone 15 Pro",
        "小米电视 65寸",
        "车载支架",
    }
    assert titles(get("/api/products/", {"category": cat.tv.pk})) == ["小米电视 65寸"]
    assert titles(get("/api/products/", {"category": "no-such"})) == []
    assert set(titles(get("/api/products/", {"brand": f"{cat.apple.pk},{cat.xiaomi.pk}"}))) == {
        "iPhone 15 Pro",
        "小米电视 65寸",
    }
    assert titles(get("/api/products/", {"brand": [cat.apple.pk]})) == ["iPhone 15 Pro"]
    assert titles(
        get("/api/products/", {"min_price": "400", "max_price": "5999", "ordering": "price"})
    ) == ["小米电视 65寸", "华为手机 Mate 60"]
    assert "Running shoes" not in titles(get("/api/products/", {"in_stock": "true"}))
    assert "Running shoes" in titles(get("/api/products/", {"in_stock": "false"}))
    assert titles(get("/api/products/", {"attribute_values": f"{cat.red.pk},{cat.size_m.pk}"})) == [
        "Running shoes"
    ]
    # a value that no longer exists (a stale filter link) matches nothing, not everything
    assert titles(get("/api/products/", {"attribute_values": "999999999"})) == []


def test_every_ordering(api_client, cat):
    first = {
        ordering: titles(api_client.get("/api/products/", {"ordering": ordering}))[0]
        for ordering in ["price", "-price", "sales", "newest"]
    }
    assert first == {
        "price": "车载支架",
        "-price": "iPhone 15 Pro",
        "sales": "iPhone 15 Pro",
        "newest": "Running shoes",
    }
    relevance = titles(
        api_client.get("/api/products/", {"search": "手机", "ordering": "relevance"})
    )
    assert relevance[0] == "华为手机 Mate 60"


def test_listing_rows_carry_price_stock_and_pages(api_client, cat):
    # when
    response = api_client.get("/api/products/", {"ordering": "price", "page_size": 2, "page": 2})

    # then
    body = response.json()
    assert body["count"] == 5
    assert [row["title"] for row in body["results"]] == ["小米电视 65寸", "华为手机 Mate 60"]
    row = body["results"][0]
    assert row["price_from"] == "2999.00"
    assert row["stock_available"] == 10
    assert row["brand"] == {"id": cat.xiaomi.pk, "name": "Xiaomi"}
    assert row["url"].endswith(f"/p/{cat.tv_set.pk}/")


@pytest.mark.parametrize(
    "params",
    [
        {"min_price": "cheap"},
        {"min_price": "-1"},
        {"brand": "apple"},
        {"attribute_values": "1,x"},
        {"ordering": "popular"},
    ],
)
def test_bad_filter_values_are_400_json(api_client, cat, params):
    response = api_client.get("/api/products/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"]


def test_a_page_past_the_end_is_404_json(api_client, cat):
    response = api_client.get("/api/products/", {"page": 99})
    assert response.status_code == 404
    assert set(response.json()) >= {"detail", "code"}


def test_product_detail_has_skus_stock_and_images(api_client, cat):
    # given
    blue = SKUFactory(product=cat.iphone, code="IP-BLUE", price=Decimal("8199.00"))
    blue.attribute_values.set([cat.blue])
    StockRecordFactory(sku=blue, on_hand=4, allocated=1)
    SKUFactory(product=cat.iphone, code="IP-OLD", is_active=False)
    ProductImageFactory(product=cat.iphone, alt="front")

    # when
    response = api_client.get(f"/api/products/{cat.iphone.pk}/")

    # then
    assert response.status_code == 200
    body = response.json()
    skus = {sku["code"]: sku for sku in body["skus"]}
    assert skus["IP-BLUE"]["price"] == "8199.00"
    assert skus["IP-BLUE"]["stock_available"] == 3
    assert skus["IP-BLUE"]["attributes"] == [
        {"id": cat.blue.pk, "attribute": "Colour", "attribute_code": "colour", "value": "Blue"}
    ]
    assert skus["IP-OLD"]["active"] is False
    assert skus[cat.iphone.sku.code]["market_price"] == "129.00"
    assert body["stock_available"] == 13
    assert body["images"][0]["thumbnail"].startswith("http://testserver/media/CACHE/")
    assert body["images"][0]["alt"] == "front"
    assert body["options"][0]["name"] == "Colour"


def test_products_carry_their_rating_in_the_list_and_the_detail(api_client, client, cat):
    # given: reviews have given the iPhone 4.5 stars from two shoppers
    Product.objects.filter(pk=cat.iphone.pk).update(rating_count=2, rating_average=Decimal("4.50"))

    # when
    listed = api_client.get("/api/products/", {"search": "iphone"}).json()["results"]
    detail = api_client.get(f"/api/products/{cat.iphone.pk}/").json()
    page = client.get("/search/", {"q": "iphone"}).content.decode()

    # then
    row = next(r for r in listed if r["id"] == cat.iphone.pk)
    assert (row["rating_count"], row["rating_average"]) == (2, "4.50")
    assert (detail["rating_count"], detail["rating_average"]) == (2, "4.50")
    assert "★ 4.5 (2)" in page


def test_unknown_or_inactive_product_is_404_json(api_client, cat):
    for pk in (cat.hidden.pk, 999999):
        response = api_client.get(f"/api/products/{pk}/")
        assert response.status_code == 404
        assert response.json()["code"] == "unknown_product"


def test_openapi_schema_lists_the_catalogue(api_client):
    response = api_client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in ["/api/products/", "/api/products/{id}/", "/api/cart/items/{item_id}/"]:
        assert path in schema
