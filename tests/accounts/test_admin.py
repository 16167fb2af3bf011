import pytest
from django.urls import reverse

from tests.accounts.factories import (
    AddressFactory,
    CouponFactory,
    CustomerProfileFactory,
    HeldCouponFactory,
    MembershipTierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["membershiptier", "customerprofile", "address", "coupon", "heldcoupon"]


@pytest.fixture
def ops_client(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_ops_can_list_search_and_open_every_accounts_model(ops_client):
    # given
    tier = MembershipTierFactory(code="silver", name="Silver")
    profile = CustomerProfileFactory(tier=tier)
    address = AddressFactory(user=profile.user, is_default=True)
    held = HeldCouponFactory(user=profile.user, coupon=CouponFactory(code="NEW10"))
    objects = {
        "membershiptier": tier,
        "customerprofile": profile,
        "address": address,
        "coupon": held.coupon,
        "heldcoupon": held,
    }

    for model in MODELS:
        # when
        listing = ops_client.get(reverse(f"admin:accounts_{model}_changelist"), {"q": "a"})
        change = ops_client.get(reverse(f"admin:accounts_{model}_change", args=[objects[model].pk]))

        # then
        assert listing.status_code == 200, model
        assert change.status_code == 200, model


def test_coupon_page_shows_who_holds_it(ops_client):
    # given
    held = HeldCouponFactory(user=UserFactory(username="holder"), coupon=CouponFactory())

    # when
    response = ops_client.get(reverse("admin:accounts_coupon_change", args=[held.coupon.pk]))

    # then
    assert "holder" in response.content.decode()


def test_coupon_list_reads_merchants_in_the_same_query_however_many_coupons(ops_client):
    # given one merchant's coupon listed once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.catalog.factories import MerchantFactory

    CouponFactory(merchant=MerchantFactory())
    url = reverse("admin:accounts_coupon_changelist")
    with CaptureQueriesContext(connection) as one:
        ops_client.get(url)

    # when three more coupons of three more merchants are listed
    for _ in range(3):
        CouponFactory(merchant=MerchantFactory())
    with CaptureQueriesContext(connection) as four:
        response = ops_client.get(url)

    # then the page costs no query per coupon
    assert response.status_code == 200
    assert len(four) == len(one)


def test_a_shopper_cannot_open_the_admin(client):
    # given
    client.force_login(UserFactory())

    # when
    response = client.get(reverse("admin:accounts_coupon_changelist"))

    # then
    assert response.status_code == 302
