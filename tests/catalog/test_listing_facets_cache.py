"""The facets of one listing (query, category) are cached for a minute under the catalogue's
version: the next shopper of the same listing costs no facet query, and an edit of the
catalogue shows at once."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import SKU, Brand, Product
from catalog.selectors import product_search
from catalog.services.products import product_refresh_price_from
from tests.catalog.factories import (
    BrandFactory,
    ProductFactory,
    SearchCatalogue,
    SKUFactory,
    StockRecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return SearchCatalogue()


def page(client, url, params=None) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def brand_names(html: str) -> list[str]:
    return re.findall(r'data-testid="brand-[^"]*"[^>]*>(?:✓ )?([^<]+)</a>', html)


def test_the_same_listing_again_costs_no_facet_query(client, cat):
    # when: the same category page twice, then with a brand chosen (same query and category)
    first, first_queries = page(client, reverse("catalog:category", args=["digital"]))
    second, second_queries = page(client, reverse("catalog:category", args=["digital"]))
    chosen, chosen_queries = page(
        client, reverse("catalog:category", args=["digital"]), {"brand": str(cat.apple.pk)}
    )

    # then: the brands and colours offered are the same, for three queries fewer (the best
    # sellers' read, brands and values; the count is the summary's too), and with a brand
    # chosen two fewer (that page counts its own matches)
    assert brand_names(first) == ["Apple", "Huawei", "Xiaomi"]
    assert brand_names(second) == brand_names(first) == brand_names(chosen)
    assert 'data-testid="filter-attribute-colour"' in second
    assert second_queries == first_queries - 3
    assert chosen_queries == first_queries - 2


def test_another_query_or_category_has_its_own_facets(client, cat):
    # given: the digital category's facets cached
    page(client, reverse("catalog:category", args=["digital"]))

    # when
    sport, _sport_queries = page(client, reverse("catalog:category", args=["sport"]))
    phones, _phones_queries = page(client, reverse("catalog:search"), {"q": "手机"})

    # then
    assert brand_names(sport) == []
    assert 'data-testid="filter-attribute-size"' in sport
    assert brand_names(phones) == ["Huawei"]


def test_a_new_product_shows_its_brand_at_once(client, cat):
    # given: the facets of the digital category cached
    page(client, reverse("catalog:category", args=["digital"]))

    # when: a product of a new brand is added to 手机
    product = ProductFactory(
        title="OPPO Find X7",
        category=cat.phones,
        merchant=cat.merchant,
        brand=BrandFactory(name="OPPO"),
    )
    StockRecordFactory(sku=SKUFactory(product=product))
    html, _queries = page(client, reverse("catalog:category", args=["digital"]))

    # then
    assert brand_names(html) == ["Apple", "Huawei", "OPPO", "Xiaomi"]


def test_a_renamed_brand_and_a_changed_sku_value_show_at_once(client, cat):
    # given
    page(client, reverse("catalog:category", args=["digital"]))

    # when: Xiaomi renamed, the iPhone's SKU made Size L
    xiaomi = Brand.objects.get(pk=cat.xiaomi.pk)
    xiaomi.name = "小米"
    xiaomi.save()
    SKU.objects.get(pk=cat.iphone.sku.pk).attribute_values.set([cat.size_l])
    html, _queries = page(client, reverse("catalog:category", args=["digital"]))

    # then
    assert brand_names(html) == ["Apple", "Huawei", "小米"]
    assert 'data-testid="filter-attribute-size"' in html


def test_a_product_taken_off_sale_by_a_queryset_update_leaves_the_facets(client, cat):
    # given: the TV (the only Xiaomi product) has its only SKU switched off by an update, which
    # sends no signal; the price refresh that every SKU change ends with bumps the version
    page(client, reverse("catalog:category", args=["digital"]))
    SKU.objects.filter(product=cat.tv_set).update(is_active=False)
    product_refresh_price_from(product_id=cat.tv_set.pk)

    # when
    html, _queries = page(client, reverse("catalog:category", args=["digital"]))

    # then
    assert Product.objects.get(pk=cat.tv_set.pk).price_from == Decimal("0.00")
    assert brand_names(html) == ["Apple", "Huawei"]


def test_a_search_seen_again_reads_only_its_page_in_the_same_order(client, cat):
    # given: the summary of "手机" (count, facets, ranked candidates) computed once
    first = client.get(reverse("catalog:search"), {"q": "手机"}).content.decode()

    # when
    with CaptureQueriesContext(connection) as captured:
        again = client.get(reverse("catalog:search"), {"q": "手机"}).content.decode()

    # then: no statement matched the words again (no full-text match, no count), and the
    # page shows the products in product_search's best-match order
    statements = " ".join(query["sql"] for query in captured.captured_queries)
    assert "@@" not in statements and "COUNT(" not in statements
    shown = re.findall(r'data-testid="product-title">([^<]+)<', again)
    expected = [p.title for p in product_search(query="手机", ranked_candidates=1001)[:20]]
    assert shown == expected == re.findall(r'data-testid="product-title">([^<]+)<', first)
    assert shown
