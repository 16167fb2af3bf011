"""The values facet of a listing read from `catalog_product.active_value_ids` (migrations 0010
and 0011): the triggers on SKUs and their value links keep the column equal to what the active
SKUs carry, whatever writes them (a save, a queryset update, a bulk insert, a deletion), and the
facet offers what the join of SKUs and links offered. On SQLite the facet is that join."""

import threading

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from catalog.models import SKU, Product
from catalog.selectors import attribute_values_for, product_search
from catalog.selectors.listing import _listing_summary
from tests.catalog.factories import AttributeValueFactory, SearchCatalogue, SKUFactory

pytestmark = pytest.mark.django_db

BEFORE_THE_COLUMN = ("catalog", "0009_search_cjk_bigrams")


@pytest.fixture
def cat():
    return SearchCatalogue()


def stored_value_ids(product) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT active_value_ids FROM catalog_product WHERE id = %s", [product.pk])
        return cursor.fetchone()[0]


def facet(query: str = "", category_ids=None) -> dict[str, list[str]]:
    """The listing summary's values facet, {attribute name: [values]}, computed (not cached)."""
    summary = _listing_summary(query=query, category_ids=category_ids, cap=1000, categories=None)
    return {attribute.name: [v.value for v in values] for attribute, values in summary.attributes}


def joined_facet(query: str = "") -> dict[str, list[str]]:
    """The same facet from the SKUs and their links, as it was read before the column."""
    return {
        attribute.name: [v.value for v in values]
        for attribute, values in attribute_values_for(product_search(query=query))
    }


def test_the_column_holds_the_values_of_the_active_skus_sorted(cat):
    assert stored_value_ids(cat.shoes) == sorted([cat.red.pk, cat.size_m.pk])
    assert stored_value_ids(cat.iphone) == [cat.red.pk]
    assert stored_value_ids(cat.tv_set) == []
    assert facet() == joined_facet() == {"Colour": ["Blue", "Red"], "Size": ["M"]}


def test_a_sku_gone_inactive_takes_its_values_out_of_the_facet(cat):
    # when: the shoes' only SKU switched off by a queryset update (no signal, no save)
    SKU.objects.filter(pk=cat.shoes.sku.pk).update(is_active=False)

    # then: Size M was only on the shoes; Red is still the iPhone's
    assert stored_value_ids(cat.shoes) == []
    assert facet() == joined_facet() == {"Colour": ["Blue", "Red"]}

    # and back on sale, they are offered again
    SKU.objects.filter(pk=cat.shoes.sku.pk).update(is_active=True)
    assert facet() == {"Colour": ["Blue", "Red"], "Size": ["M"]}


def test_a_value_shared_by_two_skus_stays_while_one_of_them_is_active(cat):
    # given: a second SKU of the shoes, Red and Size L
    second = SKUFactory(product=cat.shoes)
    second.attribute_values.set([cat.red, cat.size_l])
    assert stored_value_ids(cat.shoes) == sorted([cat.red.pk, cat.size_m.pk, cat.size_l.pk])

    # when: the first SKU is switched off (a save, as the admin does)
    cat.shoes.sku.is_active = False
    cat.shoes.sku.save()

    # then
    assert stored_value_ids(cat.shoes) == sorted([cat.red.pk, cat.size_l.pk])
    assert facet("shoes") == joined_facet("shoes") == {"Colour": ["Red"], "Size": ["L"]}


def test_a_removed_and_an_added_value_link_show_in_the_facet(cat):
    # when: Size M taken off the shoes' SKU, Blue put on the iPhone's
    cat.shoes.sku.attribute_values.remove(cat.size_m)
    cat.iphone.sku.attribute_values.add(cat.blue)

    # then
    assert stored_value_ids(cat.shoes) == [cat.red.pk]
    assert stored_value_ids(cat.iphone) == sorted([cat.red.pk, cat.blue.pk])
    assert facet() == joined_facet() == {"Colour": ["Blue", "Red"]}

    # and every link cleared
    cat.iphone.sku.attribute_values.clear()
    assert stored_value_ids(cat.iphone) == []


