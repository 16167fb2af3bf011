"""Every catalogue admin page opens for the people who work in it (no 500, no broken form)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.catalog.factories import StockRecordFactory
from tests.catalog.factories_admin import ProductImageFactory, merchant_staff_user, ops_user

pytestmark = pytest.mark.django_db

CATALOG_MODELS = sorted(
    model._meta.model_name for model in admin.site._registry if model._meta.app_label == "catalog"
)


@pytest.fixture
def stocked():
    record = StockRecordFactory()
    ProductImageFactory(product=record.sku.product)
    return record


@pytest.mark.parametrize("model_name", CATALOG_MODELS)
@pytest.mark.parametrize("role", ["ops", "staff"])
def test_list_and_add_pages_open_or_are_refused_cleanly(client, stocked, model_name, role):
    # given
    user = ops_user() if role == "ops" else merchant_staff_user(stocked.sku.product.merchant)
    client.force_login(user)

    # when
    listing = client.get(reverse(f"admin:catalog_{model_name}_changelist"))
    add = client.get(reverse(f"admin:catalog_{model_name}_add"))

    # then
    assert listing.status_code in (200, 403)
    assert add.status_code in (200, 403)


@pytest.mark.parametrize("role", ["ops", "staff"])
def test_change_pages_of_the_stocked_product_open(client, stocked, role):
    # given
    user = ops_user() if role == "ops" else merchant_staff_user(stocked.sku.product.merchant)
    client.force_login(user)
    objects = [
        stocked,
        stocked.sku,
        stocked.sku.product,
        stocked.warehouse,
        stocked.sku.product.images.first(),
        stocked.sku.stock_moves.first(),
    ]

    # then
    for obj in objects:
        url = reverse(f"admin:catalog_{obj._meta.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200, url
