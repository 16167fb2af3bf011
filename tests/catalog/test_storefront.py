"""Storefront pages of the catalogue: home, listings with filters, product page."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.catalog.factories import (
    ProductImageFactory,
    SearchCatalogue,
    SKUFactory,
    StockRecordFactory,
    stocked_sku,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return SearchCatalogue()


def card_titles(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'data-testid="product-title">([^<]+)<', html)


def text(response) -> str:
    return response.content.decode()


# --- Home and listings ---------------------------------------------------------------------


def test_home_shows_categories_featured_and_newest(client, cat):
    # given
    cat.iphone.is_featured = True
    cat.iphone.save()

    # when
    response = client.get(reverse("catalog:home"))

    # then
    page = text(response)
    assert response.status_code == 200
    assert 'href="/c/digital/"' in page and 'href="/c/phones/"' in page
    featured = page.split('data-testid="featured"')[1].split('data-testid="newest"')[0]
    assert "iPhone 15 Pro" in featured and "小米电视" not in featured
    assert "华为手机 旧款" not in page  # inactive


def test_home_renders_with_an_empty_catalogue(client):
    response = client.get(reverse("catalog:home"))
    assert response.status_code == 200
    assert "No products yet." in text(response)


def test_search_page_finds_chinese_and_shows_the_count(client, cat):
    response = client.get(reverse("catalog:search"), {"q": "手机"})
    assert card_titles(response) == ["华为手机 Mate 60", "车载支架"]
    assert "2 products" in text(response)


def test_search_without_results_says_so(client, cat):
    response = client.get(reverse("catalog:search"), {"q": "冰箱"})
    assert 'data-testid="no-results"' in text(response)


def test_category_page_lists_descendants_and_subcategories(client, cat):
    response = client.get(reverse("catalog:category", args=["digital"]))
    page = text(response)
    assert set(card_titles(response)) == {
        "华为手机 Mate 60",
        "iPhone 15 Pro",
        "小米电视 65寸",
        "车载支架",
    }
    assert 'href="/c/phones/"' in page and 'href="/c/tv/"' in page
    assert "<span>数码</span>" in page  # breadcrumb


def test_unknown_or_inactive_category_is_404(client, cat):
    cat.sport.is_active = False
    cat.sport.save()
    assert client.get(reverse("catalog:category", args=["nope"])).status_code == 404
    assert client.get(reverse("catalog:category", args=["sport"])).status_code == 404


def test_brand_and_attribute_filters_are_links_that_keep_other_filters(client, cat):
    # when
    response = client.get(reverse("catalog:category", args=["phones"]), {"ordering": "price"})
    page = text(response)

    # then: the brand link keeps the sort and toggles the brand
    link = re.search(r'href="([^"]+)"[^>]*data-testid="brand-apple"', page).group(1)
    assert "ordering=price" in link and f"brand={cat.apple.pk}" in link
    filtered = client.get(reverse("catalog:category", args=["phones"]) + link.replace("&amp;", "&"))
    assert card_titles(filtered) == ["iPhone 15 Pro"]
    assert "✓ Apple" in text(filtered)


def test_every_filter_on_the_search_page(client, cat):
    url = reverse("catalog:search")
    assert card_titles(client.get(url, {"brand": [cat.huawei.pk, cat.apple.pk]})) == [
        "iPhone 15 Pro",
        "华为手机 Mate 60",
    ]
    assert card_titles(client.get(url, {"min_price": "400", "max_price": "6000"})) == [
        "华为手机 Mate 60",
        "小米电视 65寸",
    ]
    assert "Running shoes" not in card_titles(client.get(url, {"in_stock": "true"}))
    assert card_titles(client.get(url, {"attribute_values": [cat.red.pk, cat.size_m.pk]})) == [
        "Running shoes"
    ]
    assert card_titles(client.get(url, {"category": "tv"})) == ["小米电视 65寸"]


def test_every_sort_on_the_listing(client, cat):
    url = reverse("catalog:search")
    assert card_titles(client.get(url, {"ordering": "price"}))[0] == "车载支架"
    assert card_titles(client.get(url, {"ordering": "-price"}))[0] == "iPhone 15 Pro"
    assert card_titles(client.get(url, {"ordering": "sales"}))[0] == "iPhone 15 Pro"
    assert card_titles(client.get(url, {"ordering": "newest"}))[0] == "Running shoes"


def test_bad_filter_values_are_left_out_with_a_note_not_an_error(client, cat):
    response = client.get(
        reverse("catalog:search"),
        {"q": "手机", "brand": "abc", "min_price": "-5", "ordering": "cheap", "page": "zz"},
    )
    assert response.status_code == 200
    assert card_titles(response) == ["华为手机 Mate 60", "车载支架"]
    assert "Some filters were not understood" in text(response)


def test_pagination_keeps_the_filters(client, cat):
    # given: 25 more phones
    for n in range(25):
        stocked_sku(product__title=f"Phone model {n}", product__category=cat.phones)

    # when
    first = client.get(reverse("catalog:category", args=["phones"]), {"ordering": "price"})
    next_link = re.search(r'href="([^"]+)" rel="next"', text(first)).group(1).replace("&amp;", "&")
    second = client.get(reverse("catalog:category", args=["phones"]) + next_link)

    # then
    assert len(card_titles(first)) == 20
    assert "ordering=price" in next_link and "page=2" in next_link
    assert len(card_titles(second)) == 28 - 20
    assert "Page 2 of 2" in text(second)


# --- Product page -----------------------------------------------------------------------


def test_product_page_offers_each_sku_and_disables_the_sold_out(client, cat):
    # given: the iPhone in Red (10 in stock) and Blue (sold out)
    blue = SKUFactory(
        product=cat.iphone, code="IP-BLUE", price=Decimal("8199.00"), market_price=None
    )
    blue.attribute_values.set([cat.blue])
    StockRecordFactory(sku=blue, on_hand=2, allocated=2)
    ProductImageFactory(product=cat.iphone, alt="front")
    ProductImageFactory(product=cat.iphone, alt="back", position=1)

    # when
    response = client.get(reverse("catalog:product", args=[cat.iphone.pk]))

    # then
    page = text(response)
    red_radio = re.search(rf'<input[^>]+data-testid="sku-{cat.iphone.sku.code}"[^>]*>', page)
    blue_radio = re.search(r'<input[^>]+data-testid="sku-IP-BLUE"[^>]*>', page)
    assert "checked" in red_radio.group(0) and "disabled" not in red_radio.group(0)
    assert "disabled" in blue_radio.group(0)
    assert "Blue — ¥8,199.00 · out of stock" in page
    assert 'data-testid="sku-price">¥7,999.00<' in page
    assert "In stock: 10" in page
    assert f'data-testid="option-{cat.blue.pk}"' in page  # the JS picker's chips
    assert '"available": 0' in page and '"price": "8199.00"' in page  # the picker's data
    assert page.count("/media/CACHE/images/") >= 3  # large image + two thumbnails
    assert 'action="/cart/add/"' in page


def test_a_sold_out_product_cannot_be_added(client, cat):
    response = client.get(reverse("catalog:product", args=[cat.shoes.pk]))
    page = text(response)
    assert re.search(r'<button[^>]+data-testid="add-to-cart"[^>]*disabled', page)
    assert "Out of stock" in page


def test_inactive_or_unknown_product_is_404(client, cat):
    assert client.get(reverse("catalog:product", args=[cat.hidden.pk])).status_code == 404
    assert client.get(reverse("catalog:product", args=[999999])).status_code == 404


def test_ids_beyond_the_database_range_are_404_not_500(client, api_client):
    huge = 10**20
    assert client.get(f"/p/{huge}/").status_code == 404
    assert api_client.get(f"/api/products/{huge}/").status_code == 404
    response = client.post(f"/cart/items/{huge}/update/", {"quantity": "1"}, follow=True)
    assert response.status_code == 200
    assert "Unknown cart line." in text(response)
    assert api_client.delete(f"/api/cart/items/{huge}/").status_code == 404
    assert api_client.get("/api/products/", {"category": str(huge)}).json()["count"] == 0
