"""A search's relevance skips the subtitle's word similarity where the title's is at least 0.5
(catalog.selectors.listing.TitleOrSubtitleSimilarity): the value, and so the ranking, must be
exactly `GREATEST(title, subtitle * 0.5)`'s, for titles above, at and below the threshold."""

import pytest
from django.contrib.postgres.search import SearchRank, TrigramWordSimilarity
from django.db.models import F, Value
from django.db.models.functions import Greatest

from catalog.models import Product
from catalog.selectors import product_search
from catalog.selectors.listing import _full_text, search_terms
from tests.catalog.factories import ProductFactory, SearchCatalogue, SKUFactory

pytestmark = pytest.mark.django_db

QUERIES = ["phone", "smartphone", "iphone", "trainers", "手机", "华为 mate", "iphonne", "lamp"]


@pytest.fixture
def cat():
    cat = SearchCatalogue()
    for title, subtitle in [
        ("Phone case", "For every phone"),  # the title's similarity 1
        ("Phonebook stand", "phone"),  # the title's below 1, the subtitle's 1
        ("Desk lamp", "Smartphone charger included"),  # only the subtitle is near
        ("Headphones", "Wireless, for your smartphone"),  # the title's exactly 0.5
        ("Telephony kit", "phone"),  # the title's 0.33, below the subtitle's half
        ("Lamp", ""),  # no subtitle
    ]:
        product = ProductFactory(title=title, subtitle=subtitle, merchant=cat.merchant)
        SKUFactory(product=product)
    return cat


def greatest_of_both(query: str):
    """The relevance as it was written before: both similarities, always."""
    return SearchRank(F("search_document"), _full_text(search_terms(query))) + Greatest(
        TrigramWordSimilarity(Value(query), "title"),
        TrigramWordSimilarity(Value(query), "subtitle") * Value(0.5),
    )


@pytest.mark.parametrize("query", QUERIES)
def test_the_relevance_is_the_greatest_of_both_similarities(cat, query):
    # given: each match's relevance, and the same products' relevance written as GREATEST
    found = list(product_search(query=query).values_list("pk", "title", "relevance"))
    bonus = {pk: 1.0 if query.lower() in title.lower() else 0.0 for pk, title, _ in found}
    reference = dict(
        Product.objects.filter(pk__in=bonus)
        .annotate(reference=greatest_of_both(query))
        .values_list("pk", "reference")
    )

    # then: equal to the last bit, in the same order
    assert found, query
    assert [relevance for _, _, relevance in found] == [
        reference[pk] + bonus[pk] for pk, _, _ in found
    ]


def test_the_order_of_title_and_subtitle_matches(cat):
    # as GREATEST(title, subtitle * 0.5) ranked them: the word in the title (and its prefix in
    # the subtitle too, for a higher text rank) first, then inside a title word, then the
    # subtitle's half ("Telephony kit": its subtitle's 0.5 above its title's 0.33)
    assert [p.title for p in product_search(query="phone")] == [
        "Phonebook stand",
        "Phone case",
        "iPhone 15 Pro",
        "Headphones",
        "Telephony kit",
        "Desk lamp",
    ]
    assert [p.title for p in product_search(query="smartphone")] == [
        "iPhone 15 Pro",
        "Headphones",
        "Desk lamp",
    ]
    assert [p.title for p in product_search(query="lamp")] == ["Lamp", "Desk lamp"]
