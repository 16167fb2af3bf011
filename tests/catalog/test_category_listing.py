"""A category page is read from the category's own indexes (0009): its products in the page's
order, so the scan stops after the page instead of sorting every product of the category."""

from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import SKU, Product
from catalog.selectors import listing, product_search
from tests.catalog.factories import CategoryFactory, MerchantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelves():
    """3,000 listed products in three categories under one parent, statistics fresh. Tea, the
    category the tests read, holds a tenth of them, as a big category does of a 100k catalogue:
    with a third, reading the whole listing's index and skipping the other two categories costs
    the planner about as much, and which plan it took depended on what earlier tests left."""
    merchant = MerchantFactory()
    parent = CategoryFactory(slug="food")
    leaves = [CategoryFactory(slug=slug, parent=parent) for slug in ("snacks", "tea", "fruit")]
    Product.objects.bulk_create(
        (
            Product(
                merchant=merchant,
                category=leaves[1] if n % 10 == 0 else leaves[0 if n % 2 else 2],
                title=f"Product {n}",
                price_from=Decimal(10 + n % 500),
                sales_count=(n * 7919) % 1000,
                is_featured=n % 50 == 0,
            )
            for n in range(3000)
        ),
        batch_size=1000,
    )
    SKU.objects.bulk_create(
        SKU(product_id=pk, code=f"SHELF-{pk}", price=Decimal(10))
        for pk in Product.objects.values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")
        cursor.execute("ANALYZE catalog_sku")
    return leaves


@pytest.mark.parametrize(
    ("ordering", "index"),
    [(None, "product_category_default"), ("sales", "product_category_sales")],
)
def test_a_category_page_is_read_in_its_order_from_the_category_index(shelves, ordering, index):
    # given: 3,000 products, 300 of them tea; the planner free to choose
    tea = product_search(category_slug="tea", ordering=ordering)

    # when
    plan = tea[:20].explain()

    # then: read from the category's index in the page's order, nothing sorted
    assert index in plan, plan
    assert "Sort" not in plan, plan
    assert "Seq Scan on catalog_product" not in plan, plan
    # and the page is the category's best: featured first (default order), then best selling
    page = list(tea[:20])
    assert {p.category_id for p in page} == {shelves[1].pk}
    keys = [
        (p.is_featured if ordering is None else False, p.sales_count, p.created_at, p.pk)
        for p in page
    ]
    assert keys == sorted(keys, reverse=True)


def test_the_facet_sample_of_a_category_is_read_from_its_sales_index(shelves, monkeypatch):
    # given: a sample a tenth of the category, as 1,000 of a category of 10,000 at 100k products
    monkeypatch.setattr(listing, "FACET_SAMPLE_SIZE", 30)

    # when: the FACET_SAMPLE_SIZE best-selling products of the category, for its facets
    plan = listing.facet_sample(product_search(category_slug="tea")).explain()

    # then
    assert "product_category_sales" in plan, plan
    assert "Seq Scan on catalog_product" not in plan, plan


def _storefront_key(ordering):
    """The storefront's order of a listing, written out: featured first by default, then best
    selling, newest, highest id."""

    def key(p):
        featured = p.is_featured if ordering is None else False
        return (not featured, -p.sales_count, -p.created_at.timestamp(), -p.pk)

    return key


@pytest.mark.parametrize(
    ("ordering", "index"),
    [(None, "product_listed_default"), ("sales", "product_listed_sales")],
)
def test_a_parent_category_page_walks_the_order_index_filtering_its_categories(
    shelves, ordering, index
):
    # given: the parent of the three categories (its products are a large part of the
    # catalogue: the storefront order's index finds a page's 20 after a few dozen entries,
    # where one scan per category merged would read as many)
    food = product_search(category_slug="food", ordering=ordering)

    # when
    plan = food[:20].explain()

    # then
    assert index in plan, plan
    assert "Sort" not in plan, plan
    assert "Seq Scan on catalog_product" not in plan, plan
    # and the page is the parent's best, from its categories
    page = list(food[:20])
    assert {p.category_id for p in page} <= {leaf.pk for leaf in shelves}
    assert [p.pk for p in page] == [
        p.pk for p in sorted(Product.objects.all(), key=_storefront_key(ordering))[:20]
    ]
