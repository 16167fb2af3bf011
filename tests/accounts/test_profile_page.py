from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from shop.accounts.models import CustomerProfile
from tests.accounts.factories import (
    PASSWORD,
    CustomerProfileFactory,
    MembershipTierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PROFILE_URL = "/accounts/profile/"
NEW_PASSWORD = "violet-harbour-lantern-42"


@pytest.fixture
def shopper():
    gold = MembershipTierFactory(code="gold", name="Gold", discount_percent=Decimal("5.00"))
    return CustomerProfileFactory(
        user=UserFactory(username="lily", email="lily@example.com"),
        phone="13800138000",
        tier=gold,
        is_new_customer=False,
    ).user


def test_profile_page_shows_membership_and_contact_details(client, shopper):
    # given
    client.force_login(shopper)

    # when
    response = client.get(PROFILE_URL)

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="profile-username">lily<' in page
    assert "Gold" in page and "5 % off goods" in page
    assert "No: you have paid for an order before." in page
    assert 'value="13800138000"' in page and 'value="lily@example.com"' in page
    assert reverse("accounts:password_change") in page


def test_profile_page_says_a_new_customer_is_new(client):
    # given
    user = UserFactory(username="mei")
    CustomerProfileFactory(user=user, tier=None, is_new_customer=True)
    client.force_login(user)

    # when
    page = client.get(PROFILE_URL).content.decode()

    # then
    assert "Yes: new-customer offers apply until your first paid order." in page
    assert "no member discount" in page


def test_profile_page_needs_sign_in(client):
    # when
    response = client.get(PROFILE_URL)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_header_links_to_my_account_when_signed_in(client, shopper):
    # given
    client.force_login(shopper)

    # when
    page = client.get(reverse("catalog:home")).content.decode()

    # then
    assert f'href="{PROFILE_URL}" data-testid="account-link">My account<' in page


def test_header_has_no_account_link_for_anonymous(client):
    # when
    page = client.get(reverse("catalog:home")).content.decode()

    # then
    assert 'data-testid="account-link"' not in page


def test_profile_page_queries_are_bounded(client, shopper, django_assert_max_num_queries):
    # given
    client.force_login(shopper)

    # when: session, user, profile with its tier, and the header's cart and inbox counts
    with django_assert_max_num_queries(5):
        response = client.get(PROFILE_URL)

    # then
    assert response.status_code == 200


def test_a_valid_phone_change_is_saved_and_shown(client, shopper):
    # given
    client.force_login(shopper)

    # when
    response = client.post(
        PROFILE_URL, {"phone": "139-1234-5678", "email": "lily@example.com"}, follow=True
    )

    # then
    assert response.redirect_chain == [(PROFILE_URL, 302)]
    page = response.content.decode()
    assert "Your details are saved." in page
    assert 'value="13912345678"' in page
    assert CustomerProfile.objects.get(user=shopper).phone == "13912345678"


def test_a_valid_email_change_is_saved(client, shopper):
    # given
    client.force_login(shopper)

    # when
    client.post(PROFILE_URL, {"phone": "13800138000", "email": "lily@new.example"})

    # then
    shopper.refresh_from_db()
    assert shopper.email == "lily@new.example"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"phone": "12345", "email": "lily@example.com"},
            "phone",
            "Enter an 11-digit mainland mobile number.",
        ),
        ({"phone": "13912345678", "email": "nope"}, "email", "Enter a valid email address."),
    ],
)
def test_invalid_input_shows_the_error_by_the_field_and_changes_nothing(
    client, shopper, data, field, message
):
    # given
    client.force_login(shopper)

    # when
    response = client.post(PROFILE_URL, data)

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    page = response.content.decode()
    label_at = page.index(f'<label for="id_{field}">')
    assert label_at < page.index(message) < page.index("</form>", label_at)
    assert "Your details are saved." not in page
    shopper.refresh_from_db()
    assert shopper.email == "lily@example.com"
    assert CustomerProfile.objects.get(user=shopper).phone == "13800138000"


def test_password_change_replaces_the_password_and_keeps_the_session(client, shopper):
    # given
    client.force_login(shopper)
    token = Token.objects.create(user=shopper)

    # when
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    # then
    assert response.redirect_chain == [(reverse("accounts:password_change_done"), 302)]
    assert "Password changed" in response.content.decode()
    assert client.get(PROFILE_URL).status_code == 200  # still signed in here
    assert not Token.objects.filter(key=token.key).exists()  # the API token is signed out
    client.logout()
    assert not client.login(username="lily", password=PASSWORD)
    assert client.login(username="lily", password=NEW_PASSWORD)


def test_password_change_with_a_wrong_old_password_changes_nothing(client, shopper):
    # given
    client.force_login(shopper)

    # when
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    # then
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    shopper.refresh_from_db()
    assert shopper.check_password(PASSWORD)


def test_password_change_page_needs_sign_in_and_renders(client, shopper):
    # when
    anonymous = client.get(reverse("accounts:password_change"))
    client.force_login(shopper)
    signed_in = client.get(reverse("accounts:password_change"))

    # then
    assert anonymous.status_code == 302
    assert signed_in.status_code == 200
    assert 'name="old_password"' in signed_in.content.decode()
