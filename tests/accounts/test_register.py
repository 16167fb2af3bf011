from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shop.accounts import selectors, services
from shop.accounts.models import CustomerProfile, HeldCoupon
from shop.errors import InvalidInput
from tests.accounts.factories import (
    CouponFactory,
    CustomerProfileFactory,
    MembershipTierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD_PASSWORD = "blue-lantern-harbour-77"


def test_register_creates_a_new_customer_on_the_lowest_tier():
    # given
    MembershipTierFactory(code="gold", name="Gold", discount_percent=Decimal("5"), position=2)
    MembershipTierFactory(code="basic", name="Basic", discount_percent=Decimal("0"), position=0)

    # when
    user = services.user_register(username="lily", password=GOOD_PASSWORD, phone="13912345678")

    # then
    assert user.check_password(GOOD_PASSWORD)
    profile = CustomerProfile.objects.get(user=user)
    assert profile.tier.name == "Basic"
    assert profile.is_new_customer is True
    assert profile.phone == "13912345678"


def test_register_creates_a_regular_tier_when_none_exists():
    # when
    user = services.user_register(username="lily", password=GOOD_PASSWORD)

    # then
    assert user.profile.tier.name == "Regular"
    assert selectors.member_discount_rate(user) == Decimal("0")


def test_register_grants_the_new_customer_coupons():
    # given
    CouponFactory(code="NEW10", for_new_customers=True)
    CouponFactory(code="OTHER", for_new_customers=False)

    # when
    user = services.user_register(username="lily", password=GOOD_PASSWORD)

    # then
    held = HeldCoupon.objects.filter(user=user).values_list("coupon__code", flat=True)
    assert list(held) == ["NEW10"]


def test_duplicate_username_is_refused_case_insensitively():
    # given
    UserFactory(username="Lily")

    # when / then
    with pytest.raises(InvalidInput) as error:
        services.user_register(username="lily", password=GOOD_PASSWORD)
    assert error.value.code == "username_taken"


@pytest.mark.parametrize(
    ("username", "password", "phone", "code"),
    [
        ("", GOOD_PASSWORD, "", "invalid_username"),
        ("bad name!", GOOD_PASSWORD, "", "invalid_username"),
        ("lily", "short", "", "invalid_password"),
        ("lily", "password", "", "invalid_password"),
        ("lily", "12345678901", "", "invalid_password"),
        ("lily", GOOD_PASSWORD, "12345", "invalid_phone"),
    ],
)
def test_bad_registration_input_is_refused_with_a_clear_code(username, password, phone, code):
    # when / then
    with pytest.raises(InvalidInput) as error:
        services.user_register(username=username, password=password, phone=phone)
    assert error.value.code == code
    assert error.value.detail
    assert not User.objects.filter(username=username).exists() or username == ""


def test_mark_first_paid_clears_the_new_customer_flag_idempotently():
    # given
    user = services.user_register(username="lily", password=GOOD_PASSWORD)

    # when
    services.customer_mark_first_paid(user_id=user.pk)
    services.customer_mark_first_paid(user_id=user.pk)

    # then
    assert CustomerProfile.objects.get(user=user).is_new_customer is False


def test_mark_first_paid_works_for_a_user_without_profile():
    # given
    user = UserFactory()

    # when
    services.customer_mark_first_paid(user_id=user.pk)

    # then
    assert CustomerProfile.objects.get(user=user).is_new_customer is False


def test_member_discount_rate_is_the_tier_percent_as_a_fraction():
    # given
    gold = MembershipTierFactory(code="gold", name="Gold", discount_percent=Decimal("5.00"))
    profile = CustomerProfileFactory(tier=gold)

    # then
    assert selectors.member_discount_rate(profile.user) == Decimal("0.05")
    assert selectors.member_discount_rate(UserFactory()) == Decimal("0")


def test_new_customer_coupons_are_not_usable_after_the_first_paid_order():
    # given
    from django.utils import timezone

    CouponFactory(code="NEW10", for_new_customers=True)
    platform = CouponFactory(code="PLAT20")
    user = services.user_register(username="lily", password=GOOD_PASSWORD)
    HeldCoupon.objects.create(user=user, coupon=platform)
    now = timezone.now()
    assert {h.coupon.code for h in selectors.held_coupons_usable(user, now)} == {
        "NEW10",
        "PLAT20",
    }

    # when
    services.customer_mark_first_paid(user_id=user.pk)

    # then
    assert [h.coupon.code for h in selectors.held_coupons_usable(user, now)] == ["PLAT20"]


def test_used_or_expired_coupons_are_not_usable():
    # given
    from datetime import timedelta

    from django.utils import timezone

    user = services.user_register(username="lily", password=GOOD_PASSWORD)
    used = CouponFactory(code="USED")
    HeldCoupon.objects.create(user=user, coupon=used, used_at=timezone.now())
    expiring = CouponFactory(code="SOON", valid_until=timezone.now() + timedelta(hours=1))
    HeldCoupon.objects.create(user=user, coupon=expiring)

    # then
    later = timezone.now() + timedelta(hours=2)
    assert list(selectors.held_coupons_usable(user, later)) == []
    assert [h.coupon.code for h in selectors.held_coupons_usable(user, timezone.now())] == ["SOON"]


# --- pages ---------------------------------------------------------------------------------


def test_signup_page_creates_the_account_and_signs_in(client):
    # when
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "lily",
            "password": GOOD_PASSWORD,
            "password_again": GOOD_PASSWORD,
            "phone": "",
            "next": "/accounts/addresses/",
        },
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/addresses/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "lily" in page.content.decode()


def test_signup_ignores_an_offsite_next(client):
    # when
    response = client.post(
        reverse("accounts:signup") + "?next=https://evil.example.com/",
        {"username": "lily", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD},
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:home")


def test_signup_page_shows_errors_next_to_the_fields(client):
    # given
    UserFactory(username="lily")

    # when
    response = client.post(
        reverse("accounts:signup"),
        {"username": "lily", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD},
    )

    # then
    assert response.status_code == 200
    assert "That username is taken." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signup_page_refuses_mismatched_passwords(client):
    # when
    response = client.post(
        reverse("accounts:signup"),
        {"username": "lily", "password": GOOD_PASSWORD, "password_again": "something-else-1"},
    )

    # then
    assert response.status_code == 200
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.filter(username="lily").exists()


def test_sign_in_and_sign_out(client):
    # given
    from tests.accounts.factories import PASSWORD

    UserFactory(username="lily")

    # when
    page = client.get(reverse("accounts:login"))
    signed_in = client.post(
        reverse("accounts:login"),
        {"username": "lily", "password": PASSWORD, "next": "/accounts/addresses/"},
    )

    # then
    assert page.status_code == 200
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/accounts/addresses/"
    assert client.get("/accounts/addresses/").status_code == 200

    # when
    signed_out = client.post(reverse("accounts:logout"))

    # then
    assert signed_out.status_code == 302
    assert client.get("/accounts/addresses/").status_code == 302


def test_wrong_password_shows_a_message(client):
    # given
    UserFactory(username="lily")

    # when
    response = client.post(reverse("accounts:login"), {"username": "lily", "password": "nope"})

    # then
    assert response.status_code == 200
    assert "Wrong username or password." in response.content.decode()


def test_logout_needs_post(client):
    # given
    client.force_login(UserFactory())

    # when
    response = client.get(reverse("accounts:logout"))

    # then
    assert response.status_code == 405
