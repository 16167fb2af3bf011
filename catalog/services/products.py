"""Products and SKUs: the writes that the admin, its actions and the bulk import share.

`Product.price_from` is denormalised (lowest active SKU price) so listings can filter and sort
without a join; every path that changes a product's SKUs ends with `product_refresh_price_from`
(a recomputation of derived data, so it names no actor; the writes people make take one).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, Min, OuterRef

from catalog.actors import Actor
from catalog.models import SKU, Attribute, AttributeValue, Brand, Category, Merchant, Product
from catalog.services.catalogue_version import catalogue_version_bump
from shop.errors import InvalidInput


@transaction.atomic
def product_refresh_price_from(*, product_id: int) -> Decimal:
    """Set price_from to the lowest active SKU price (0.00 when no SKU is active)."""
    lowest = SKU.objects.filter(product_id=product_id, is_active=True).aggregate(
        lowest=Min("price")
    )["lowest"]
    price_from = lowest if lowest is not None else Decimal("0.00")
    if (
        Product.objects.filter(pk=product_id)
        .exclude(price_from=price_from)
        .update(price_from=price_from)
    ):
        catalogue_version_bump()
    return price_from


def products_refresh_price_from(*, product_ids) -> None:
    for product_id in sorted(set(product_ids)):
        product_refresh_price_from(product_id=product_id)


@dataclass
class ActivationResult:
    changed: int = 0
    skipped: list[str] = field(default_factory=list)


@transaction.atomic
def product_set_active(*, product_ids, is_active: bool, actor: Actor) -> ActivationResult:
    """Put products on sale or take them off. A product without an active SKU cannot be put
    on sale (a shopper could not buy it); those are returned in `skipped`."""
    products = Product.objects.filter(pk__in=list(product_ids)).exclude(is_active=is_active)
    result = ActivationResult()
    if is_active:
        has_sku = SKU.objects.filter(product_id=OuterRef("pk"), is_active=True)
        products = products.annotate(has_sku=Exists(has_sku))
        result.skipped = [p.title for p in products if not p.has_sku]
        products = products.filter(has_sku=True)
    ids = list(products.values_list("pk", flat=True))
    result.changed = Product.objects.filter(pk__in=ids).update(is_active=is_active)
    if result.changed:
        catalogue_version_bump()
    products_refresh_price_from(product_ids=ids)
    return result


@transaction.atomic
def product_set_featured(*, product_ids, is_featured: bool, actor: Actor) -> int:
    """Feature products on the home page (or stop featuring them)."""
    changed = (
        Product.objects.filter(pk__in=list(product_ids))
        .exclude(is_featured=is_featured)
        .update(is_featured=is_featured)
    )
    if changed:
        catalogue_version_bump()
    return changed


@transaction.atomic
def product_get_or_create_for_merchant(
    *,
    merchant: Merchant,
    title: str,
    category: Category | None,
    brand: Brand | None,
    actor: Actor,
) -> tuple[Product, bool]:
    """The merchant's product with this title (case-insensitive), created if missing; a given
    category or brand updates an existing product."""
    title = title.strip()
    if not title:
        raise InvalidInput("A product title is required.")
    product = (
        Product.objects.select_for_update()
        .filter(merchant=merchant, title__iexact=title)
        .order_by("pk")
        .first()
    )
    if product is None:
        if category is None:
            raise InvalidInput(f"A category is required for the new product “{title}”.")
        product = Product.objects.create(
            merchant=merchant, title=title, category=category, brand=brand
        )
        return product, True
    changed = []
    if category is not None and product.category_id != category.pk:
        product.category = category
        changed.append("category")
    if brand is not None and product.brand_id != brand.pk:
        product.brand = brand
        changed.append("brand")
    if changed:
        product.save(update_fields=[*changed, "updated_at"])
    return product, False


def attribute_values_from_text(text: str) -> list[tuple[str, str]]:
    """Parse "Colour:Red;Size:M" into [("Colour", "Red"), ("Size", "M")]; raises InvalidInput."""
    pairs = []
    for part in (text or "").replace("；", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.replace("：", ":").partition(":")
        if not sep or not name.strip() or not value.strip():
            raise InvalidInput(f"“{part}” is not in the form Name:Value (e.g. Colour:Red).")
        pairs.append((name.strip(), value.strip()))
    names = [name.lower() for name, _ in pairs]
    if len(names) != len(set(names)):
        raise InvalidInput("Each attribute may appear only once per SKU.")
    return pairs


@transaction.atomic
def attribute_values_get_or_create(*, pairs: list[tuple[str, str]]) -> list[AttributeValue]:
    """Attribute values for (attribute name or code, value) pairs, created when missing."""
    from django.utils.text import slugify

    values = []
    for name, value in pairs:
        attribute = (
            Attribute.objects.filter(code__iexact=name).first()
            or Attribute.objects.filter(name__iexact=name).first()
        )
        if attribute is None:
            code = slugify(name, allow_unicode=True)[:32] or name[:32]
            attribute, _ = Attribute.objects.get_or_create(code=code, defaults={"name": name})
        existing = AttributeValue.objects.filter(attribute=attribute)
        attribute_value = (
            existing.filter(value__iexact=value).first()
            # bilingual labels such as "红 Red" are found by either word
            or existing.filter(value__iendswith=f" {value}").first()
            or existing.filter(value__istartswith=f"{value} ").first()
            or AttributeValue.objects.create(attribute=attribute, value=value)
        )
        values.append(attribute_value)
    return values
