import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shop.accounts import services
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _client_with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _token_for(api_client, username: str) -> str:
    response = api_client.post(
        "/api/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def test_logout_revokes_the_token_so_it_answers_401(api_client):
    # given
    UserFactory(username="lily")
    key = _token_for(api_client, "lily")
    client = _client_with_token(key)
    assert client.get("/api/me/").status_code == 200

    # when
    response = client.post("/api/auth/logout/")

    # then
    assert response.status_code == 204
    assert not Token.objects.filter(key=key).exists()
    after = client.get("/api/me/")
    assert after.status_code == 401
    assert set(after.json()) >= {"detail", "code"}
    assert client.post("/api/auth/logout/").status_code == 401


def test_signing_in_again_after_logout_gives_a_new_working_token(api_client):
    # given
    UserFactory(username="lily")
    old_key = _token_for(api_client, "lily")
    _client_with_token(old_key).post("/api/auth/logout/")

    # when
    new_key = _token_for(api_client, "lily")

    # then
    assert new_key != old_key
    assert _client_with_token(new_key).get("/api/me/").json()["username"] == "lily"
    assert _client_with_token(old_key).get("/api/me/").status_code == 401


def test_logout_leaves_other_shoppers_tokens_alone(api_client):
    # given
    UserFactory(username="lily")
    UserFactory(username="mei")
    lily_key = _token_for(api_client, "lily")
    mei_key = _token_for(api_client, "mei")

    # when
    _client_with_token(lily_key).post("/api/auth/logout/")

    # then
    assert _client_with_token(mei_key).get("/api/me/").status_code == 200


def test_logout_without_credentials_is_401(api_client):
    # when
    response = api_client.post("/api/auth/logout/")

    # then
    assert response.status_code == 401
    assert set(response.json()) >= {"detail", "code"}


def test_logout_by_session_also_ends_the_session(api_client):
    # given
    user = UserFactory(username="lily")
    Token.objects.create(user=user)
    assert api_client.login(username="lily", password=PASSWORD)
    assert api_client.get("/api/me/").status_code == 200

    # when
    response = api_client.post("/api/auth/logout/")

    # then
    assert response.status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert api_client.get("/api/me/").status_code in (401, 403)


def test_token_revoke_is_idempotent():
    # given
    user = UserFactory(username="lily")
    Token.objects.create(user=user)

    # when
    first = services.user_token_revoke(user=user)
    second = services.user_token_revoke(user=user)

    # then
    assert (first, second) == (1, 0)
    assert not Token.objects.filter(user=user).exists()


def test_schema_documents_logout_under_auth(api_client):
    # when
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    # then
    operation = schema["paths"]["/api/auth/logout/"]["post"]
    assert operation["tags"] == ["auth"]
    assert "204" in operation["responses"]
