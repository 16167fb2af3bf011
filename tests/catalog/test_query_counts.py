"""Query counts of the catalogue's pages and API do not grow with the number of products,
SKUs or images shown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.catalog.factories import (
    AttributeValueFactory,
    ProductImageFactory,
    Shelf,
    SKUFactory,
    StockRecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    return Shelf()


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:500]
    return len(captured)


# The pages count two more than the API: the promotions and free-shipping offers their cards
# show (catalog.promotion_selectors), one query each whatever the number of products.
@pytest.mark.parametrize(
    ("url", "params", "most"),
    [
        (reverse("catalog:home"), {}, 6),
        (reverse("catalog:category", args=["digital"]), {}, 8),
        (reverse("catalog:search"), {"q": "手机", "ordering": "price"}, 8),
        (
            reverse("catalog:search"),
            {"q": "model", "brand": "1,2,3", "in_stock": "true", "attribute_values": "1"},
            9,
        ),
        ("/api/products/", {"search": "手机", "page_size": 50}, 3),
        ("/api/products/", {"category": "digital", "in_stock": "true"}, 4),
    ],
)
def test_listings_do_not_grow_with_the_page(
    client, shelf, url, params, most, django_assert_max_num_queries
):
    # given
    shelf.fill(5)
    with django_assert_max_num_queries(most):
        few = queries(client, url, params)

    # when: eight times as many products, all on the page (API page_size 50, pages show 20)
    shelf.fill(40)
    with django_assert_max_num_queries(most):
        many = queries(client, url, params)

    # then
    assert many == few


def test_product_page_and_api_do_not_grow_with_skus_and_images(
    client, shelf, django_assert_max_num_queries
):
    # given
    product = shelf.fill(1).products[0]
    page_url = reverse("catalog:product", args=[product.pk])
    api_url = f"/api/products/{product.pk}/"
    few = (queries(client, page_url), queries(client, api_url))

    # when: 20 more SKUs and 10 more images
    for n in range(20):
        sku = SKUFactory(product=product)
        sku.attribute_values.set([AttributeValueFactory(attribute=shelf.red.attribute, value=n)])
        StockRecordFactory(sku=sku, on_hand=n)
    for n in range(10):
        ProductImageFactory(product=product, position=n + 2)

    # then (the page: +2 for its offers)
    with django_assert_max_num_queries(8):
        client.get(page_url)
    with django_assert_max_num_queries(4):
        client.get(api_url)
    assert (queries(client, page_url), queries(client, api_url)) == few
