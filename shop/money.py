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
    """Split `total` over `weights` in proportion, to the cent, the parts summing to `total`
    exactly, so a refund of any one line returns what that line really paid.

    Largest remainder: every part gets its exact share rounded down, then the cents left over go
    one each to the parts whose shares lost most in rounding (ties: larger weight, then the
    first). No part is ever negative or off by more than a cent; rounding each share half-up and
    putting the difference on the largest part could push it below zero (0.02 over four)."""
    total = to_money(total)
    if not weights:
        return []
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        parts = [ZERO for _ in weights]
        parts[0] = total
        return parts
    sign = -1 if total < 0 else 1
    cents = int(abs(total) * 100)
    shares = [Decimal(cents) * Decimal(w) / weight_sum for w in weights]
    floors = [int(share) for share in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - floors[i]), -weights[i], i))
    for i in order[: cents - sum(floors)]:
        floors[i] += 1
    return [to_money(Decimal(sign * f) / 100) for f in floors]


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
    """¥1,234.50; a discount is -¥9.45 (one way to write a minus everywhere, not ¥-9.45)."""
    amount = to_money(value)
    return f"-¥{-amount:,.2f}" if amount < 0 else f"¥{amount:,.2f}"
