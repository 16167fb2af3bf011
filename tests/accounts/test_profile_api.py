from decimal import Decimal

import pytest

from shop.accounts import services
from shop.accounts.models import CustomerProfile
from shop.errors import InvalidInput
from tests.accounts.factories import CustomerProfileFactory, MembershipTierFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper():
    silver = MembershipTierFactory(code="silver", name="Silver", discount_percent=Decimal("3"))
    return CustomerProfileFactory(
        user=UserFactory(username="lily", email="lily@example.com"),
        phone="13800138000",
        tier=silver,
    ).user


def test_patch_me_changes_phone_and_email(api_client, shopper):
    # given
    api_client.force_authenticate(shopper)

    # when
    response = api_client.patch(
        "/api/me/", {"phone": "139 1234 5678", "email": " lily@new.example "}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json() == {
        "id": shopper.pk,
        "username": "lily",
        "email": "lily@new.example",
        "phone": "13912345678",
        "tier": "Silver",
        "discount_rate": "0.0300",
        "is_new_customer": True,
        "language": "en",
    }
    shopper.refresh_from_db()
    assert shopper.email == "lily@new.example"
    assert CustomerProfile.objects.get(user=shopper).phone == "13912345678"
    assert api_client.get("/api/me/").json()["phone"] == "13912345678"


def test_patch_me_with_one_field_leaves_the_other(api_client, shopper):
    # given
    api_client.force_authenticate(shopper)

    # when
    response = api_client.patch("/api/me/", {"email": "lily@new.example"}, format="json")

    # then
    assert response.status_code == 200
    assert response.json()["phone"] == "13800138000"
    assert response.json()["email"] == "lily@new.example"


def test_patch_me_with_empty_values_removes_them(api_client, shopper):
    # given
    api_client.force_authenticate(shopper)

    # when
    response = api_client.patch("/api/me/", {"phone": "", "email": ""}, format="json")

    # then
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["email"]) == ("", "")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"phone": "12345"}, "invalid_phone"),
        ({"phone": "23800138000"}, "invalid_phone"),
        ({"email": "not-an-email"}, "invalid_email"),
        ({"email": "a" * 250 + "@example.com"}, "invalid_email"),
        ({"phone": "13912345678", "email": "nope"}, "invalid_email"),
        ({"phone": None}, "invalid"),
        ({"tier": "gold"}, "invalid"),
        ({"is_new_customer": True, "phone": "13912345678"}, "invalid"),
        (["13912345678"], "invalid"),
    ],
)
def test_patch_me_bad_input_is_400_json_and_changes_nothing(api_client, shopper, body, code):
    # given
    api_client.force_authenticate(shopper)

    # when
    response = api_client.patch("/api/me/", body, format="json")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]
    shopper.refresh_from_db()
    assert shopper.email == "lily@example.com"
    profile = CustomerProfile.objects.get(user=shopper)
    assert profile.phone == "13800138000"
    assert profile.tier.code == "silver" and profile.is_new_customer is True


def test_patch_me_needs_authentication(api_client):
    # when
    response = api_client.patch("/api/me/", {"phone": "13912345678"}, format="json")

    # then
    assert response.status_code == 401


def test_patch_me_creates_the_profile_of_a_user_without_one(api_client):
    # given: staff and legacy users have no profile yet
    user = UserFactory(username="ops")
    api_client.force_authenticate(user)

    # when
    response = api_client.patch("/api/me/", {"phone": "13912345678"}, format="json")

    # then
    assert response.status_code == 200
    assert CustomerProfile.objects.get(user=user).phone == "13912345678"


def test_profile_update_validates_both_before_writing(shopper):
    # when
    with pytest.raises(InvalidInput) as error:
        services.profile_update(user=shopper, phone="13912345678", email="nope")

    # then
    assert error.value.code == "invalid_email"
    assert CustomerProfile.objects.get(user=shopper).phone == "13800138000"


def test_schema_documents_patch_me(api_client):
    # when
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    # then
    operation = schema["paths"]["/api/me/"]["patch"]
    assert operation["tags"] == ["auth"]
    assert {"200", "400"} <= set(operation["responses"])
    assert "MeUpdateInput" in str(operation["requestBody"])
