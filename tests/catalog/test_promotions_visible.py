"""Promotions are visible before checkout: on product cards, the product page and the cart,
with what is still missing for the next one."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Promotion, PromotionTier, ShippingTemplate
from tests.orders.factories_web import put_in_cart, sellable_sku, shopper_with_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_offer():
    sku = sellable_sku(price=Decimal("99.70"), title="紫砂壶")
    merchant = sku.product.merchant
    now = timezone.now()
    promotion = Promotion.objects.create(
        merchant=merchant,
        name="满200减20",
        kind=Promotion.Kind.FULL_REDUCTION,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
    )
    PromotionTier.objects.create(promotion=promotion, threshold="200.00", discount="20.00")
    ShippingTemplate.objects.update_or_create(
        merchant=merchant, defaults={"free_over": Decimal("100.00")}
    )
    return sku


def test_cards_and_the_product_page_show_the_offers(
    client, on_offer, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        listing = client.get(reverse("catalog:search"), {"q": "紫砂壶"}).content.decode()
    assert 'data-testid="offer-badges"' in listing and "¥20 off over ¥200" in listing

    page = client.get(reverse("catalog:product", args=[on_offer.product_id])).content.decode()
    assert 'data-testid="product-offers"' in page
    assert "¥20 off over ¥200" in page and "Free shipping over ¥100.00" in page


def test_the_cart_says_how_much_more_for_free_shipping_and_the_next_discount(client, on_offer):
    user, _ = shopper_with_address()
    put_in_cart(user, on_offer, quantity=1)
    client.force_login(user)

    page = client.get(reverse("cart:cart")).content.decode()

    assert "¥0.30 more for free shipping" in page
    assert "¥100.30 more for ¥20 off" in page


def test_an_ended_promotion_is_not_shown(client, on_offer):
    Promotion.objects.update(
        ends_at=timezone.now() - timedelta(minutes=1), starts_at=timezone.now() - timedelta(days=2)
    )

    page = client.get(reverse("catalog:product", args=[on_offer.product_id])).content.decode()

    assert "¥20 off over ¥200" not in page
