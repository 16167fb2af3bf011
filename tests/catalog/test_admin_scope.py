"""Merchant scoping in the admin, through the real admin URLs."""

import pytest
from django.urls import reverse

from catalog.actors import is_platform_staff, staff_merchant
from catalog.models import SKU, Product
from tests.accounts.factories import UserFactory
from tests.catalog.factories import (
    MerchantFactory,
    ProductFactory,
    SKUFactory,
    StockRecordFactory,
    WarehouseFactory,
)
from tests.catalog.factories_admin import (
    ProductImageFactory,
    merchant_staff_user,
    ops_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops():
    """Two merchants, each with a product, a SKU, a warehouse and stock."""
    a, b = MerchantFactory(name="Shop A"), MerchantFactory(name="Shop B")
    data = {}
    for key, merchant in (("a", a), ("b", b)):
        product = ProductFactory(merchant=merchant, title=f"Kettle of {merchant.name}")
        sku = SKUFactory(product=product, code=f"SKU-{key.upper()}")
        warehouse = WarehouseFactory(merchant=merchant, name=f"Depot {key.upper()}")
        record = StockRecordFactory(sku=sku, warehouse=warehouse, on_hand=10)
        image = ProductImageFactory(product=product)
        data[key] = {
            "image": image,
            "merchant": merchant,
            "product": product,
            "sku": sku,
            "warehouse": warehouse,
            "record": record,
        }
    return data


@pytest.fixture
def staff_a_client(client, shops):
    client.force_login(merchant_staff_user(shops["a"]["merchant"]))
    return client


def _change_url(obj):
    return reverse(f"admin:catalog_{obj._meta.model_name}_change", args=[obj.pk])


def _delete_url(obj):
    return reverse(f"admin:catalog_{obj._meta.model_name}_delete", args=[obj.pk])


def test_merchant_staff_list_only_their_own_products(staff_a_client, shops):
    # when
    response = staff_a_client.get(reverse("admin:catalog_product_changelist"))

    # then
    assert response.status_code == 200
    assert "Kettle of Shop A" in response.text
    assert "Kettle of Shop B" not in response.text
    assert "Shop B" not in response.text  # not even in the filters


@pytest.mark.parametrize("kind", ["product", "sku", "record", "image"])
def test_merchant_staff_cannot_open_another_merchants_object_by_url(staff_a_client, shops, kind):
    # given
    other = shops["b"][kind]

    # when
    response = staff_a_client.get(_change_url(other), follow=True)

    # then: the admin says it does not exist and shows nothing of it
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert "doesn’t exist" in response.text
    assert "Kettle of Shop B" not in response.text


def test_merchant_staff_cannot_change_another_merchants_product_by_post(staff_a_client, shops):
    # given
    other = shops["b"]["product"]

    # when
    response = staff_a_client.post(
        _change_url(other),
        {"title": "Hijacked", "merchant": shops["a"]["merchant"].pk},
    )

    # then
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.title == "Kettle of Shop B"
    assert other.merchant == shops["b"]["merchant"]


def test_merchant_staff_cannot_delete_another_merchants_image(staff_a_client, shops):
    # given: staff may delete images, but only their own merchant's
    other = shops["b"]["image"]

    # when
    page = staff_a_client.get(_delete_url(other), follow=True)
    post = staff_a_client.post(_delete_url(other), {"post": "yes"})

    # then
    assert page.redirect_chain[-1][0] == reverse("admin:index")
    assert "doesn’t exist" in page.text
    assert post.status_code == 302
    assert type(other).objects.filter(pk=other.pk).exists()


def test_merchant_staff_may_delete_their_own_image(staff_a_client, shops):
    # given
    own = shops["a"]["image"]

    # when
    response = staff_a_client.post(_delete_url(own), {"post": "yes"})

    # then
    assert response.status_code == 302
    assert not type(own).objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("kind", ["product", "sku"])
def test_products_and_skus_cannot_be_deleted_by_merchant_staff(staff_a_client, shops, kind):
    # given (products and SKUs are taken off sale, never deleted: orders refer to them)
    for obj in (shops["a"][kind], shops["b"][kind]):
        # when
        response = staff_a_client.post(_delete_url(obj), {"post": "yes"})

        # then
        assert response.status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()


def test_bulk_delete_action_cannot_reach_another_merchants_rows(client, shops):
    # given ops granted delete to nobody; a superuser-like path is not needed: staff have no
    # delete on products, so the action is simply absent
    staff = merchant_staff_user(shops["a"]["merchant"])
    client.force_login(staff)

    # when
    response = client.post(
        reverse("admin:catalog_sku_changelist"),
        {"action": "delete_selected", "_selected_action": [shops["b"]["sku"].pk]},
    )

    # then
    assert response.status_code in (200, 302)
    assert SKU.objects.filter(pk=shops["b"]["sku"].pk).exists()


def test_stock_record_form_offers_only_own_warehouses(staff_a_client, shops):
    # when
    response = staff_a_client.get(reverse("admin:catalog_stockrecord_add"))

    # then
    assert response.status_code == 200
    warehouse_choices = response.context["adminform"].form.fields["warehouse"].queryset
    assert list(warehouse_choices) == [shops["a"]["warehouse"]]


def test_sku_autocomplete_offers_only_own_skus(staff_a_client, shops):
    # when: the SKU picker of a limited-time price
    response = staff_a_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "catalog",
            "model_name": "limitedtimeprice",
            "field_name": "sku",
            "term": "SKU",
        },
    )

    # then
    assert response.status_code == 200
    ids = {int(item["id"]) for item in response.json()["results"]}
    assert ids == {shops["a"]["sku"].pk}


