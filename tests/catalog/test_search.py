"""Product search and filtering (catalog.selectors.product_search) on PostgreSQL."""

from decimal import Decimal

import pytest

from catalog.selectors import category_tree, product_detail, product_search
from shop.errors import NotFound
from tests.catalog.factories import (
    MerchantFactory,
    ProductFactory,
    SearchCatalogue,
    SKUFactory,
    StockRecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return SearchCatalogue()


def titles(queryset) -> list[str]:
    return [product.title for product in queryset]


# --- Words ------------------------------------------------------------------------------


def test_chinese_word_inside_a_title_is_found(cat):
    # when
    found = titles(product_search(query="手机"))

    # then: 华为手机 has it in the title, 车载支架 in the subtitle; the title match ranks first
    assert found[0] == "华为手机 Mate 60"
    assert "车载支架" in found
    assert "iPhone 15 Pro" not in found


def test_partial_latin_word_is_found_case_insensitively(cat):
    assert titles(product_search(query="iph")) == ["iPhone 15 Pro"]
    assert titles(product_search(query="MATE")) == ["华为手机 Mate 60"]


def test_several_words_must_all_match(cat):
    assert titles(product_search(query="华为 mate")) == ["华为手机 Mate 60"]
    assert titles(product_search(query="华为 iphone")) == []


def test_a_word_only_in_the_description_is_found_by_full_text(cat):
    assert titles(product_search(query="waterproof")) == ["小米电视 65寸"]


def test_a_near_miss_of_a_title_word_is_found(cat):
    assert "iPhone 15 Pro" in titles(product_search(query="iphonne"))


def test_title_matches_outrank_subtitle_matches(cat):
    # given: "smartphone" is in the iPhone's subtitle, "phone" also inside "iPhone" the title
    # when
    found = titles(product_search(query="phone"))

    # then
    assert found[0] == "iPhone 15 Pro"


def test_inactive_products_and_merchants_are_never_found(cat):
    # given
    closed = MerchantFactory(name="Closed", slug="closed", is_active=False)
    ProductFactory(title="华为手机 closed shop", merchant=closed, category=cat.phones)

    # when
    found = titles(product_search(query="华为"))

    # then
    assert found == ["华为手机 Mate 60"]


def test_punctuation_alone_matches_nothing(cat):
    # "%" listing the whole catalogue read as "everything matches %": nothing does.
    assert titles(product_search(query="%_&!")) == []
    assert len(titles(product_search(query=""))) == 5


# --- Filters -----------------------------------------------------------------------------


def test_a_category_includes_its_descendants(cat):
    found = set(titles(product_search(category_ids=[cat.digital.pk])))
    assert found == {"华为手机 Mate 60", "iPhone 15 Pro", "小米电视 65寸", "车载支架"}
    assert set(titles(product_search(category_slug="tv"))) == {"小米电视 65寸"}


def test_brand_filter(cat):
    found = set(titles(product_search(brand_ids=[cat.apple.pk, cat.xiaomi.pk])))
    assert found == {"iPhone 15 Pro", "小米电视 65寸"}


def test_price_range_is_inclusive(cat):
    found = titles(
        product_search(min_price=Decimal("399.00"), max_price=Decimal("5999.00"), ordering="price")
    )
    assert found == ["Running shoes", "小米电视 65寸", "华为手机 Mate 60"]


def test_in_stock_only_leaves_out_what_cannot_be_bought(cat):
    # given: an allocated-out SKU and a SKU only stocked in a closed warehouse
    sku = SKUFactory(product=cat.holder, price=Decimal("49.00"))
    StockRecordFactory(sku=sku, on_hand=5, allocated=5)
    cat.holder.sku.stock_records.update(on_hand=0)
    closed = ProductFactory(title="Closed warehouse item", merchant=cat.merchant)
    record = StockRecordFactory(sku=SKUFactory(product=closed), on_hand=10)
    record.warehouse.is_active = False
    record.warehouse.save()
    # and a product whose only stock belongs to a SKU no longer sold
    retired = ProductFactory(title="Retired colour", merchant=cat.merchant)
    StockRecordFactory(sku=SKUFactory(product=retired), on_hand=0)
    StockRecordFactory(sku=SKUFactory(product=retired, is_active=False), on_hand=8)

    # when
    found = set(titles(product_search(in_stock_only=True)))

    # then
    assert found == {"华为手机 Mate 60", "iPhone 15 Pro", "小米电视 65寸"}


def test_stock_available_counts_active_skus_in_active_warehouses(cat):
    # given
    extra = SKUFactory(product=cat.mate)
    StockRecordFactory(sku=extra, on_hand=7, allocated=2)
    retired = SKUFactory(product=cat.mate, is_active=False)
    StockRecordFactory(sku=retired, on_hand=100)

    # when
    mate = product_search(query="mate").get()

    # then
    assert mate.stock_available == 10 + 5


def test_attribute_values_are_alternatives_within_an_attribute_and_all_across(cat):
    either_colour = set(titles(product_search(attribute_value_ids=[cat.red.pk, cat.blue.pk])))
    assert either_colour == {"华为手机 Mate 60", "iPhone 15 Pro", "Running shoes"}
    red_and_m = titles(product_search(attribute_value_ids=[cat.red.pk, cat.size_m.pk]))
    assert red_and_m == ["Running shoes"]


def test_attribute_values_of_inactive_skus_do_not_count(cat):
    cat.iphone.sku.is_active = False
    cat.iphone.sku.save()
    assert titles(product_search(attribute_value_ids=[cat.red.pk])) == ["Running shoes"]


def test_filters_combine_with_a_query(cat):
    found = titles(product_search(query="手机", brand_ids=[cat.huawei.pk], in_stock_only=True))
    assert found == ["华为手机 Mate 60"]


# --- Sorting -----------------------------------------------------------------------------


def test_every_sort_order(cat):
    assert titles(product_search(ordering="price")) == [
        "车载支架",
        "Running shoes",
        "小米电视 65寸",
        "华为手机 Mate 60",
        "iPhone 15 Pro",
    ]
    assert titles(product_search(ordering="-price"))[0] == "iPhone 15 Pro"
    assert titles(product_search(ordering="sales")) == [
        "iPhone 15 Pro",
        "华为手机 Mate 60",
        "Running shoes",
        "小米电视 65寸",
        "车载支架",
    ]
    assert titles(product_search(ordering="newest"))[0] == "Running shoes"
    assert titles(product_search(ordering="newest"))[-1] == "华为手机 Mate 60"


def test_best_match_without_a_query_puts_featured_first_then_best_selling(cat):
    cat.tv_set.is_featured = True
    cat.tv_set.save()
    found = titles(product_search(ordering="relevance"))
    assert found[:3] == ["小米电视 65寸", "iPhone 15 Pro", "华为手机 Mate 60"]


def test_an_explicit_sort_overrides_relevance_for_a_query(cat):
    assert titles(product_search(query="手机", ordering="price")) == [
        "车载支架",
        "华为手机 Mate 60",
    ]


# --- Categories and product detail -------------------------------------------------------


def test_category_tree_nests_children_and_hides_inactive(cat):
    # given
    cat.sport.is_active = False
    cat.sport.save()

    # when
    tree = category_tree()

    # then
    assert [node.name for node in tree] == ["数码"]
    assert [child.slug for child in tree[0].children] == ["phones", "tv"]


def test_product_detail_has_skus_with_stock_and_values(cat, django_assert_num_queries):
    # given
    second = SKUFactory(product=cat.iphone, price=Decimal("8999.00"))
    second.attribute_values.set([cat.blue])
    StockRecordFactory(sku=second, on_hand=3, allocated=1)

    # when
    with django_assert_num_queries(4):
        detail = product_detail(cat.iphone.pk)

    # then
    assert [(s.price, s.stock_available) for s in detail.skus] == [
        (Decimal("7999.00"), 10),
        (Decimal("8999.00"), 2),
    ]
    assert [[v.value for v in values] for _a, values in detail.attributes] == [["Blue", "Red"]]
    assert detail.default_sku.price == Decimal("7999.00")


def test_product_detail_of_an_inactive_product_is_not_found(cat):
    with pytest.raises(NotFound):
        product_detail(cat.hidden.pk)


def test_a_product_without_an_active_sku_is_not_listed(cat):
    # given
    cat.iphone.sku.is_active = False
    cat.iphone.sku.save()

    # when / then
    assert "iPhone 15 Pro" not in titles(product_search())


def test_without_postgresql_search_degrades_to_substring_matching(cat, monkeypatch):
    # given: the SQLite fallback of `make run`
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")

    # when / then: title and subtitle substrings still match, the rest needs PostgreSQL
    assert titles(product_search(query="手机"))[0] == "华为手机 Mate 60"
    assert titles(product_search(query="iph")) == ["iPhone 15 Pro"]
    assert titles(product_search(query="waterproof")) == []