def test_a_deleted_sku_and_a_sku_moved_to_another_product(cat):
    # when: the Mate's SKU deleted, the shoes' SKU moved to the TV (a queryset update)
    SKU.objects.filter(pk=cat.mate.sku.pk).delete()
    SKU.objects.filter(pk=cat.shoes.sku.pk).update(product=cat.tv_set)

    # then
    assert stored_value_ids(cat.mate) == []
    assert stored_value_ids(cat.shoes) == []
    assert stored_value_ids(cat.tv_set) == sorted([cat.red.pk, cat.size_m.pk])
    assert facet() == joined_facet()


def test_bulk_inserted_skus_and_links_are_counted_once_per_statement(cat):
    # given: two new values and three SKUs of the TV, inserted as the demo seed does
    size_s = AttributeValueFactory(attribute=cat.size_m.attribute, value="S")
    skus = SKU.objects.bulk_create(
        [SKU(product=cat.tv_set, code=f"TV-{n}", price=1) for n in range(3)]
    )
    links = SKU.attribute_values.through
    links.objects.bulk_create(
        [links(sku_id=sku.pk, attributevalue_id=value.pk) for sku in skus for value in [size_s]]
        + [links(sku_id=skus[0].pk, attributevalue_id=cat.blue.pk)]
    )

    # then
    assert stored_value_ids(cat.tv_set) == sorted([cat.blue.pk, size_s.pk])
    assert facet() == joined_facet()


def test_a_new_product_starts_with_no_values(cat):
    product = Product.objects.create(
        merchant=cat.merchant, category=cat.phones, title="Phone stand", subtitle=""
    )
    assert stored_value_ids(product) == []


def test_without_postgresql_the_facet_is_read_from_the_skus(cat, monkeypatch):
    # given: the SQLite fallback of `make run`, which has no such column
    monkeypatch.setattr(connection, "vendor", "sqlite")
    SKU.objects.filter(pk=cat.shoes.sku.pk).update(is_active=False)

    # when
    with CaptureQueriesContext(connection) as captured:
        offered = facet()

    # then: the join's answer, and no statement named the column
    assert offered == {"Colour": ["Blue", "Red"]}
    assert captured.captured_queries
    assert not any("active_value_ids" in query["sql"] for query in captured.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_products_from_before_0011_get_their_values_and_the_triggers_go_with_it():
    # given: the catalogue, then the database taken back to before the column
    cat = SearchCatalogue()
    try:
        MigrationExecutor(connection).migrate([BEFORE_THE_COLUMN])
        # a SKU switched off while nothing kept the column
        SKU.objects.filter(pk=cat.iphone.sku.pk).update(is_active=False)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    # then: the fill wrote every product's active values
    assert stored_value_ids(cat.shoes) == sorted([cat.red.pk, cat.size_m.pk])
    assert stored_value_ids(cat.mate) == [cat.blue.pk]
    assert stored_value_ids(cat.iphone) == []
    assert facet() == joined_facet() == {"Colour": ["Blue", "Red"], "Size": ["M"]}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_edits_of_one_product_leave_its_values_current():
    # given: the shoes with a second SKU (Blue)
    cat = SearchCatalogue()
    second = SKUFactory(product=cat.shoes)
    second.attribute_values.set([cat.blue])
    links = SKU.attribute_values.through

    def add_size_l_to_the_second_sku():
        try:
            with transaction.atomic():
                links.objects.create(sku_id=second.pk, attributevalue_id=cat.size_l.pk)
        finally:
            connection.close()

    # when: the first SKU switched off, and before that commits another transaction links
    # Size L to the second; it waits for the product's row, then recounts
    with transaction.atomic():
        SKU.objects.filter(pk=cat.shoes.sku.pk).update(is_active=False)
        other = threading.Thread(target=add_size_l_to_the_second_sku)
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive()
    other.join(timeout=10)

    # then: both edits counted (a recount reading with the snapshot it had before the wait
    # would keep the first SKU's Red and M)
    assert stored_value_ids(cat.shoes) == sorted([cat.blue.pk, cat.size_l.pk])
