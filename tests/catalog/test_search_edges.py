"""Search as people type it: a long paste, punctuation, a typo, a price range backwards."""

import re

import pytest
from django.urls import reverse

from tests.catalog.factories import SearchCatalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return SearchCatalogue()


def titles(page: str) -> list[str]:
    return re.findall(r'data-testid="product-title">([^<]+)<', page)


def _search(client, **params) -> str:
    response = client.get(reverse("catalog:search"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_500_character_query_is_searched_by_its_beginning_and_says_so(client, cat):
    page = _search(client, q="iPhone" + " x" * 247)

    assert 'data-testid="search-shortened"' in page


def test_a_percent_sign_matches_nothing_rather_than_everything(client, cat):
    page = _search(client, q="%")

    assert titles(page) == []
    assert 'data-testid="no-results"' in page


def test_a_corrected_typo_says_what_it_showed(client, cat):
    page = _search(client, q="iphonr")

    assert "iPhone 15 Pro" in titles(page)
    assert 'data-testid="search-correction"' in page and "“iphone”" in page


def test_a_word_found_as_typed_is_not_corrected(client, cat):
    page = _search(client, q="iPhone")

    assert 'data-testid="search-correction"' not in page


def test_min_above_max_searches_the_range_meant_and_says_so(client, cat):
    page = _search(client, q="手机", min_price="100000", max_price="1")

    assert 'data-testid="price-swapped"' in page
    assert titles(page)  # the phones within ¥1 to ¥100000
