"""The language a shopper's messages are worded in is stored on their account: by the
storefront's language switch, at sign-up and on the profile page."""

import pytest

from shop.accounts.models import CustomerProfile
from tests.accounts.factories import PASSWORD, CustomerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_language_switch_stores_a_signed_in_shoppers_choice(client):
    # given a signed-in shopper whose account speaks English
    shopper = CustomerProfileFactory(language="en").user
    client.force_login(shopper)

    # when they switch the storefront to Chinese in the footer
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    # then the page follows (cookie, redirect) and their account keeps the choice
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "zh-hans"
    assert CustomerProfile.objects.get(user=shopper).language == "zh-hans"
    # and the next page is in Chinese
    assert '<html lang="zh-CN">' in client.get("/").content.decode()


def test_switching_to_the_language_already_stored_writes_nothing(
    client, django_assert_max_num_queries
):
    # given a signed-in shopper whose account speaks Chinese already
    shopper = CustomerProfileFactory(language="zh-hans").user
    client.force_login(shopper)
    client.get("/")  # the session is loaded once

    # when they press the switch for Chinese again
    with django_assert_max_num_queries(3) as queries:
        client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    # then no row was written
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert CustomerProfile.objects.get(user=shopper).language == "zh-hans"


def test_a_visitor_can_switch_and_a_user_without_a_profile_gets_one(client):
    # given a visitor
    # when they switch, then the storefront switches as before
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"

    # given staff without a profile, signed in
    staff = UserFactory()
    client.force_login(staff)
    # when they switch to Chinese, then their new profile keeps it
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert CustomerProfile.objects.get(user=staff).language == "zh-hans"


def test_an_unknown_language_changes_nothing(client):
    shopper = CustomerProfileFactory(language="en").user
    client.force_login(shopper)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert CustomerProfile.objects.get(user=shopper).language == "en"


def test_signing_up_on_a_chinese_page_makes_a_chinese_account(client):
    # when a visitor whose browser asks for Chinese signs up
    response = client.post(
        "/accounts/signup/",
        {"username": "xiaoming", "password": PASSWORD, "password_again": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )

    # then their messages will be in Chinese
    assert response.status_code == 302
    assert CustomerProfile.objects.get(user__username="xiaoming").language == "zh-hans"


def test_the_profile_page_changes_the_language_of_messages(client):
    # given a signed-in shopper whose account speaks Chinese
    shopper = CustomerProfileFactory(language="zh-hans", phone="13800138000").user
    client.force_login(shopper)
    page = client.get("/accounts/profile/").content.decode()
    assert 'name="language"' in page

    # when they choose English on the profile page
    response = client.post(
        "/accounts/profile/",
        {"phone": "13800138000", "email": shopper.email, "language": "en"},
    )

    # then it is saved, and the pages follow
    assert response.status_code == 302
    assert CustomerProfile.objects.get(user=shopper).language == "en"
    assert response.cookies["django_language"].value == "en"


def test_the_api_reads_and_changes_the_language_of_messages(api_client):
    # given a shopper whose account speaks English, signed in to the API
    shopper = CustomerProfileFactory(language="en").user
    api_client.force_authenticate(shopper)

    # when the app changes it to Chinese
    response = api_client.patch("/api/me/", {"language": "zh-hans"}, format="json")

    # then it is stored and answered; a language the shop does not speak is refused
    assert response.status_code == 200 and response.json()["language"] == "zh-hans"
    assert CustomerProfile.objects.get(user=shopper).language == "zh-hans"
    refused = api_client.patch("/api/me/", {"language": "fr"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_language"
    assert CustomerProfile.objects.get(user=shopper).language == "zh-hans"


def test_an_app_signing_up_in_chinese_makes_a_chinese_account(api_client):
    # when an app that asks in Chinese registers a shopper
    response = api_client.post(
        "/api/auth/register/",
        {"username": "xiaohong", "password": PASSWORD},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    # then their messages will be in Chinese
    assert response.status_code == 201
    assert CustomerProfile.objects.get(user__username="xiaohong").language == "zh-hans"
