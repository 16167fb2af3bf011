"""The checkout bill reads right: each merchant's rows add up to its total, the summary to the
amount to pay, a member discount is listed once, and a minus is written one way."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.accounts.factories import CustomerProfileFactory, MembershipTierFactory
from tests.orders.factories_web import put_in_cart, sellable_sku, shopper_with_address

pytestmark = pytest.mark.django_db


def _amount(text: str) -> Decimal:
    sign = -1 if text.strip().startswith("-") else 1
    return sign * Decimal(re.sub(r"[^\d.]", "", text))


def _rows(html: str, testid: str) -> list[tuple[str, Decimal]]:
    found = re.findall(
        rf'data-testid="{testid}"><td>([^<]*)</td><td class="num">([^<]*)</td>', html
    )
    return [(label, _amount(value) if "¥" in value else Decimal("0")) for label, value in found]


def test_two_merchants_with_a_member_tier_add_up_block_by_block(client):
    # given: a silver member with goods from two merchants
    user, _address = shopper_with_address()
    tier = MembershipTierFactory(code="silver", name="Silver", discount_percent=Decimal("3.00"))
    profile = CustomerProfileFactory(user=user)
    profile.tier = tier
    profile.save()
    put_in_cart(user, sellable_sku(price=Decimal("199.00")), quantity=1)
    put_in_cart(user, sellable_sku(price=Decimal("116.00")), quantity=1)
    client.force_login(user)

    # when
    response = client.get(reverse("orders:checkout"))

    # then: each block's rows add up to that merchant's total
    html = response.content.decode()
    quote = response.context["quote"]
    assert quote.member_discount > 0 and len(response.context["groups"]) == 2
    for group in response.context["groups"]:
        assert sum(row.amount for row in group.rows) == group.quote.payable_amount
    # the summary adds up to the amount to pay, and lists the tier once
    summary = _rows(html, "summary-row")
    assert sum(amount for _, amount in summary) == quote.payable_amount
    tier_rows = [label for label, _ in summary if "Silver" in label]
    assert len(tier_rows) == 1
    assert "Member benefits and coupons" not in html
    # one way to write a minus
    assert "¥-" not in html and "-¥" in html
