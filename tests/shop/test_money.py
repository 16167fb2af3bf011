from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.money import apportion, to_money


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
