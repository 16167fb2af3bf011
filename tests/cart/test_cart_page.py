"""The cart page and the forms that change it."""

import re

import pytest
from django.urls import reverse

from cart.models import CartItem
from tests.accounts.factories import UserFactory
from tests.cart.factories import CartFactory, CartItemFactory
from tests.catalog.factories import SearchCatalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return SearchCatalogue()


def text(response) -> str:
    return response.content.decode()


def test_add_to_cart_then_see_it_grouped_with_totals(client, cat):
    # when
    response = client.post(
        reverse("cart:cart_add"),
        {"sku_id": cat.mate.sku.pk, "quantity": "2"},
        follow=True,
    )

    # then
    page = text(response)
    assert response.redirect_chain[-1][0] == reverse("cart:cart")
    assert "Added to your cart: 华为手机 Mate 60" in page
    assert 'data-testid="cart-count">2<' in page
    assert "Huawei Store" in page
    assert 'data-testid="cart-total">¥11,998.00<' in page


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "Quantity must be at least 1."),
        ("-1", "Quantity must be at least 1."),
        ("abc", "Quantity must be a whole number of at least 1."),
        ("1.5", "Quantity must be a whole number of at least 1."),
        ("11", "Only 10 of 华为手机 Mate 60 left."),
    ],
)
def test_bad_quantities_become_messages_on_the_product_page(client, cat, quantity, message):
    product_url = reverse("catalog:product", args=[cat.mate.pk])
    response = client.post(
        reverse("cart:cart_add"),
        {"sku_id": cat.mate.sku.pk, "quantity": quantity, "next": product_url},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == product_url
    assert message in text(response)


def test_unknown_sku_or_foreign_next_is_a_message_on_the_cart(client, cat):
    response = client.post(
        reverse("cart:cart_add"),
        {"sku_id": "999999", "quantity": "1", "next": "https://evil.example/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("cart:cart")
    assert "No such product variant." in text(response)


def test_cart_page_shows_line_problems(client, cat):
    # given
    user = UserFactory()
    cart = CartFactory(user=user)
    CartItemFactory(cart=cart, sku=cat.mate.sku, quantity=12)  # 10 in stock
    CartItemFactory(cart=cart, sku=cat.hidden.sku, quantity=1)  # no longer sold
    CartItemFactory(cart=cart, sku=cat.shoes.sku, quantity=1)  # sold out
    client.force_login(user)

    # when
    page = text(client.get(reverse("cart:cart")))

    # then
    problems = re.findall(r'data-testid="cart-line-problem">([^<]+)<', page)
    assert problems == ["Only 10 left: lower the quantity.", "No longer sold.", "Out of stock."]
    assert 'data-testid="cart-total">¥0.00<' in page


def test_update_and_remove_lines_on_the_cart_page(client, cat):
    # given
    client.post(reverse("cart:cart_add"), {"sku_id": cat.mate.sku.pk, "quantity": "1"})

    # when: raise to 3, then ask for too many
    client.post(reverse("cart:cart_update", args=[cat.mate.sku.pk]), {"quantity": "3"})
    too_many = client.post(
        reverse("cart:cart_update", args=[cat.mate.sku.pk]), {"quantity": "50"}, follow=True
    )

    # then
    page = text(too_many)
    assert "Only 10 of 华为手机 Mate 60 left." in page
    assert 'data-testid="cart-line-total">¥17,997.00<' in page

    # when
    removed = client.post(reverse("cart:cart_remove", args=[cat.mate.sku.pk]), follow=True)

    # then
    assert 'data-testid="cart-empty"' in text(removed)


def test_a_signed_in_shopper_cannot_touch_another_shoppers_line(client, cat):
    theirs = CartItemFactory(sku=cat.mate.sku, quantity=1)
    client.force_login(UserFactory())
    response = client.post(reverse("cart:cart_remove", args=[theirs.pk]), follow=True)
    assert "That line is not in your cart." in text(response)
    assert CartItem.objects.filter(pk=theirs.pk).exists()


def test_cart_pages_refuse_get_on_changes(client):
    assert client.get(reverse("cart:cart_add")).status_code == 405


def test_checkout_button_only_when_the_checkout_page_exists(client, cat):
    # given
    from django.urls import NoReverseMatch

    client.post(reverse("cart:cart_add"), {"sku_id": cat.mate.sku.pk, "quantity": "1"})
    try:
        checkout = reverse("orders:checkout")
    except NoReverseMatch:
        checkout = None

    # when
    page = text(client.get(reverse("cart:cart")))

    # then
    if checkout:
        assert f'href="{checkout}" data-testid="checkout"' in page
    else:
        assert 'data-testid="checkout"' not in page