def test_product_form_offers_only_the_staffs_own_merchant(staff_a_client, shops):
    # when
    response = staff_a_client.get(reverse("admin:catalog_product_add"))

    # then
    merchants = response.context["adminform"].form.fields["merchant"].queryset
    assert list(merchants) == [shops["a"]["merchant"]]


def _product_add_data(merchant, category, title="New teapot"):
    return {
        "merchant": merchant.pk,
        "title": title,
        "subtitle": "",
        "category": category.pk,
        "brand": "",
        "description": "",
        "is_active": "on",
        "skus-TOTAL_FORMS": "1",
        "skus-INITIAL_FORMS": "0",
        "skus-0-code": "TEAPOT-1",
        "skus-0-price": "59.00",
        "skus-0-market_price": "",
        "skus-0-weight_grams": "800",
        "skus-0-volume_cm3": "3000",
        "skus-0-barcode": "",
        "skus-0-is_active": "on",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
    }


def test_merchant_staff_add_a_product_to_their_own_merchant(staff_a_client, shops):
    # given
    category = shops["a"]["product"].category

    # when
    response = staff_a_client.post(
        reverse("admin:catalog_product_add"),
        _product_add_data(shops["a"]["merchant"], category),
    )

    # then
    assert response.status_code == 302
    product = Product.objects.get(title="New teapot")
    assert product.merchant == shops["a"]["merchant"]
    assert str(product.price_from) == "59.00"  # kept current from its SKUs


def test_merchant_staff_cannot_add_a_product_for_another_merchant(staff_a_client, shops):
    # given
    category = shops["a"]["product"].category

    # when
    response = staff_a_client.post(
        reverse("admin:catalog_product_add"),
        _product_add_data(shops["b"]["merchant"], category, title="Sneaky"),
    )

    # then
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Product.objects.filter(title="Sneaky").exists()


def test_ops_see_every_merchants_products_and_merchant_column(client, shops):
    # given
    client.force_login(ops_user())

    # when
    response = client.get(reverse("admin:catalog_product_changelist"))
    other = client.get(_change_url(shops["b"]["product"]))

    # then
    assert "Kettle of Shop A" in response.text
    assert "Kettle of Shop B" in response.text
    assert other.status_code == 200


def test_staff_user_without_a_merchant_sees_nothing(client, shops):
    # given
    client.force_login(merchant_staff_user(None))

    # when
    listing = client.get(reverse("admin:catalog_product_changelist"))
    stock = client.get(reverse("admin:catalog_stockrecord_changelist"))
    add = client.get(reverse("admin:catalog_product_add"))

    # then
    assert listing.status_code == 200
    assert "Kettle of" not in listing.text
    assert "0 products" in listing.text
    assert "SKU-A" not in stock.text and "SKU-B" not in stock.text
    assert add.status_code == 403


def test_staff_merchant_and_platform_role_helpers(shops):
    # given
    staff = merchant_staff_user(shops["a"]["merchant"])
    ops = ops_user()
    shopper = UserFactory()

    # then
    assert staff_merchant(staff) == shops["a"]["merchant"]
    assert staff_merchant(ops) is None
    assert not is_platform_staff(staff)
    assert is_platform_staff(ops)
    assert not is_platform_staff(shopper)
    assert is_platform_staff(UserFactory(is_superuser=True, is_staff=True))


def test_merchant_staff_do_not_see_merchants_or_staff_admins(staff_a_client):
    # when
    index = staff_a_client.get(reverse("admin:index"))
    merchants = staff_a_client.get(reverse("admin:catalog_merchant_changelist"))
    staff = staff_a_client.get(reverse("admin:catalog_merchantstaff_changelist"))

    # then
    assert index.status_code == 200
    assert merchants.status_code == 403
    assert staff.status_code == 403


def _make_products(merchant, count):
    for i in range(count):
        product = ProductFactory(merchant=merchant)
        sku = SKUFactory(product=product)
        StockRecordFactory(sku=sku, warehouse=WarehouseFactory(merchant=merchant, code=f"w{i}"))
        ProductImageFactory(product=product)


@pytest.mark.parametrize("count", [5, 50])
def test_product_changelist_runs_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, count
):
    # given
    merchant = MerchantFactory()
    _make_products(merchant, count)
    client.force_login(merchant_staff_user(merchant))

    # when
    with django_assert_max_num_queries(14):
        response = client.get(reverse("admin:catalog_product_changelist"))

    # then
    assert response.status_code == 200
    assert response.text.count('<img src="') >= min(count, 50)


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("page", ["stockrecord", "stockmove", "sku", "productimage"])
def test_other_catalogue_lists_run_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, count, page
):
    # given
    merchant = MerchantFactory()
    _make_products(merchant, count)
    client.force_login(merchant_staff_user(merchant))

    # when
    with django_assert_max_num_queries(14):
        response = client.get(reverse(f"admin:catalog_{page}_changelist"))

    # then
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count
