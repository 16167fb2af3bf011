"""My coupons: what a shopper holds, ready to use, used or expired."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.accounts.models import Coupon, HeldCoupon
from tests.accounts.factories import CustomerProfileFactory

pytestmark = pytest.mark.django_db


def _coupon(code, **fields):
    now = timezone.now()
    defaults = {
        "name": code,
        "kind": Coupon.Kind.FIXED,
        "value": Decimal("10.00"),
        "valid_from": now - timedelta(days=1),
        "valid_until": now + timedelta(days=10),
    }
    return Coupon.objects.create(code=code, **{**defaults, **fields})


def test_my_coupons_lists_usable_used_and_expired(client):
    # given
    user = CustomerProfileFactory(is_new_customer=False).user
    HeldCoupon.objects.create(user=user, coupon=_coupon("READY10"))
    HeldCoupon.objects.create(
        user=user, coupon=_coupon("SPENT5"), used_at=timezone.now(), used_on_order_no="O1"
    )
    HeldCoupon.objects.create(
        user=user, coupon=_coupon("OLD20", valid_until=timezone.now() - timedelta(hours=1))
    )
    client.force_login(user)

    # when
    page = client.get(reverse("accounts:coupons")).content.decode()

    # then
    usable = page.split('data-testid="coupons-usable"')[1].split('data-testid="coupons-used"')[0]
    assert "READY10" in usable and "SPENT5" not in usable and "OLD20" not in usable
    assert "used on order O1" in page
    assert "OLD20" in page.split('data-testid="coupons-expired"')[1]


def test_my_coupons_needs_sign_in(client):
    response = client.get(reverse("accounts:coupons"))

    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
