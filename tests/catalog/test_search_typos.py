"""The typo branch of a search word (pg_trgm word similarity) is for words no listed product
has as typed: a word found as typed matches what contains it, and the similarity is not
computed for every row read (at 100,200 products it was 70 of "phone"'s 80 ms)."""

import pytest

from catalog.selectors import product_search
from tests.catalog.factories import MerchantFactory, ProductFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def keyboards():
    merchant = MerchantFactory()
    for title in ("Keyboard X1", "Keybord Y2"):
        SKUFactory(product=ProductFactory(title=title, subtitle="", merchant=merchant))


def found(query: str) -> list[str]:
    return sorted(product.title for product in product_search(query=query))


def test_a_word_found_as_typed_matches_only_what_contains_it(keyboards):
    # when / then: "keybord" is a near miss of "keyboard" (similarity 0.67), but both words
    # are in a title as typed, so neither is taken for a typo of the other
    assert found("keyboard") == ["Keyboard X1"]
    assert found("keybord") == ["Keybord Y2"]


def test_a_word_no_product_has_as_typed_still_finds_its_near_misses(keyboards):
    # when / then: "keyboadr" is in no title, and near "keyboard" (not "keybord")
    assert found("keyboadr") == ["Keyboard X1"]
    assert found("keyboadr x1") == ["Keyboard X1"]
    assert found("keyboadr y2") == []


def test_a_word_only_an_unlisted_product_has_is_still_a_typo(keyboards):
    # given: the only "keyboards" product has no active SKU, so it is not listed
    ProductFactory(title="Keyboards Z3", subtitle="")

    # when / then: "keyboards" is not found as typed among listed products, so its near
    # misses are offered
    assert found("keyboards") == ["Keyboard X1"]


def test_the_typo_check_runs_once_per_query_not_per_row(keyboards):
    # when
    plan = product_search(query="keyboard").explain()

    # then: NOT EXISTS (found as typed) is an InitPlan, evaluated once, ahead of the similarity
    assert "InitPlan" in plan, plan
    assert "(NOT $" in plan, plan
