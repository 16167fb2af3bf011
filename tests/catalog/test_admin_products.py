"""Product work in the admin: search, on-sale actions, price_from kept current, category tree."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.admin_scope import scope_queryset
from catalog.models import Product
from tests.catalog.factories import (
    CategoryFactory,
    MerchantFactory,
    ProductFactory,
    SKUFactory,
)
from tests.catalog.factories_admin import ProductImageFactory, merchant_staff_user, ops_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant():
    return MerchantFactory()


@pytest.fixture
def staff_client(client, merchant):
    client.force_login(merchant_staff_user(merchant))
    return client


@pytest.mark.parametrize("term", ["JADE-CUP-01", "6901111111111", "jade cup"])
def test_products_are_found_by_title_sku_code_or_barcode(staff_client, merchant, term):
    # given
    cup = ProductFactory(merchant=merchant, title="Jade cup")
    SKUFactory(product=cup, code="JADE-CUP-01", barcode="6901111111111")
    ProductFactory(merchant=merchant, title="Iron kettle")

    # when
    response = staff_client.get(reverse("admin:catalog_product_changelist"), {"q": term})

    # then
    assert "Jade cup" in response.text
    assert "Iron kettle" not in response.text


def test_the_list_shows_a_thumbnail_and_sellable_stock(staff_client, merchant):
    # given
    product = ProductFactory(merchant=merchant, title="Jade cup")
    ProductImageFactory(product=product, alt="Jade cup photo")

    # when
    response = staff_client.get(reverse("admin:catalog_product_changelist"))

    # then
    assert 'alt="Jade cup photo"' in response.text
    assert response.context["cl"].result_list[0].sellable_total == 0


def test_taking_off_sale_and_putting_back_on_sale(staff_client, merchant):
    # given
    with_sku = ProductFactory(merchant=merchant, title="Jade cup", is_active=False)
    SKUFactory(product=with_sku, price=Decimal("35.00"))
    without_sku = ProductFactory(merchant=merchant, title="Empty shell", is_active=False)
    url = reverse("admin:catalog_product_changelist")

    # when
    response = staff_client.post(
        url,
        {"action": "put_on_sale", "_selected_action": [with_sku.pk, without_sku.pk]},
        follow=True,
    )

    # then: a product nobody could buy stays off sale, and the user is told why
    with_sku.refresh_from_db()
    without_sku.refresh_from_db()
    assert with_sku.is_active and not without_sku.is_active
    assert with_sku.price_from == Decimal("35.00")
    assert "no active SKU: Empty shell" in response.text

    # when
    staff_client.post(url, {"action": "take_off_sale", "_selected_action": [with_sku.pk]})

    # then
    with_sku.refresh_from_db()
    assert not with_sku.is_active


def test_featuring_products(staff_client, merchant):
    # given
    product = ProductFactory(merchant=merchant)

    # when
    staff_client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "feature", "_selected_action": [product.pk]},
    )

    # then
    product.refresh_from_db()
    assert product.is_featured


def test_actions_do_not_reach_another_merchants_products(staff_client):
    # given
    foreign = ProductFactory(is_featured=False)

    # when
    staff_client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "feature", "_selected_action": [foreign.pk]},
    )

    # then
    foreign.refresh_from_db()
    assert not foreign.is_featured


def test_price_from_follows_a_sku_price_change_in_the_sku_admin(staff_client, merchant):
    # given
    product = ProductFactory(merchant=merchant, price_from=Decimal("99.00"))
    sku = SKUFactory(product=product, code="C-1", price=Decimal("99.00"))

    # when
    response = staff_client.post(
        reverse("admin:catalog_sku_change", args=[sku.pk]),
        {
            "product": product.pk,
            "code": "C-1",
            "price": "59.00",
            "market_price": "",
            "weight_grams": "500",
            "volume_cm3": "1000",
            "barcode": "",
            "is_active": "on",
        },
    )

    # then
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.price_from == Decimal("59.00")


def test_categories_are_listed_as_a_tree(client):
    # given
    tea = CategoryFactory(name="Tea", slug="tea", position=2)
    CategoryFactory(name="Green tea", slug="green", parent=tea)
    CategoryFactory(name="Apparel", slug="apparel", position=1)
    client.force_login(ops_user())

    # when
    response = client.get(reverse("admin:catalog_category_changelist"))

    # then: parents before their children, children indented
    names = [c.name for c in response.context["cl"].result_list]
    assert names == ["Apparel", "Tea", "Green tea"]
    assert "└ Green tea" in response.text


def test_scoping_through_a_many_valued_path_lists_each_row_once(merchant):
    # given a product with two SKUs, reached through its SKUs
    product = ProductFactory(merchant=merchant)
    SKUFactory(product=product)
    SKUFactory(product=product)
    ProductFactory()
    staff = merchant_staff_user(merchant)

    # when
    rows = scope_queryset(Product.objects.all(), staff, "skus__product__merchant")

    # then
    assert list(rows) == [product]


def test_editing_a_sku_price_in_the_product_page_updates_price_from(staff_client, merchant):
    # given a product with one SKU and one image
    product = ProductFactory(merchant=merchant, title="Jade cup", price_from=Decimal("99.00"))
    sku = SKUFactory(product=product, code="JC-1", price=Decimal("99.00"))
    image = ProductImageFactory(product=product)
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "JC-1" in page.text

    # when the merchant lowers the price in the SKU row
    response = staff_client.post(
        url,
        {
            "merchant": merchant.pk,
            "title": "Jade cup",
            "subtitle": "",
            "category": product.category_id,
            "brand": "",
            "description": "",
            "is_active": "on",
            "skus-TOTAL_FORMS": "1",
            "skus-INITIAL_FORMS": "1",
            "skus-0-id": sku.pk,
            "skus-0-product": product.pk,
            "skus-0-code": "JC-1",
            "skus-0-price": "45.00",
            "skus-0-market_price": "",
            "skus-0-weight_grams": "500",
            "skus-0-volume_cm3": "1000",
            "skus-0-barcode": "",
            "skus-0-is_active": "on",
            "images-TOTAL_FORMS": "1",
            "images-INITIAL_FORMS": "1",
            "images-0-id": image.pk,
            "images-0-product": product.pk,
            "images-0-alt": "New alt",
            "images-0-position": "0",
        },
    )

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    product.refresh_from_db()
    assert product.price_from == Decimal("45.00")
    image.refresh_from_db()
    assert image.alt == "New alt"
