from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from shop.accounts import services
from shop.accounts.models import CustomerProfile
from tests.accounts.factories import PASSWORD, MembershipTierFactory, UserFactory

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "blue-lantern-harbour-77"


def test_register_returns_a_token_that_authenticates(api_client):
    # when
    response = api_client.post(
        "/api/auth/register/", {"username": "lily", "password": GOOD_PASSWORD}, format="json"
    )

    # then
    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "lily" and body["id"] and body["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    me = client.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "lily"
    assert me.json()["is_new_customer"] is True


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"username": "lily", "password": "123"}, "invalid_password"),
        ({"username": "bad name!", "password": GOOD_PASSWORD}, "invalid_username"),
        ({"username": "lily"}, "invalid"),
        ({}, "invalid"),
    ],
)
def test_register_bad_input_is_400_json(api_client, body, code):
    # when
    response = api_client.post("/api/auth/register/", body, format="json")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_register_a_taken_username_is_400(api_client):
    # given
    UserFactory(username="lily")

    # when
    response = api_client.post(
        "/api/auth/register/", {"username": "lily", "password": GOOD_PASSWORD}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "username_taken"


def test_token_for_good_credentials_is_stable(api_client):
    # given
    UserFactory(username="lily")

    # when
    first = api_client.post(
        "/api/auth/token/", {"username": "lily", "password": PASSWORD}, format="json"
    )
    second = api_client.post(
        "/api/auth/token/", {"username": "lily", "password": PASSWORD}, format="json"
    )

    # then
    assert first.status_code == 200
    assert first.json()["token"] == second.json()["token"]


@pytest.mark.parametrize(
    "body",
    [
        {"username": "lily", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "lily"},
    ],
)
def test_token_bad_credentials_is_400_json(api_client, body):
    # given
    UserFactory(username="lily")

    # when
    response = api_client.post("/api/auth/token/", body, format="json")

    # then
    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code"}
    assert "token" not in response.json()


def test_token_for_an_inactive_user_is_refused(api_client):
    # given
    user = UserFactory(username="lily")
    user.is_active = False
    user.save()

    # when
    response = api_client.post(
        "/api/auth/token/", {"username": "lily", "password": PASSWORD}, format="json"
    )

    # then
    assert response.status_code == 400


def test_me_shows_tier_and_discount(api_client, django_assert_max_num_queries):
    # given
    silver = MembershipTierFactory(code="silver", name="Silver", discount_percent=Decimal("3"))
    user = services.user_register(username="lily", password=GOOD_PASSWORD, phone="13912345678")
    CustomerProfile.objects.filter(user=user).update(tier=silver)
    api_client.force_authenticate(user)

    # when
    with django_assert_max_num_queries(4):
        response = api_client.get("/api/me/")

    # then
    assert response.json() == {
        "id": user.pk,
        "username": "lily",
        "email": "",
        "phone": "13912345678",
        "tier": "Silver",
        "discount_rate": "0.0300",
        "is_new_customer": True,
        "language": "en",
    }


def test_me_needs_authentication(api_client):
    # when
    response = api_client.get("/api/me/")

    # then
    assert response.status_code in (401, 403)


def test_schema_documents_the_accounts_endpoints(client):
    # when
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    # then
    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/auth/register/",
        "/api/auth/token/",
        "/api/me/",
        "/api/addresses/",
        "/api/addresses/{address_id}/set-default/",
    ):
        assert path in schema
    assert "RegisterInput" in schema and "AddressOutput" in schema
