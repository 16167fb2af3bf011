"""What keeps the listing pages' cost flat as the catalogue grows (issue 12): a count capped at
LISTING_COUNT_CAP ("1,000+"), facets read from the best-selling FACET_SAMPLE_SIZE matches, a
search ranked among its best-selling matches, and indexes the queries can actually use. The
caps are made small here; the behaviour is the same at 1,000."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from catalog import views
from catalog.models import Product
from catalog.selectors import listing, product_search
from tests.catalog.factories import SearchCatalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return SearchCatalogue()


def card_titles(page: str) -> list[str]:
    return re.findall(r'data-testid="product-title">([^<]+)<', page)


def results_count(page: str) -> str:
    return re.search(r'data-testid="results-count">([^<]+)<', page).group(1)


def get(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


# --- The count ---------------------------------------------------------------------------------


def test_more_matches_than_the_cap_show_cap_plus_and_pages_up_to_it(client, cat, monkeypatch):
    # given: 5 listed products, a cap of 3, pages of 2
    monkeypatch.setattr(views, "LISTING_COUNT_CAP", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)

    # when
    first = get(client, reverse("catalog:search"))
    last = get(client, reverse("catalog:search"), {"page": "99"})

    # then: "3+", two pages of the first 3 (a page past them is the last one)
    assert results_count(first) == "3+ products"
    assert "Page 1 of 2+" in first
    assert len(card_titles(first)) == 2
    assert "Page 2 of 2+" in last and len(card_titles(last)) == 1


def test_as_many_matches_as_the_cap_are_counted_exactly(client, cat, monkeypatch):
    # given: a cap of 5 and the 5 listed products
    monkeypatch.setattr(views, "LISTING_COUNT_CAP", 5)

    # when
    page = get(client, reverse("catalog:search"))

    # then
    assert results_count(page) == "5 products"
    assert len(card_titles(page)) == 5


def test_a_search_past_the_cap_says_so_and_ranks_what_it_shows(client, cat, monkeypatch):
    # given: "手机" matches 华为手机 (title) and 车载支架 (subtitle); a cap of 1
    monkeypatch.setattr(views, "LISTING_COUNT_CAP", 1)

    # when
    page = get(client, reverse("catalog:search"), {"q": "手机"})

    # then
    assert results_count(page) == "1+ products"
    assert card_titles(page) == ["华为手机 Mate 60"]


# --- A search ranked among its best-selling matches ------------------------------------------


def test_a_search_ranks_only_its_best_selling_candidates(cat):
    # given: "手机" matches 华为手机 Mate 60 (500 sold, title) and 车载支架 (50 sold, subtitle)

    # when: only one candidate is ranked
    found = [p.title for p in product_search(query="手机", ranked_candidates=1)]

    # then: the best-selling match, with its stock
    assert found == ["华为手机 Mate 60"]
    assert product_search(query="手机", ranked_candidates=1).get().stock_available == 10


def test_ranked_candidates_keep_the_relevance_order_and_the_filters(cat):
    # given: both matches of "手机" fit among 5 candidates
    found = [p.title for p in product_search(query="手机", ranked_candidates=5)]
    in_stock_huawei = product_search(
        query="手机", brand_ids=[cat.huawei.pk], in_stock_only=True, ranked_candidates=5
    )

    # then: the same as without the cap
    assert found == [p.title for p in product_search(query="手机")]
    assert [p.title for p in in_stock_huawei] == ["华为手机 Mate 60"]


def test_a_chosen_sort_is_not_limited_to_the_candidates(cat):
    found = [p.title for p in product_search(query="手机", ordering="price", ranked_candidates=1)]

    assert found == ["车载支架", "华为手机 Mate 60"]


# --- Facets ------------------------------------------------------------------------------------


def facet_links(page: str) -> list[str]:
    brands = re.findall(r'href="([^"]+)"[^>]*data-testid="brand-', page)
    values = re.findall(r'<a class="chip[^"]*" href="([^"]+)"', page)
    return [link.replace("&amp;", "&") for link in brands + values]


def test_facets_come_from_the_best_selling_matches(client, cat, monkeypatch):
    # given: facets from the 2 best-selling products only (iPhone 900 sold, Mate 500)
    monkeypatch.setattr(listing, "FACET_SAMPLE_SIZE", 2)

    # when
    page = get(client, reverse("catalog:search"))

    # then: their brands and colours, not Xiaomi (100 sold) nor the shoes' size (300 sold)
    assert 'data-testid="brand-apple"' in page and 'data-testid="brand-huawei"' in page
    assert 'data-testid="brand-xiaomi"' not in page
    assert 'data-testid="filter-attribute-colour"' in page
    assert 'data-testid="filter-attribute-size"' not in page


@pytest.mark.parametrize("sample", [1, 2, 3, 1000])
@pytest.mark.parametrize(
    ("url", "params"),
    [("/search/", {}), ("/search/", {"q": "手机"}), ("/c/digital/", {}), ("/search/", {"q": "r"})],
)
def test_every_facet_offered_leads_to_results(client, cat, monkeypatch, sample, url, params):
    # given
    monkeypatch.setattr(listing, "FACET_SAMPLE_SIZE", sample)
    links = facet_links(get(client, url, params))
    assert links

    # when / then: no brand or value offered gives an empty page
    for link in links:
        assert card_titles(get(client, url + link)), link


# --- Indexes the queries can use (0006) --------------------------------------------------------


def plan(queryset, *, forbid: tuple[str, ...] = ("seqscan", "sort")) -> str:
    with connection.cursor() as cursor:
        # On a table this small a sequential scan is cheapest; forbid it, so that the plan
        # shows whether an index can serve the query at all (what it does at 100k products).
        for node in forbid:
            cursor.execute(f"SET LOCAL enable_{node} = off")
    return queryset.explain()


def test_every_branch_of_a_search_is_served_by_a_gin_index(cat):
    # given: only bitmap index scans allowed (any condition no index serves needs a seqscan)
    matches = Product.objects.filter(listing._match_filter(["iphone"])).values("pk")

    # when
    found = plan(matches, forbid=("seqscan", "indexscan"))

    # then: Django's icontains (UPPER(col) LIKE UPPER(%s)), the typo match, the full text
    assert "Seq Scan" not in found
    for index in [
        "product_title_upper_trgm",
        "product_subtitle_upper_trgm",
        "product_title_trgm",
        "product_search_document_gin",
    ]:
        assert index in found


@pytest.mark.parametrize(
    ("ordering", "index"),
    [
        (None, "product_listed_default"),
        ("sales", "product_listed_sales"),
        ("newest", "product_listed_new"),
        ("price", "product_listed_price"),
        ("-price", "product_listed_price"),
    ],
)
def test_every_listing_order_is_read_from_its_index(cat, ordering, index):
    assert index in plan(product_search(ordering=ordering)[:20])


def test_stock_is_summed_for_the_page_only(cat):
    # when: a page of 2 of the 5 listed products, with and without a sort step
    for ordering, forbid in [("sales", ("seqscan", "sort")), ("price", ("indexscan",))]:
        with connection.cursor() as cursor:
            for node in ("seqscan", "sort", "indexscan"):
                cursor.execute(f"SET LOCAL enable_{node} = {'off' if node in forbid else 'on'}")
        found = product_search(ordering=ordering)[:2].explain(analyze=True).splitlines()

        # then: the stock subquery ran for the 2 rows the LIMIT let through, not for all 5
        subplan = next(n for n, line in enumerate(found) if line.strip().startswith("SubPlan"))
        assert "loops=2)" in found[subplan + 1], "\n".join(found)
