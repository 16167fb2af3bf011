"""Product cards are kept in the cache under a digest of what they show (catalog_tags.
card_fingerprint) and thumbnail URLs per picture file (card_thumbnails): a page seen again
renders no card, and whatever a card shows that changes, by any path (a save, a queryset
update that sends no signal, a sale, a stock move, a new offer), shows on the next request."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.template.base import Template
from django.urls import reverse
from django.utils import timezone

from catalog.models import Merchant, Product, ProductImage, Promotion, StockRecord
from catalog.selectors import card_thumbnails, listed_products
from catalog.services.products import product_refresh_price_from
from catalog.templatetags import catalog_tags
from tests.catalog.factories import ProductImageFactory, Shelf

pytestmark = pytest.mark.django_db

CARD = re.compile(r'<a class="product-card".*?</a>', re.S)


@pytest.fixture
def shelf():
    return Shelf().fill(3)


def cards(client, url=None, *, language="en", **params) -> list[str]:
    response = client.get(
        url or reverse("catalog:category", args=["phones"]),
        params,
        headers={"accept-language": language},
    )
    assert response.status_code == 200
    return CARD.findall(response.content.decode())


def card_of(product, found: list[str]) -> str:
    [card] = [card for card in found if f'data-product-id="{product.pk}"' in card]
    return card


def test_a_page_seen_again_renders_no_card_and_shows_the_same(client, shelf, monkeypatch):
    # given: the page once, every card rendered and kept
    first = cards(client)
    renders = []
    render = Template.render

    def counted(self, context):
        renders.append(self.name)
        return render(self, context)

    monkeypatch.setattr(Template, "render", counted)

    # when
    again = cards(client)

    # then: the same cards, none of them rendered again
    assert again == first and len(first) == 3
    assert catalog_tags.CARD_TEMPLATE not in renders


def test_cards_from_the_cache_are_the_cards_rendered_afresh_in_each_language(client, shelf):
    # given: a card with words to translate ("Out of stock"), rendered afresh in both languages
    _sold_out(shelf.products[0])
    english_fresh = cards(client)
    chinese_fresh = cards(client, language="zh-hans")

    # when: read back from the cache
    english = cards(client)
    chinese = cards(client, language="zh-hans")

    # then: each language its own cards, as rendered
    assert english == english_fresh and chinese == chinese_fresh
    assert "Out of stock" in card_of(shelf.products[0], english)
    assert "缺货" in card_of(shelf.products[0], chinese)


def _price_edited(product):
    product.skus.update(price=Decimal("77.00"))  # a queryset update: no signal
    product_refresh_price_from(product_id=product.pk)
    return "¥77.00"


def _sold_out(product):
    # An order's allocation moves stock without any catalogue signal or version bump.
    StockRecord.objects.filter(sku__product=product).update(allocated=F("on_hand"))
    return "Out of stock"


def _sold(product):
    Product.objects.filter(pk=product.pk).update(sales_count=4321)
    return "4321 sold"


def _rated(product):
    Product.objects.filter(pk=product.pk).update(rating_count=7, rating_average=Decimal("4.40"))
    return "★ 4.4 (7)"


def _retitled(product):
    Product.objects.filter(pk=product.pk).update(title="Retitled phone")
    return "Retitled phone"


def _merchant_renamed(product):
    Merchant.objects.filter(pk=product.merchant_id).update(name="Renamed shop")
    return "Renamed shop"


def _on_offer(product):
    now = timezone.now()
    promotion = Promotion.objects.create(
        merchant_id=product.merchant_id,
        name="限时价",
        kind=Promotion.Kind.LIMITED_PRICE,
        applies_to_all=False,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=1),
    )
    promotion.products.add(product)
    return 'data-testid="offer-badges"'


def _picture_described(product):
    ProductImage.objects.filter(product=product).update(alt="A described picture")
    return 'alt="A described picture"'


@pytest.mark.parametrize(
    "change",
    [
        _price_edited,
        _sold_out,
        _sold,
        _rated,
        _retitled,
        _merchant_renamed,
        _on_offer,
        _picture_described,
    ],
)
def test_what_a_card_shows_changed_shows_on_the_next_request(client, shelf, change):
    # given: the page seen (in English, for the words), its cards kept
    product = shelf.products[1]
    before = cards(client)

    # when
    shown = change(product)
    after = cards(client)

    # then: this card shows the change; the others are as they were
    assert shown not in card_of(product, before)
    assert shown in card_of(product, after)
    others = [p for p in shelf.products if p.merchant_id != product.merchant_id]
    assert [card_of(p, after) for p in others] == [card_of(p, before) for p in others]


def test_an_offer_that_ends_leaves_the_card_on_the_next_request(client, shelf):
    # given: an offer on the card, seen
    product = shelf.products[0]
    _on_offer(product)
    assert 'data-testid="offer-badges"' in card_of(product, cards(client))

    # when: it ends (an update: no signal)
    Promotion.objects.update(ends_at=timezone.now() - timedelta(seconds=1))

    # then
    assert 'data-testid="offer-badges"' not in card_of(product, cards(client))


def test_thumbnails_are_read_for_the_page_at_once_and_a_new_picture_is_its_own(shelf):
    # given: the page's products as a listing reads them, their thumbnails looked up once
    products = list(listed_products().filter(pk__in=[p.pk for p in shelf.products]))
    first = card_thumbnails(products)
    assert all(url.endswith(".jpg") and "/CACHE/images/" in url for url in first.values())

    # when: a new first picture for one product (a new file, a new name)
    product = shelf.products[2]
    ProductImage.objects.filter(product=product).update(position=5)
    ProductImageFactory(product=product, position=0)
    products = list(listed_products().filter(pk__in=[p.pk for p in shelf.products]))
    again = card_thumbnails(products)

    # then: that product's thumbnail is the new picture's, the others the same URLs as before
    assert again[product.pk] != first[product.pk]
    assert {pk: url for pk, url in again.items() if pk != product.pk} == {
        pk: url for pk, url in first.items() if pk != product.pk
    }


def test_a_product_without_pictures_has_an_empty_thumbnail(shelf):
    product = shelf.products[0]
    ProductImage.objects.filter(product=product).delete()

    [shown] = list(listed_products().filter(pk=product.pk))

    assert card_thumbnails([shown]) == {product.pk: ""}


def test_a_product_sold_out_leaves_the_in_stock_listing_on_the_next_request(client, shelf):
    # given: the listing and its in-stock page seen (summary and cards kept)
    product = shelf.products[0]
    assert len(cards(client)) == 3
    assert len(cards(client, in_stock="true")) == 3

    # when: its stock allocated by orders (no catalogue signal, no version bump)
    _sold_out(product)
    in_stock = cards(client, in_stock="true")
    everything = cards(client)

    # then: gone from the in-stock page, still listed (as out of stock) without the filter
    assert f'data-product-id="{product.pk}"' not in "".join(in_stock) and len(in_stock) == 2
    assert len(everything) == 3
    assert "Out of stock" in card_of(product, everything)
