"""Promotions as the shopper sees them before checkout: a badge on product cards, the offers
on the product page, and in the cart how much more to spend for the next one ("¥0.30 more for
free shipping"). Reads only; what an order is actually charged is orders.pricing's.

A page asks once for all its products or merchants: a fixed number of queries per page."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Promotion, PromotionTier, ShippingTemplate
from shop.money import format_money, to_money


@dataclass(frozen=True)
class Offer:
    label: str  # "¥20 off over ¥200", "10% off", "Limited-time price", "Free shipping over ¥99"
    kind: str  # full_reduction | percent | limited_price | free_shipping


@dataclass(frozen=True)
class Nudge:
    """What a merchant's cart subtotal is short of for its next offer."""

    text: str
    missing: Decimal


def _plain(value: Decimal) -> str:
    text = format(to_money(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _active_promotions(merchant_ids):
    now = timezone.now()
    return (
        Promotion.objects.filter(
            merchant_id__in=set(merchant_ids), is_active=True, starts_at__lte=now, ends_at__gt=now
        )
        .prefetch_related(Prefetch("tiers", queryset=PromotionTier.objects.order_by("threshold")))
        .order_by("pk")
    )


def _promoted_pairs(promotions: list[Promotion], product_ids) -> set[tuple[int, int]]:
    """(promotion id, product id) of the promotions chosen for some products (not all of the
    merchant's) and the page's products, one query. Prefetching each promotion's products read
    every product it names, whole, however few of them the page shows."""
    chosen = [promotion.pk for promotion in promotions if not promotion.applies_to_all]
    if not chosen:
        return set()
    return set(
        Promotion.products.through.objects.filter(
            promotion_id__in=chosen, product_id__in=set(product_ids)
        ).values_list("promotion_id", "product_id")
    )


def _promotion_offers(promotion: Promotion) -> list[Offer]:
    if promotion.kind == Promotion.Kind.FULL_REDUCTION:
        return [
            Offer(
                _("¥%(discount)s off over ¥%(threshold)s")
                % {"discount": _plain(t.discount), "threshold": _plain(t.threshold)},
                promotion.kind,
            )
            for t in promotion.tiers.all()
        ]
    if promotion.kind == Promotion.Kind.PERCENT and promotion.percent_off:
        return [
            Offer(_("%(percent)s%% off") % {"percent": _plain(promotion.percent_off)}, "percent")
        ]
    if promotion.kind == Promotion.Kind.LIMITED_PRICE:
        return [Offer(_("Limited-time price"), promotion.kind)]
    return []


def _free_shipping_offers(merchant_ids) -> dict[int, Offer]:
    return {
        template.merchant_id: Offer(
            _("Free shipping over %(amount)s") % {"amount": format_money(template.free_over)},
            "free_shipping",
        )
        for template in ShippingTemplate.objects.filter(
            merchant_id__in=set(merchant_ids), free_over__isnull=False
        )
    }


def offers_for_products(products) -> dict[int, list[Offer]]:
    """{product id: its offers now}, for a page of products (four queries at most)."""
    products = list(products)
    if not products:
        return {}
    merchant_ids = [p.merchant_id for p in products]
    promotions = list(_active_promotions(merchant_ids))
    promoted = _promoted_pairs(promotions, [p.pk for p in products])
    # Each promotion's badges once per page, not once per card that shows them.
    labels = {promotion.pk: _promotion_offers(promotion) for promotion in promotions}
    free_shipping = _free_shipping_offers(merchant_ids)
    found: dict[int, list[Offer]] = {}
    for product in products:
        offers = []
        for promotion in promotions:
            if promotion.merchant_id != product.merchant_id:
                continue
            if promotion.applies_to_all or (promotion.pk, product.pk) in promoted:
                offers += labels[promotion.pk]
        if product.merchant_id in free_shipping:
            offers.append(free_shipping[product.merchant_id])
        found[product.pk] = offers
    return found


def cart_nudges(groups) -> dict[int, list[Nudge]]:
    """{merchant id: what its cart subtotal is short of}: the next full-reduction tier not yet
    reached and the free-shipping threshold, from the cart's groups (merchant, subtotal)."""
    merchant_ids = [group.merchant.pk for group in groups]
    if not merchant_ids:
        return {}
    promotions = list(_active_promotions(merchant_ids).filter(kind=Promotion.Kind.FULL_REDUCTION))
    free_over = dict(
        ShippingTemplate.objects.filter(
            merchant_id__in=merchant_ids, free_over__isnull=False
        ).values_list("merchant_id", "free_over")
    )
    nudges: dict[int, list[Nudge]] = {}
    for group in groups:
        subtotal = group.subtotal
        mine = []
        for promotion in promotions:
            if promotion.merchant_id != group.merchant.pk:
                continue
            next_tier = next((t for t in promotion.tiers.all() if t.threshold > subtotal), None)
            if next_tier is not None:
                missing = to_money(next_tier.threshold - subtotal)
                mine.append(
                    Nudge(
                        _("%(missing)s more for ¥%(discount)s off")
                        % {
                            "missing": format_money(missing),
                            "discount": _plain(next_tier.discount),
                        },
                        missing,
                    )
                )
        threshold = free_over.get(group.merchant.pk)
        if threshold is not None:
            if subtotal < threshold:
                missing = to_money(threshold - subtotal)
                mine.append(
                    Nudge(
                        _("%(missing)s more for free shipping")
                        % {"missing": format_money(missing)},
                        missing,
                    )
                )
            else:
                mine.append(Nudge(_("Free shipping"), Decimal("0.00")))
        nudges[group.merchant.pk] = mine
    return nudges
