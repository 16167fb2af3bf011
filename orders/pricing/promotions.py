"""Step 2, the merchants' goods promotions: percent off per line (2a), then one full reduction
("spend 200, get 20 off", 满减) per merchant on what is left (2b)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from catalog.models import Promotion
from orders.models import PriceLine
from shop.money import ZERO, to_money

from .labels import plain_number, row_label
from .lines import WorkCart, discount_share_out
from .values import HUNDRED, BreakdownRow, PromotionRule


def percent_off_apply(
    cart: WorkCart, running: list[PromotionRule]
) -> dict[int, list[BreakdownRow]]:
    """Each line gets the largest running percent-off promotion that covers it, rounded half-up
    per line; none on a line sold at a limited-time price (both are item-level price cuts).
    Returns each merchant's rows, one per promotion that took something off."""
    percents = sorted(
        (p for p in running if p.kind == Promotion.Kind.PERCENT and p.percent_off),
        key=lambda p: (-p.percent_off, p.starts_at, p.id),
    )
    rows: dict[int, list[BreakdownRow]] = {m: [] for m in cart.merchant_names}
    for merchant_id in cart.merchant_names:
        per_promo: dict[int, Decimal] = {}
        for w in cart.by_merchant[merchant_id]:
            if w.limited:
                continue
            promo = next((p for p in percents if p.covers(w.src)), None)
            if promo is None:
                continue
            rate = min(max(promo.percent_off, ZERO), HUNDRED)
            discount = min(to_money(w.goods * rate / HUNDRED), w.goods)
            w.promotion += discount
            per_promo[promo.id] = per_promo.get(promo.id, ZERO) + discount
        for promo in percents:
            if per_promo.get(promo.id):
                rows[merchant_id].append(
                    BreakdownRow(
                        kind=PriceLine.Kind.PROMOTION,
                        label=row_label(f"{promo.name}: {plain_number(promo.percent_off)}% off"),
                        amount=-per_promo[promo.id],
                        merchant_id=merchant_id,
                    )
                )
    return rows


def full_reduction_apply(
    cart: WorkCart, running: list[PromotionRule]
) -> dict[int, BreakdownRow | None]:
    """Per merchant, of its running full-reduction promotions the one giving the largest
    discount (ties: earliest start, lowest id), at its best tier reached by the covered goods
    left after 2a; shared out over the covered lines. Returns each merchant's row, or None."""
    reductions = sorted(
        (p for p in running if p.kind == Promotion.Kind.FULL_REDUCTION),
        key=lambda p: (p.starts_at, p.id),
    )
    rows: dict[int, BreakdownRow | None] = {}
    for merchant_id in cart.merchant_names:
        rows[merchant_id] = None
        best = None  # (discount, promotion, threshold, covered lines)
        for promo in reductions:
            covered = [w for w in cart.by_merchant[merchant_id] if promo.covers(w.src)]
            base = sum((w.left for w in covered), ZERO)
            reached = [(d, t) for t, d in promo.tiers if t <= base and d > 0]
            if not covered or not reached or base <= 0:
                continue
            discount, threshold = max(reached)
            discount = min(to_money(discount), base)
            if best is None or discount > best[0]:
                best = (discount, promo, threshold, covered)
        if best is None:
            continue
        discount, promo, threshold, covered = best
        discount_share_out(discount, covered, onto="promotion")
        rows[merchant_id] = BreakdownRow(
            kind=PriceLine.Kind.PROMOTION,
            label=row_label(
                _("Full reduction: %(threshold)s off %(discount)s")
                % {"threshold": plain_number(threshold), "discount": plain_number(discount)}
            ),
            amount=-discount,
            merchant_id=merchant_id,
        )
    return rows
