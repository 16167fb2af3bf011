from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.money import apportion, apportion_capped, to_money


def test_to_money_rounds_half_up_not_bankers():
    assert to_money(Decimal("0.125")) == Decimal("0.13")
    assert to_money(Decimal("0.135")) == Decimal("0.14")
    assert to_money("2.345") == Decimal("2.35")


def test_to_money_refuses_floats():
    with pytest.raises(TypeError):
        to_money(0.1)


def test_apportion_gives_the_remainder_to_the_largest_line():
    assert apportion(Decimal("10.00"), [Decimal("1"), Decimal("1"), Decimal("1")]) == [
        Decimal("3.34"),
        Decimal("3.33"),
        Decimal("3.33"),
    ]


@given(
    total=st.decimals(min_value=0, max_value=100000, places=2),
    weights=st.lists(st.decimals(min_value=0, max_value=10000, places=2), min_size=1, max_size=8),
)
def test_apportioned_parts_always_sum_to_the_total(total, weights):
    parts = apportion(total, weights)
    assert sum(parts) == total
    assert all(part == part.quantize(Decimal("0.01")) for part in parts)


@given(
    goods=st.integers(min_value=1, max_value=50000),
    discount_share=st.floats(min_value=0, max_value=1),
    promotion_share=st.floats(min_value=0, max_value=1),
    weights=st.lists(st.integers(min_value=1, max_value=9), min_size=2, max_size=5),
)
def test_a_split_discount_never_exceeds_the_goods_of_any_part(
    goods, discount_share, promotion_share, weights
):
    # given: a line's goods and its two discounts (together at most the goods), in cents
    cent = Decimal("0.01")
    goods_total = goods * cent
    discount_total = int(goods * discount_share) * cent
    promotion_total = int(int(goods * discount_share) * promotion_share) * cent
    weights = [Decimal(w) for w in weights]
    # when: split over the warehouses that serve the line, as order creation does
    goods_parts = apportion(goods_total, weights)
    discount_parts = apportion_capped(discount_total, weights, caps=goods_parts)
    promotion_parts = apportion_capped(promotion_total, weights, caps=discount_parts)
    # then: every part sums exactly and no part pays less than nothing
    assert sum(discount_parts) == discount_total and sum(promotion_parts) == promotion_total
    for g, d, p in zip(goods_parts, discount_parts, promotion_parts, strict=True):
        assert 0 <= p <= d <= g


def test_the_split_that_used_to_leave_a_part_at_minus_one_cent():
    weights = [Decimal(w) for w in (4, 1, 5, 1)]
    goods = apportion(Decimal("0.69"), weights)
    # promotion 0.06 + member 0.62 split independently gave one part 0.32 - 0.02 - 0.27 = 0.03
    # and another 0.25 - 0.02 - 0.23 = 0.00, but the third -0.01; capped, none is negative
    discount = apportion_capped(Decimal("0.68"), weights, caps=goods)
    assert sum(discount) == Decimal("0.68")
    assert all(g - d >= 0 for g, d in zip(goods, discount, strict=True))


def test_apportion_never_gives_a_part_below_zero_when_cents_are_scarce():
    # rounded half-up each of four parts would get 0.01, and the last -0.02 to make 0.02
    parts = apportion(Decimal("0.02"), [Decimal(2)] * 4)
    assert parts == [Decimal("0.01"), Decimal("0.01"), Decimal("0.00"), Decimal("0.00")]
    assert [str(p) for p in parts] == ["0.01", "0.01", "0.00", "0.00"]
