"""Chinese query words of one or two characters (migration 0009): found through the CJK
unigrams and bigrams of the search document, which the GIN index serves."""

from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import SKU, Brand, Product
from catalog.selectors import product_search
from catalog.selectors.listing import cjk_grams_tsquery
from tests.catalog.factories import (
    BrandFactory,
    CategoryFactory,
    MerchantFactory,
    SearchCatalogue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return SearchCatalogue()


def titles(queryset) -> set[str]:
    return {product.title for product in queryset}


def test_a_one_character_word_finds_exactly_the_products_that_contain_it(cat):
    # given: 机 is in 华为手机 (title) and 手机支架 (subtitle of 车载支架); 华为手机 旧款 is hidden
    # when / then
    assert titles(product_search(query="机")) == {"华为手机 Mate 60", "车载支架"}
    assert titles(product_search(query="寸")) == {"小米电视 65寸"}
    assert titles(product_search(query="鞋")) == set()


def test_a_two_character_word_finds_exactly_the_products_that_contain_it(cat):
    assert titles(product_search(query="手机")) == {"华为手机 Mate 60", "车载支架"}
    assert titles(product_search(query="支架")) == {"车载支架"}
    assert titles(product_search(query="米电")) == {"小米电视 65寸"}
    # both characters occur in 华为手机 Mate 60, but not side by side
    assert titles(product_search(query="华机")) == set()


def test_longer_chinese_words_match_as_substrings_and_combine_with_latin_words(cat):
    assert titles(product_search(query="华为手")) == {"华为手机 Mate 60"}
    assert titles(product_search(query="能手机")) == {"华为手机 Mate 60"}
    assert titles(product_search(query="机 mate")) == {"华为手机 Mate 60"}
    assert titles(product_search(query="支架 mate")) == set()
    # 支架 and 配件 are both in 车载支架's subtitle, but not as the word 支架配件
    assert titles(product_search(query="支架配件")) == set()


def test_the_title_match_of_a_short_word_ranks_above_the_subtitle_match(cat):
    # when: 华为手机 Mate 60 has 手机 in its title, 车载支架 in its subtitle (and sells less)
    found = [product.title for product in product_search(query="手机")]

    # then
    assert found == ["华为手机 Mate 60", "车载支架"]


def test_a_chinese_brand_name_finds_its_products_and_a_rename_follows(cat):
    # given: Apple renamed 苹果 (its product's title and subtitle are Latin)
    assert titles(product_search(query="苹果")) == set()
    apple = Brand.objects.get(pk=cat.apple.pk)
    apple.name = "苹果"
    apple.save()

    # when / then: found by the brand's name and by one character of it
    assert titles(product_search(query="苹果")) == {"iPhone 15 Pro"}
    assert titles(product_search(query="苹")) == {"iPhone 15 Pro"}

    # and: another brand for the product, the old name no longer finds it
    iphone = Product.objects.get(pk=cat.iphone.pk)
    iphone.brand = BrandFactory(name="华为", slug="huawei-cn")
    iphone.save()
    assert titles(product_search(query="苹果")) == set()
    assert "iPhone 15 Pro" in titles(product_search(query="华为"))


def test_an_edited_title_is_searched_by_its_new_words(cat):
    # given
    holder = Product.objects.get(pk=cat.holder.pk)
    holder.title = "磁吸支架"
    holder.subtitle = "配件"
    holder.save()

    # when / then
    assert titles(product_search(query="磁")) == {"磁吸支架"}
    assert titles(product_search(query="车载")) == set()
    assert "磁吸支架" not in titles(product_search(query="手机"))


def test_a_chinese_word_becomes_its_unigram_or_its_bigrams_in_a_row():
    assert cjk_grams_tsquery("茶") == "茶"
    assert cjk_grams_tsquery("手机") == "手机"
    assert cjk_grams_tsquery("华为手机") == "华为 <-> 为手 <-> 手机"


# --- The plan at a few thousand products -----------------------------------------------------


@pytest.fixture
def three_thousand_products():
    merchant = MerchantFactory()
    category = CategoryFactory()
    fillers = ["智能手表", "运动鞋", "蓝牙耳机", "Phone case", "机械键盘"]
    products = [
        Product(
            merchant=merchant,
            category=category,
            title=f"{fillers[n % len(fillers)]} {n}",
            subtitle="配件" if n % 2 else "Accessory",
            price_from=Decimal(10 + n % 500),
            sales_count=n % 997,
        )
        for n in range(3000)
    ]
    products += [
        Product(merchant=merchant, category=category, title=title, price_from=Decimal(30))
        for title in ["西湖龙井 绿茶", "普洱茶饼", "茶具套装"]
    ]
    Product.objects.bulk_create(products, batch_size=1000)
    SKU.objects.bulk_create(
        SKU(product=product, code=f"BULK-{product.pk}", price=product.price_from)
        for product in Product.objects.filter(category=category)
    )
    with connection.cursor() as cursor:
        # What autovacuum leaves after a bulk load: statistics, and the GIN index's pending
        # list merged into the index (until then every search reads the whole list, and the
        # planner, which counts its pages, rightly prefers reading the table).
        cursor.execute("ANALYZE catalog_product")
        cursor.execute("ANALYZE catalog_sku")
        cursor.execute("SELECT gin_clean_pending_list('product_search_document_gin'::regclass)")
    return category


@pytest.mark.parametrize("query", ["茶", "绿茶", "茶 套装"])
def test_a_short_chinese_word_is_read_from_the_gin_index(three_thousand_products, query):
    # given: 3,003 products, three of them tea; the planner free to choose (nothing forbidden)
    # when: the storefront's search (best match among its best-selling candidates), a page
    plan = product_search(query=query, ranked_candidates=1001)[:20].explain()

    # then: the search document's GIN index finds the matches, no product is read to test them
    assert "product_search_document_gin" in plan, plan
    assert "Seq Scan on catalog_product" not in plan, plan
    assert len(product_search(query=query)) == {"茶": 3, "绿茶": 1, "茶 套装": 1}[query]
