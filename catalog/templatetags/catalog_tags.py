"""Template helpers of the storefront catalogue: filter links that keep the other filters,
money, image thumbnails that never break a page, and the product page's sections from other
apps."""

import contextlib
import hashlib
from functools import cache as once

from django import template
from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from catalog.product_page import product_sections_for
from catalog.selectors import card_thumbnails, image_spec_url
from catalog.services.catalogue_version import CACHE_DOWN
from shop.money import format_money

register = template.Library()

CARD_TEMPLATE = "catalog/_product_card.html"
# A card's HTML is kept under a digest of everything it shows (card_fingerprint), so an edit,
# a sale, a stock move or a new offer is a new key and never needs forgetting; the lifetime
# only bounds what the cache holds for cards nobody shows any more.
CARD_CACHE_SECONDS = 10 * 60


def _params(context):
    request = context.get("request")
    return request.GET.copy() if request is not None else None


@register.simple_tag(takes_context=True)
def url_with(context, **changes) -> str:
    """The current query string with some parameters set (None or "" removes them). Any change
    other than the page itself goes back to page 1."""
    params = _params(context)
    if params is None:
        return ""
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def url_toggle(context, key: str, value) -> str:
    """The current query string with `value` added to or removed from a multi-valued `key`
    (?brand=1&brand=2), back on page 1."""
    params = _params(context)
    if params is None:
        return ""
    params.pop("page", None)
    values = []
    for raw in params.getlist(key):
        values.extend(part for part in raw.split(",") if part)
    value = str(value)
    values = [v for v in values if v != value] if value in values else [*values, value]
    params.setlist(key, values)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return ""
    return format_money(value)


@register.filter
def thumbnail_url(image) -> str:
    """The 320px thumbnail of a ProductImage ("" when there is no image or it cannot be read)."""
    return image_spec_url(image, "thumbnail")


@register.filter
def card_thumbnail(thumbnails, product) -> str:
    """A product card's thumbnail URL from its page's {product id: URL} (card_thumbnails, one
    cache read for the page), or looked up for this card alone on a page that read none."""
    if isinstance(thumbnails, dict) and product.pk in thumbnails:
        return thumbnails[product.pk]
    return card_thumbnails([product])[product.pk]


@register.filter
def large_url(image) -> str:
    return image_spec_url(image, "large")


@register.filter
def contains(values, value) -> bool:
    return value in (values or ())


@register.filter
def offers_of(offers: dict, product) -> list:
    """The product's offers from the page's {product id: offers} (promotion_selectors)."""
    return (offers or {}).get(getattr(product, "pk", None), [])


@register.simple_tag(takes_context=True)
def product_sections(context, product) -> str:
    """The sections other apps add to the product page (catalog.product_page), each rendered
    in the page's context as an `{% include %}` would."""
    parts = []
    for template_name, extra in product_sections_for(product):
        section = context.template.engine.get_template(template_name)
        with context.push(**extra):
            parts.append(section.render(context))
    return mark_safe("".join(parts))


@once
def _card_template_digest() -> str:
    """A digest of the card template's source: a deployment that changes the card changes
    every card's key (read once per process, as the cached template loader does)."""
    source = get_template(CARD_TEMPLATE).template.source
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def card_fingerprint(product, offers: list, thumbnail: str) -> str:
    """The cache key of a product card: a digest of every value _product_card.html shows, in
    the active language. Whatever the card template reads must be here: tests/catalog/
    test_product_cards_cache.py changes each of these values and expects the card to follow."""
    images = product.images.all()
    image = images[0] if images else None
    stock = getattr(product, "stock_available", None)
    shown = (
        product.pk,
        product.title,
        image.alt if image is not None else None,
        thumbnail,
        tuple(offer.label for offer in offers[:2]),
        str(product.price_from),
        None if stock is None else stock <= 0,
        product.merchant.name,
        product.sales_count,
        product.rating_count,
        str(product.rating_average),
    )
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:32]
    return f"catalog:card:{_card_template_digest()}:{get_language() or ''}:{digest}"


@register.simple_tag(takes_context=True)
def product_cards(context, products) -> str:
    """The product cards of a page (_product_card.html for each, as `{% include %}` renders
    it, with the page's `offers` and `thumbnails`), each read from the cache by its
    fingerprint with one read for the page; only the cards not seen as they are now are
    rendered. Rendering 20 cards was a quarter of a listing page's time."""
    products = list(products)
    offers, thumbnails = context.get("offers") or {}, context.get("thumbnails")
    if not isinstance(thumbnails, dict):
        thumbnails = card_thumbnails(products)
    keys = [
        card_fingerprint(product, offers.get(product.pk, []), thumbnails.get(product.pk, ""))
        for product in products
    ]
    kept = {}
    with contextlib.suppress(*CACHE_DOWN):
        kept = cache.get_many(keys)
    card = context.template.engine.get_template(CARD_TEMPLATE)
    rendered = {}
    parts = []
    for product, key in zip(products, keys, strict=True):
        html = kept.get(key)
        if html is None:
            with context.push(product=product, thumbnails=thumbnails):
                html = card.render(context)
            rendered[key] = str(html)
        parts.append(html)
    if rendered:
        with contextlib.suppress(*CACHE_DOWN):
            cache.set_many(rendered, CARD_CACHE_SECONDS)
    return mark_safe("".join(parts))
