"""7-day no-reason return (七天无理由退货): switched off per product or per category (and then
for every category below it); one query answers it for a list of SKUs; the product page
promises it only where it applies."""

import pytest
from django.urls import reverse

from catalog.selectors import no_reason_return_allowed, product_detail
from tests.catalog.factories import CategoryFactory, ProductFactory, SKUFactory, StockRecordFactory
from tests.catalog.factories_admin import ops_user

pytestmark = pytest.mark.django_db

# The suite reads the English page; a Chinese browser sees 七天无理由退货 / 不支持七天无理由退货.
PROMISE = "✓ 7-day no-reason return"
NO_PROMISE = "No 7-day no-reason return for this item"


def _sku(*, category=None, **product_fields):
    product = ProductFactory(category=category or CategoryFactory(), **product_fields)
    sku = SKUFactory(product=product)
    StockRecordFactory(sku=sku, on_hand=5)
    return sku


@pytest.fixture
def tree():
    """Food (off) > Snacks (on) > Crisps (on); Digital (on) > Phones (on)."""
    food = CategoryFactory(name="Food", slug="food", no_reason_return=False)
    snacks = CategoryFactory(name="Snacks", slug="snacks", parent=food)
    crisps = CategoryFactory(name="Crisps", slug="crisps", parent=snacks)
    digital = CategoryFactory(name="Digital", slug="digital")
    phones = CategoryFactory(name="Phones", slug="phones", parent=digital)
    return {"food": food, "snacks": snacks, "crisps": crisps, "digital": digital, "phones": phones}


def test_allowed_only_when_the_product_and_every_category_above_it_allow_it(
    tree, django_assert_num_queries
):
    # given
    phone = _sku(category=tree["phones"])
    engraved = _sku(category=tree["phones"], no_reason_return=False)  # custom goods
    crisps = _sku(category=tree["crisps"])  # two levels below Food
    food = _sku(category=tree["food"])
    custom = CategoryFactory(slug="custom", parent=tree["digital"], no_reason_return=False)
    custom_case = _sku(category=custom)
    top_level = _sku()

    # when
    with django_assert_num_queries(1):
        allowed = no_reason_return_allowed(
            sku_ids=[phone.pk, engraved.pk, crisps.pk, food.pk, custom_case.pk, top_level.pk]
        )

    # then
    assert allowed == {
        phone.pk: True,
        engraved.pk: False,
        crisps.pk: False,
        food.pk: False,
        custom_case.pk: False,
        top_level.pk: True,
    }


def test_one_query_whatever_the_number_of_skus(tree, django_assert_num_queries):
    # given
    skus = [_sku(category=tree["crisps" if n % 2 else "phones"]) for n in range(30)]

    # when
    with django_assert_num_queries(1):
        allowed = no_reason_return_allowed(sku_ids=[sku.pk for sku in skus] * 2)

    # then
    assert allowed == {sku.pk: sku.product.category.slug == "phones" for sku in skus}


def test_no_skus_need_no_query_and_unknown_skus_are_left_out(django_assert_num_queries):
    # given
    sku = _sku()

    # when / then
    with django_assert_num_queries(0):
        assert no_reason_return_allowed(sku_ids=[]) == {}
    assert no_reason_return_allowed(sku_ids=[sku.pk, sku.pk + 10_000]) == {sku.pk: True}


def test_a_cycle_of_parents_does_not_hang_the_query(tree):
    # given: a parent loop saved past the admin (Snacks under Crisps under Snacks)
    tree["snacks"].parent = tree["crisps"]
    tree["snacks"].save(update_fields=["parent"])
    sku = _sku(category=tree["crisps"])

    # when / then
    assert no_reason_return_allowed(sku_ids=[sku.pk]) == {sku.pk: True}
    assert product_detail(sku.product_id).no_reason_return is True


def test_the_product_detail_answers_it_without_a_query_of_its_own(tree, django_assert_num_queries):
    # given
    allowed = _sku(category=tree["phones"])
    under_food = _sku(category=tree["crisps"])

    # when
    with django_assert_num_queries(4):
        allowed_detail = product_detail(allowed.product_id)
    with django_assert_num_queries(4):
        food_detail = product_detail(under_food.product_id)

    # then
    assert allowed_detail.no_reason_return is True
    assert food_detail.no_reason_return is False


def test_the_product_page_promises_7_day_returns_where_they_apply(client, tree):
    # given
    phone = _sku(category=tree["phones"])

    # when
    page = client.get(reverse("catalog:product", args=[phone.product_id])).content.decode()

    # then
    assert PROMISE in page
    assert NO_PROMISE not in page
    assert 'data-allowed="true"' in page


@pytest.mark.parametrize("switched_off", ["product", "category"])
def test_the_product_page_says_so_where_they_do_not(client, tree, switched_off):
    # given: food (its category says no), or an engraved phone (the product says no)
    if switched_off == "product":
        sku = _sku(category=tree["phones"], no_reason_return=False)
    else:
        sku = _sku(category=tree["crisps"])

    # when
    page = client.get(reverse("catalog:product", args=[sku.product_id])).content.decode()

    # then
    assert NO_PROMISE in page
    assert "✓ 七天无理由退货" not in page
    assert 'data-allowed="false"' in page


def test_ops_switch_it_off_on_the_product_and_category_forms(client, tree):
    # given
    sku = _sku(category=tree["phones"])
    client.force_login(ops_user())

    # when
    product_form = client.get(
        reverse("admin:catalog_product_change", args=[sku.product_id])
    ).content.decode()
    category_form = client.get(
        reverse("admin:catalog_category_change", args=[tree["phones"].pk])
    ).content.decode()

    # then
    assert 'name="no_reason_return"' in product_form
    assert 'name="no_reason_return"' in category_form
    assert "food, custom-made goods" in product_form
