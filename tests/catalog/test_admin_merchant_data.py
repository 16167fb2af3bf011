"""Promotions, shipping templates, warehouses and staff links in the admin, per role."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import LimitedTimePrice, MerchantStaff, Promotion, ShippingTemplate
from shop.roles import MERCHANT_STAFF
from tests.accounts.factories import UserFactory
from tests.catalog.factories import (
    MerchantFactory,
    ProductFactory,
    SKUFactory,
    WarehouseFactory,
)
from tests.catalog.factories_admin import merchant_staff_user, ops_user

pytestmark = pytest.mark.django_db


def _promotion_data(merchant, **extra):
    now = timezone.localtime()
    data = {
        "merchant": merchant.pk,
        "name": "Spring tea festival",
        "kind": Promotion.Kind.FULL_REDUCTION,
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": "00:00:00",
        "ends_at_0": (now + timedelta(days=7)).strftime("%Y-%m-%d"),
        "ends_at_1": "00:00:00",
        "is_active": "on",
        "applies_to_all": "on",
        "percent_off": "",
        "tiers-TOTAL_FORMS": "1",
        "tiers-INITIAL_FORMS": "0",
        "tiers-0-threshold": "200.00",
        "tiers-0-discount": "20.00",
        "limited_prices-TOTAL_FORMS": "0",
        "limited_prices-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_merchant_staff_create_a_full_reduction_promotion_with_tiers(client):
    # given
    merchant = MerchantFactory()
    client.force_login(merchant_staff_user(merchant))

    # when
    response = client.post(reverse("admin:catalog_promotion_add"), _promotion_data(merchant))

    # then
    assert response.status_code == 302
    promotion = Promotion.objects.get(name="Spring tea festival")
    assert promotion.merchant == merchant
    assert [(t.threshold, t.discount) for t in promotion.tiers.all()] == [
        (Decimal("200.00"), Decimal("20.00"))
    ]


def test_a_tier_discount_above_its_threshold_is_a_form_error(client):
    # given
    merchant = MerchantFactory()
    client.force_login(merchant_staff_user(merchant))

    # when
    response = client.post(
        reverse("admin:catalog_promotion_add"),
        _promotion_data(merchant, **{"tiers-0-discount": "300.00"}),
    )

    # then
    assert response.status_code == 200
    assert not Promotion.objects.exists()


def test_ops_cannot_give_a_limited_price_to_another_merchants_sku(client):
    # given
    merchant = MerchantFactory()
    foreign_sku = SKUFactory()
    client.force_login(ops_user())
    data = _promotion_data(
        merchant,
        kind=Promotion.Kind.LIMITED_PRICE,
        **{
            "tiers-TOTAL_FORMS": "0",
            "limited_prices-TOTAL_FORMS": "1",
            "limited_prices-0-sku": foreign_sku.pk,
            "limited_prices-0-price": "9.90",
        },
    )

    # when
    response = client.post(reverse("admin:catalog_promotion_add"), data)

    # then
    assert response.status_code == 200
    assert "Choose an SKU of this promotion" in response.text
    assert not LimitedTimePrice.objects.exists()


def test_promotion_products_offered_are_only_the_staffs_own(client):
    # given
    merchant = MerchantFactory()
    own = ProductFactory(merchant=merchant)
    ProductFactory()
    client.force_login(merchant_staff_user(merchant))

    # when
    response = client.get(reverse("admin:catalog_promotion_add"))

    # then
    choices = response.context["adminform"].form.fields["products"].queryset
    assert list(choices) == [own]


def test_merchant_staff_see_only_their_shipping_template_and_warehouses(client):
    # given
    merchant, other = MerchantFactory(), MerchantFactory(name="Other shop")
    ShippingTemplate.objects.create(merchant=merchant, first_fee=Decimal("6.00"))
    theirs = ShippingTemplate.objects.create(merchant=other, first_fee=Decimal("9.00"))
    WarehouseFactory(merchant=merchant, name="Our depot")
    WarehouseFactory(merchant=other, name="Their depot")
    client.force_login(merchant_staff_user(merchant))

    # when
    templates = client.get(reverse("admin:catalog_shippingtemplate_changelist"))
    warehouses = client.get(reverse("admin:catalog_warehouse_changelist"))
    foreign = client.get(reverse("admin:catalog_shippingtemplate_change", args=[theirs.pk]))

    # then
    assert [t.merchant for t in templates.context["cl"].result_list] == [merchant]
    assert "Our depot" in warehouses.text and "Their depot" not in warehouses.text
    assert foreign.status_code == 302
    assert warehouses.context["cl"].model_admin.has_add_permission(warehouses.wsgi_request) is False


def test_ops_link_a_user_to_a_merchant_and_the_user_gets_the_staff_role(client):
    # given
    merchant = MerchantFactory()
    depot = WarehouseFactory(merchant=merchant)
    newcomer = UserFactory(username="newcomer")
    client.force_login(ops_user())

    # when
    response = client.post(
        reverse("admin:catalog_merchantstaff_add"),
        {
            "user": newcomer.pk,
            "merchant": merchant.pk,
            "role": MerchantStaff.Role.WAREHOUSE,
            "warehouses": [depot.pk],
        },
    )

    # then
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert newcomer.groups.filter(name=MERCHANT_STAFF).exists()
    assert newcomer.merchant_staff.merchant == merchant


def test_a_staff_link_cannot_name_another_merchants_warehouse(client):
    # given
    merchant = MerchantFactory()
    foreign = WarehouseFactory()
    client.force_login(ops_user())

    # when
    response = client.post(
        reverse("admin:catalog_merchantstaff_add"),
        {
            "user": UserFactory().pk,
            "merchant": merchant.pk,
            "role": MerchantStaff.Role.WAREHOUSE,
            "warehouses": [foreign.pk],
        },
    )

    # then
    assert response.status_code == 200
    assert "Not warehouses of" in response.text
    assert not MerchantStaff.objects.exists()
