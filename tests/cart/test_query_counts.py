"""Query counts of the cart page and API do not grow with the number of lines; the cart's
count in the header costs an anonymous shopper no query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.cart.factories import CartFactory, CartItemFactory
from tests.catalog.factories import Shelf

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    return Shelf()


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:500]
    return len(captured)


def test_cart_page_and_api_do_not_grow_with_lines(client, shelf, django_assert_max_num_queries):
    # given: a signed-in shopper with lines from 5, then 40, products of different merchants
    user = UserFactory()
    cart = CartFactory(user=user)
    client.force_login(user)
    shelf.fill(5)
    for product in shelf.products:
        CartItemFactory(cart=cart, sku=product.skus.first(), quantity=1)
    few = (queries(client, reverse("cart:cart")), queries(client, "/api/cart/"))

    # when
    shelf.fill(40)
    for product in shelf.products[5:]:
        CartItemFactory(cart=cart, sku=product.skus.first(), quantity=1)

    # then (the page: +2 for what is missing for free shipping or the next discount)
    with django_assert_max_num_queries(11):
        client.get(reverse("cart:cart"))
    with django_assert_max_num_queries(7):
        client.get("/api/cart/")
    assert (queries(client, reverse("cart:cart")), queries(client, "/api/cart/")) == few


def test_cart_count_costs_no_query_for_an_anonymous_shopper(client, shelf):
    # given: a product page costs the same with and without a session cart
    product = shelf.fill(1).products[0]
    url = reverse("catalog:product", args=[product.pk])
    without_cart = queries(client, url)
    client.post(reverse("cart:cart_add"), {"sku_id": product.skus.first().pk, "quantity": 1})

    # when
    with_cart = queries(client, url)

    # then: nothing is added (the session is read from Redis, the count from the session)
    assert with_cart == without_cart
    assert 'data-testid="cart-count">1<' in client.get(url).content.decode()
