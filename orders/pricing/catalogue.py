"""What the catalogue says about the SKUs being priced, loaded in a fixed number of queries
whatever the number of lines: the lines themselves, their merchants' promotions and shipping
templates."""

from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from catalog.models import (
    SKU,
    AttributeValue,
    LimitedTimePrice,
    ProductImage,
    Promotion,
    ShippingRegionRate,
    ShippingTemplate,
)
from shop.errors import InvalidInput

from .values import CartLine, PromotionRule, ShippingRule


def _sku_attributes(sku: SKU) -> str:
    return " / ".join(f"{v.attribute.name}: {v.value}" for v in sku.attribute_values.all())


def _image_url(sku: SKU) -> str:
    images = list(sku.product.images.all())
    return images[0].image.url if images and images[0].image else ""


def cart_lines_load(wanted: list[tuple[int, int]]) -> list[CartLine]:
    skus = {
        sku.pk: sku
        for sku in SKU.objects.filter(
            pk__in=[sku_id for sku_id, _quantity in wanted],
            is_active=True,
            product__is_active=True,
            product__merchant__is_active=True,
        )
        .select_related("product__merchant")
        .prefetch_related(
            Prefetch(
                "attribute_values",
                queryset=AttributeValue.objects.select_related("attribute").order_by(
                    "attribute__name", "value"
                ),
            ),
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id")),
        )
    }
    lines = []
    for sku_id, quantity in wanted:
        sku = skus.get(sku_id)
        if sku is None:
            raise InvalidInput(
                _("One of the items is no longer on sale."),
                code="unknown_sku",
                extra={"sku_id": sku_id},
            )
        lines.append(
            CartLine(
                sku_id=sku.pk,
                product_id=sku.product_id,
                merchant_id=sku.product.merchant_id,
                merchant_name=sku.product.merchant.name,
                product_title=sku.product.title,
                sku_code=sku.code,
                list_price=sku.price,
                quantity=quantity,
                weight_grams=sku.weight_grams,
                sku_attributes=_sku_attributes(sku),
                image_url=_image_url(sku),
            )
        )
    return lines


def promotions_load(
    lines: list[CartLine], at: datetime, until: datetime | None = None
) -> list[PromotionRule]:
    """The promotions running at `at`, or at any time up to `until` (a cached copy's lifetime;
    price_cart keeps only those running when it prices)."""
    promotions = list(
        Promotion.objects.filter(
            merchant_id__in={line.merchant_id for line in lines},
            is_active=True,
            starts_at__lte=until or at,
            ends_at__gt=at,
        ).prefetch_related("tiers")
    )
    if not promotions:
        return []
    scoped_ids = [p.pk for p in promotions if not p.applies_to_all]
    product_ids: dict[int, set[int]] = {}
    if scoped_ids:
        for promotion_id, product_id in Promotion.products.through.objects.filter(
            promotion_id__in=scoped_ids, product_id__in={line.product_id for line in lines}
        ).values_list("promotion_id", "product_id"):
            product_ids.setdefault(promotion_id, set()).add(product_id)
    limited_ids = [p.pk for p in promotions if p.kind == Promotion.Kind.LIMITED_PRICE]
    limited: dict[int, dict[int, Decimal]] = {}
    if limited_ids:
        for promotion_id, sku_id, price in LimitedTimePrice.objects.filter(
            promotion_id__in=limited_ids, sku_id__in={line.sku_id for line in lines}
        ).values_list("promotion_id", "sku_id", "price"):
            limited.setdefault(promotion_id, {})[sku_id] = price
    return [
        PromotionRule(
            id=p.pk,
            merchant_id=p.merchant_id,
            name=p.name,
            kind=p.kind,
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            is_active=p.is_active,
            applies_to_all=p.applies_to_all,
            product_ids=frozenset(product_ids.get(p.pk, ())),
            percent_off=p.percent_off,
            tiers=tuple((t.threshold, t.discount) for t in p.tiers.all()),
            limited_prices=limited.get(p.pk, {}),
        )
        for p in promotions
    ]


def shipping_rules_load(merchant_ids: set[int], province: str) -> dict[int, ShippingRule]:
    templates = ShippingTemplate.objects.filter(merchant_id__in=merchant_ids).prefetch_related(
        Prefetch("region_rates", queryset=ShippingRegionRate.objects.filter(region=province))
    )
    return {
        t.merchant_id: ShippingRule(
            merchant_id=t.merchant_id,
            first_weight_grams=t.first_weight_grams,
            first_fee=t.first_fee,
            additional_weight_grams=t.additional_weight_grams,
            additional_fee=t.additional_fee,
            free_over=t.free_over,
            region_rates={r.region: (r.first_fee, r.additional_fee) for r in t.region_rates.all()},
        )
        for t in templates
    }
