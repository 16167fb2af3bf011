"""Flash sales in the admin: a merchant's staff mark sales of their own SKUs only and see only
their own sales; operations see all; a sale that ends before it starts is refused on the form."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import FlashSale
from tests.catalog.factories import MerchantFactory, ProductFactory, SKUFactory
from tests.catalog.factories_admin import merchant_staff_user, ops_user

pytestmark = pytest.mark.django_db


def _sale_data(sku, *, days=1, **extra):
    now = timezone.localtime()
    data = {
        "sku": sku.pk,
        "name": "Double 11",
        "price": "9.90",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": "00:00:00",
        "ends_at_0": (now + timedelta(days=days)).strftime("%Y-%m-%d"),
        "ends_at_1": "00:00:00",
        "per_shopper_limit": "2",
        "is_active": "on",
    }
    data.update(extra)
    return data


def _sku_of(merchant):
    return SKUFactory(product=ProductFactory(merchant=merchant))


def test_merchant_staff_mark_a_flash_sale_of_their_own_sku(client):
    # given
    merchant = MerchantFactory()
    sku = _sku_of(merchant)
    client.force_login(merchant_staff_user(merchant))

    # when
    response = client.post(reverse("admin:catalog_flashsale_add"), _sale_data(sku))

    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    sale = FlashSale.objects.get()
    assert (sale.sku, sale.price, sale.per_shopper_limit) == (sku, Decimal("9.90"), 2)


def test_merchant_staff_cannot_mark_another_merchants_sku_nor_see_its_sales(client):
    # given
    mine, theirs = MerchantFactory(), MerchantFactory()
    their_sku = _sku_of(theirs)
    now = timezone.now()
    their_sale = FlashSale.objects.create(
        sku=their_sku,
        name="Theirs",
        price=Decimal("1.00"),
        starts_at=now,
        ends_at=now + timedelta(hours=1),
    )
    client.force_login(merchant_staff_user(mine))

    # when
    refused = client.post(reverse("admin:catalog_flashsale_add"), _sale_data(their_sku))
    listing = client.get(reverse("admin:catalog_flashsale_changelist"))
    change = client.get(reverse("admin:catalog_flashsale_change", args=[their_sale.pk]))

    # then
    assert refused.status_code == 200
    assert "sku" in refused.context["adminform"].form.errors
    assert FlashSale.objects.count() == 1
    assert "Theirs" not in listing.content.decode()
    assert change.status_code in (302, 404)


def test_operations_see_every_sale_with_its_gate_and_a_window_backwards_is_refused(client):
    # given
    sku = _sku_of(MerchantFactory())
    now = timezone.now()
    FlashSale.objects.create(
        sku=sku,
        name="Ops can see",
        price=Decimal("1.00"),
        starts_at=now,
        ends_at=now + timedelta(hours=1),
    )
    client.force_login(ops_user())

    # when
    listing = client.get(reverse("admin:catalog_flashsale_changelist"))
    backwards = client.post(reverse("admin:catalog_flashsale_add"), _sale_data(sku, days=-1))

    # then
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Ops can see" in html
    assert "not built / 0" in html  # the gate / sellable column: no attempt yet, no stock
    assert backwards.status_code == 200
    assert FlashSale.objects.count() == 1
