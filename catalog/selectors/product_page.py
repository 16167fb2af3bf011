"""The product page: the product, its SKUs with what each can sell, its pictures and options;
the small display helpers cards and pages share."""

import contextlib
import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import (
    Prefetch,
)

from catalog.models import (
    SKU,
    AttributeValue,
    Product,
    ProductImage,
)
from catalog.services.catalogue_version import CACHE_DOWN
from shop.errors import NotFound

from .listing import card_images
from .no_reason_return import categories_allow_no_reason
from .stock import sku_sellable_expression

logger = logging.getLogger(__name__)
# A thumbnail's URL is kept this long per picture file (it never changes for a file's name;
# the day bounds what a cache holds for pictures no page shows any more).
THUMBNAIL_CACHE_SECONDS = 24 * 60 * 60


@dataclass
class ProductDetail:
    product: Product
    skus: list[SKU]  # active and inactive; each with .stock_available and .option_values
    images: list[ProductImage]
    # [(attribute, [values])] that the active SKUs are made of, for the SKU picker
    attributes: list[tuple]

    @property
    def stock_available(self) -> int:
        return sum(sku.stock_available for sku in self.skus if sku.is_active)

    @property
    def no_reason_return(self) -> bool:
        """七天无理由退货 is offered: the product and its category (and every category above
        it) allow it (no_reason_return_allowed, answered by the product query itself)."""
        return bool(self.product.no_reason_return and self.product.categories_allow_no_reason)

    @property
    def default_sku(self) -> SKU | None:
        """The SKU preselected on the page: the cheapest one in stock, else the cheapest."""
        active = [sku for sku in self.skus if sku.is_active]
        in_stock = [sku for sku in active if sku.stock_available > 0]
        candidates = in_stock or active
        return min(candidates, key=lambda s: (s.price, s.pk)) if candidates else None


def product_detail(pk: int) -> ProductDetail:
    """A product with its SKUs (attribute values, sellable stock) and images, in four queries
    whatever the number of SKUs or images. Unknown or inactive -> NotFound."""
    if not 0 < int(pk) < 2**63:  # beyond bigint: no such row, and no database error
        raise NotFound("No such product.", code="unknown_product")
    product = (
        Product.objects.filter(pk=pk, is_active=True, merchant__is_active=True)
        .select_related("merchant", "category", "brand")
        .annotate(categories_allow_no_reason=categories_allow_no_reason(product_id=int(pk)))
        .prefetch_related(
            card_images(),
            Prefetch(
                "skus",
                queryset=SKU.objects.annotate(stock_available=sku_sellable_expression())
                .prefetch_related(
                    Prefetch(
                        "attribute_values",
                        queryset=AttributeValue.objects.select_related("attribute").order_by(
                            "attribute__name", "attribute_id", "value"
                        ),
                    )
                )
                .order_by("price", "id"),
            ),
        )
        .first()
    )
    if product is None:
        raise NotFound("No such product.", code="unknown_product")
    skus = list(product.skus.all())
    attributes: dict[int, tuple] = {}
    for sku in skus:
        sku.stock_available = max(sku.stock_available, 0)
        sku.option_values = list(sku.attribute_values.all())
        if not sku.is_active:
            continue
        for value in sku.option_values:
            entry = attributes.setdefault(value.attribute_id, (value.attribute, []))
            if value not in entry[1]:
                entry[1].append(value)
    for _attribute, values in attributes.values():
        values.sort(key=lambda v: v.value)
    return ProductDetail(
        product=product,
        skus=skus,
        images=list(product.images.all()),
        attributes=sorted(attributes.values(), key=lambda pair: (pair[0].name, pair[0].pk)),
    )


def image_spec_url(image: ProductImage | None, spec: str = "thumbnail") -> str:
    """URL of an imagekit rendition ("thumbnail" 320px square, "large" 960px) of a product
    image; the original when the rendition cannot be made, "" when there is no file."""
    if not image or not getattr(image, "image", None):
        return ""
    url = _rendition_url(image, spec)
    return url if url is not None else _original_url(image)


def _original_url(image: ProductImage) -> str:
    try:
        return image.image.url
    except Exception:
        return ""


def _rendition_url(image: ProductImage, spec: str) -> str | None:
    """The rendition's URL (made now if it is missing), None when it cannot be made."""
    try:
        return getattr(image, spec).url
    except Exception:  # a missing or broken file must not take a page down
        logger.warning("No %s rendition of product image %s", spec, image.pk)
        return None


def _thumbnail_key(image_name: str) -> str:
    return "catalog:thumbnail:" + hashlib.sha256(image_name.encode()).hexdigest()[:32]


def card_thumbnails(products) -> dict[int, str]:
    """{product id: the thumbnail URL of its first picture ("" without one)} for a page of
    cards (their `images` prefetched in card order), with one cache read.

    A rendition's URL is a hash of its source file's name and the spec (imagekit pickles both
    per call, and asks its cache whether the file exists: 20 lookups a page), so it is kept
    per file name: a new picture has a new name and is looked up afresh. An original shown
    because its rendition could not be made is not kept, so the rendition is tried again."""
    firsts = {}
    for product in products:
        images = product.images.all()
        firsts[product.pk] = images[0] if images and images[0].image else None
    names = {image.image.name for image in firsts.values() if image is not None}
    known = {}
    if names:
        with contextlib.suppress(*CACHE_DOWN):
            keys = {_thumbnail_key(name): name for name in names}
            known = {keys[key]: url for key, url in cache.get_many(list(keys)).items()}
    made = {}
    urls = {}
    for pk, image in firsts.items():
        if image is None:
            urls[pk] = ""
            continue
        name = image.image.name
        if name not in known and name not in made:
            made[name] = _rendition_url(image, "thumbnail")
        url = known.get(name) or made.get(name)
        urls[pk] = url if url is not None else _original_url(image)
    kept = {_thumbnail_key(name): url for name, url in made.items() if url is not None}
    if kept:
        with contextlib.suppress(*CACHE_DOWN):
            cache.set_many(kept, THUMBNAIL_CACHE_SECONDS)
    return urls


def sku_label(sku: SKU) -> str:
    """ "Colour: Red / Size: M" from prefetched attribute values (or the SKU code)."""
    values = getattr(sku, "option_values", None)
    if values is None:
        values = list(sku.attribute_values.all())
    return " / ".join(f"{v.attribute.name}: {v.value}" for v in values) or sku.code
