"""Money is Decimal with two places, one currency (CNY); ROUND_HALF_UP per line, never float."""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def apportion(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` over `weights` in proportion, each part rounded half-up to the cent, the
    parts summing to `total` exactly (the rounding remainder goes to the largest weight, so a
    refund of any one line returns what that line really paid)."""
    total = to_money(total)
    if not weights:
        return []
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        parts = [ZERO for _ in weights]
        parts[0] = total
        return parts
    parts = [to_money(total * Decimal(w) / weight_sum) for w in weights]
    remainder = total - sum(parts, ZERO)
    if remainder:
        largest = max(range(len(weights)), key=lambda i: (weights[i], -i))
        parts[largest] += remainder
    return parts


def apportion_capped(
    total: Decimal, weights: Sequence[Decimal], caps: Sequence[Decimal] | None = None
) -> list[Decimal]:
    """apportion() then, if rounding pushed a part over its cap, move the excess cent by cent
    to the parts that still have room (a discount part never exceeds the goods it discounts).
    Callers never ask for more than the caps sum to."""
    parts = apportion(total, weights)
    if caps is None:
        return parts
    excess = ZERO
    for i, cap in enumerate(caps):
        if parts[i] > cap:
            excess += parts[i] - cap
            parts[i] = cap
    if excess:
        for i in sorted(range(len(parts)), key=lambda i: -(caps[i] - parts[i])):
            room = caps[i] - parts[i]
            take = min(room, excess)
            parts[i] += take
            excess -= take
            if not excess:
                break
    return parts


def format_money(value: Decimal) -> str:
    return f"¥{to_money(value):,.2f}"
