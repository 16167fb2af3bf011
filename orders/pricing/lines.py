"""The working state of a cart while the pricing steps run: one WorkLine per cart line, grouped
by merchant, and the one way a discount is shared out over lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shop.money import ZERO, apportion_capped, to_money

from .values import CartLine


class WorkLine:
    """One line while the steps run: its price, goods, and what each step took off or added."""

    def __init__(self, cart_line: CartLine, index: int):
        self.src = cart_line
        self.index = index
        self.unit_price = to_money(max(cart_line.list_price, ZERO))
        self.limited = False
        self.goods = ZERO
        self.promotion = ZERO
        self.member = ZERO
        self.shipping = ZERO

    @property
    def left(self) -> Decimal:
        return self.goods - self.promotion - self.member


@dataclass
class WorkCart:
    lines: list[WorkLine]  # input order
    merchant_names: dict[int, str]  # merchants in order of first appearance
    by_merchant: dict[int, list[WorkLine]]  # each merchant's lines, input order within
    ordered: list[WorkLine]  # merchant order, then input order

    @classmethod
    def of(cls, cart_lines: Sequence[CartLine]) -> WorkCart:
        merchant_names: dict[int, str] = {}
        for cart_line in cart_lines:
            merchant_names.setdefault(cart_line.merchant_id, cart_line.merchant_name)
        lines = [WorkLine(cart_line, i) for i, cart_line in enumerate(cart_lines)]
        by_merchant = {m: [w for w in lines if w.src.merchant_id == m] for m in merchant_names}
        ordered = [w for m in merchant_names for w in by_merchant[m]]
        return cls(
            lines=lines, merchant_names=merchant_names, by_merchant=by_merchant, ordered=ordered
        )


def discount_share_out(discount: Decimal, lines: list[WorkLine], *, onto: str) -> None:
    """Share `discount` over `lines` by what each has left, never more than a line has left
    (shop.money.apportion_capped), adding each part to the line's `onto` ("promotion" or
    "member")."""
    lefts = [w.left for w in lines]
    for w, part in zip(lines, apportion_capped(discount, lefts, lefts), strict=True):
        setattr(w, onto, getattr(w, onto) + part)
