"""Query counts of the catalogue's pages and API do not grow with the number of products,
SKUs, images or cart lines shown."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.catalog.factories import (
    AttributeFactory,
    AttributeValueFactory,
    BrandFactory,
    CartFactory,
    CartItemFactory,
    CategoryFactory,
    MerchantFactory,
    ProductFactory,
    ProductImageFactory,
    SKUFactory,
    StockRecordFactory,
)

pytestmark = pytest.mark.django_db


class Shelf:
    """Products in one category, each with two SKUs (colours), stock and two images."""

    def __init__(self):
        self.root = CategoryFactory(name="数码", slug="digital")
        self.category = CategoryFactory(name="手机", slug="phones", parent=self.root)
        colour = AttributeFactory(code="colour", name="Colour")
        self.red = AttributeValueFactory(attribute=colour, value="Red")
        self.blue = AttributeValueFactory(attribute=colour, value="Blue")
        self.products = []

    def fill(self, count: int):
        for _ in range(count - len(self.products)):
            n = len(self.products)
            merchant = MerchantFactory()
            product = ProductFactory(
                title=f"智能手机 model {n}",
                category=self.category,
                merchant=merchant,
                brand=BrandFactory(),
                price_from=Decimal("100.00") + n,
            )
            for value in (self.red, self.blue):
                sku = SKUFactory(product=product, price=Decimal("100.00") + n)
                sku.attribute_values.set([value])
                StockRecordFactory(sku=sku, on_hand=5)
            ProductImageFactory(product=product)
            ProductImageFactory(product=product, position=1)
            self.products.append(product)
        return self


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


def test_cart_page_and_api_do_not_grow_with_lines(client, shelf, django_assert_max_num_queries):
    # given: a signed-in shopper with lines from 5, then 40, products of different merchants
    user = UserFactory()
    cart = CartFactory(user=user)
    client.force_login(user)
    shelf.fill(5)
    for product in shelf.products:
        CartItemFactory(cart=cart, sku=product.skus.first(), quantity=1)
    few = (queries(client, reverse("catalog:cart")), queries(client, "/api/cart/"))

    # when
    shelf.fill(40)
    for product in shelf.products[5:]:
        CartItemFactory(cart=cart, sku=product.skus.first(), quantity=1)

    # then (the page: +2 for what is missing for free shipping or the next discount)
    with django_assert_max_num_queries(11):
        client.get(reverse("catalog:cart"))
    with django_assert_max_num_queries(7):
        client.get("/api/cart/")
    assert (queries(client, reverse("catalog:cart")), queries(client, "/api/cart/")) == few


def test_cart_count_costs_no_query_for_an_anonymous_shopper(client, shelf):
    # given: a product page costs the same with and without a session cart
    product = shelf.fill(1).products[0]
    url = reverse("catalog:product", args=[product.pk])
    without_cart = queries(client, url)
    client.post(reverse("catalog:cart_add"), {"sku_id": product.skus.first().pk, "quantity": 1})

    # when
    with_cart = queries(client, url)

    # then: only the session load is added; the count itself is read from the session
    assert with_cart == without_cart + 1
    assert 'data-testid="cart-count">1<' in client.get(url).content.decode()
