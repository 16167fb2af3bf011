"""Brute force: wrong passwords lock an account for one client address for a while (django-axes),
every sign-in, sign-up, password change, order and after-sales request is rate limited (DRF
throttles on Redis), and the answer is a 429 with Retry-After, or a page that says why."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from shop.roles import PLATFORM_OPS, ensure_role_groups
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
WRONG = "not-the-password"
NEW_PASSWORD = "quiet-orchard-lantern-42"


def _token(client, username, password, ip="203.0.113.7"):
    return client.post(
        "/api/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def test_api_sign_in_locks_the_account_for_that_address_after_five_wrong_passwords(api_client):
    # given
    user = UserFactory()
    for _ in range(4):
        assert _token(api_client, user.username, WRONG).status_code == 400
    assert _token(api_client, user.username, WRONG).status_code == 429  # the fifth locks
    # when: the right password, from the same address
    locked = _token(api_client, user.username, PASSWORD)
    # then
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert int(locked["Retry-After"]) == 15 * 60
    assert "token" not in locked.json()
    # and the real shopper, elsewhere, signs in: an attacker cannot lock them out
    assert _token(APIClient(), user.username, PASSWORD, ip="198.51.100.20").status_code == 200


def test_a_lockout_ends_by_itself_after_the_cool_off(api_client):
    user = UserFactory()
    for _ in range(5):
        _token(api_client, user.username, WRONG)
    assert _token(api_client, user.username, PASSWORD).status_code == 429
    # when: 16 minutes later
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        response = _token(api_client, user.username, PASSWORD)
    # then
    assert response.status_code == 200 and response.json()["token"]


def test_storefront_sign_in_is_locked_with_a_message(client):
    user = UserFactory()
    for _ in range(5):
        client.post("/accounts/login/", {"username": user.username, "password": WRONG})
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Sign-in is paused for 15 minutes" in response.content.decode()
    assert response["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session


def test_admin_sign_in_is_locked_and_ops_see_and_lift_the_lockout(client):
    # given: a merchant's staff account is hammered on the admin sign-in
    staff = UserFactory(is_staff=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": staff.username, "password": WRONG})
    locked = client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Sign-in is paused" in locked.content.decode()
    # when: operations open the lockouts in the admin and delete this one
    ensure_role_groups()
    ops = UserFactory(is_staff=True, is_superuser=True)
    ops.groups.add(Group.objects.get(name=PLATFORM_OPS))
    ops_client = type(client)()
    ops_client.force_login(ops)
    listing = ops_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert staff.username in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=staff.username)
    ops_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, follow=True)
    # then: the staff member signs in again
    assert not AccessAttempt.objects.filter(username=staff.username).exists()
    response = client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302


def test_one_address_trying_many_accounts_is_throttled(api_client):
    # given: 20 tries at 20 different accounts from one address
    for n in range(20):
        assert _token(api_client, f"guess{n}", WRONG).status_code == 400
    # when
    response = _token(api_client, "guess-next", WRONG)
    # then
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"
    # and another address is not affected
    assert _token(api_client, "guess-other", WRONG, ip="198.51.100.9").status_code == 400


def test_one_address_trying_many_accounts_on_the_storefront_gets_a_message(client):
    for n in range(20):
        client.post("/accounts/login/", {"username": f"spray{n}", "password": WRONG})
    response = client.post("/accounts/login/", {"username": "spray-next", "password": WRONG})
    assert response.status_code == 429
    assert "Too many sign-in attempts from your network" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_thirty_sign_ups_from_one_address_are_not_all_accepted(api_client):
    answers = [
        api_client.post(
            "/api/auth/register/",
            {"username": f"bulk{n}", "password": NEW_PASSWORD},
            format="json",
            REMOTE_ADDR="203.0.113.50",
        ).status_code
        for n in range(30)
    ]
    assert answers[:10] == [201] * 10
    assert set(answers[10:]) == {429}


def test_storefront_sign_up_is_throttled_with_a_message(client):
    for n in range(10):
        client.post(
            "/accounts/signup/",
            {"username": f"page{n}", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        )
        client.logout()
    response = client.post(
        "/accounts/signup/",
        {"username": "page-next", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert response.status_code == 429
    assert "Too many new accounts from your network" in response.content.decode()
    assert response["Retry-After"]


def test_password_change_attempts_are_limited_per_account(client):
    user = UserFactory()
    client.force_login(user)
    form = {"old_password": WRONG, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for _ in range(10):
        assert client.post("/accounts/password/", form).status_code == 200  # wrong old one
    response = client.post("/accounts/password/", {**form, "old_password": PASSWORD})
    assert response.status_code == 429
    assert "Too many password changes" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(("path", "limit"), [("/api/orders/", 30), ("/api/aftersales/", 20)])
def test_order_and_after_sales_creation_are_rate_limited_per_shopper(api_client, path, limit):
    # given: a shopper posting as fast as it can (bodies invalid: cheap, still counted)
    shopper = UserFactory()
    api_client.force_authenticate(shopper)
    for _ in range(limit):
        assert api_client.post(path, {}, format="json").status_code == 400
    # when
    response = api_client.post(path, {}, format="json")
    # then
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # reading is never limited, and another shopper is not affected
    assert api_client.get(path).status_code == 200
    api_client.force_authenticate(UserFactory())
    assert api_client.post(path, {}, format="json").status_code == 400


@pytest.mark.parametrize(
    ("api_path", "page", "limit", "said"),
    [
        ("/api/orders/", "/orders/checkout/", 30, "Too many checkout attempts"),
        ("/api/aftersales/", "/aftersales/request/S1/", 20, "Too many after-sales requests"),
    ],
)
def test_the_storefront_forms_count_against_the_same_limit_as_the_api(
    api_client, client, api_path, page, limit, said
):
    # given: a shopper who used up the API's limit
    shopper = UserFactory()
    api_client.force_authenticate(shopper)
    for _ in range(limit):
        api_client.post(api_path, {}, format="json")
    client.force_login(shopper)
    # when: the same shopper tries the storefront's form instead
    response = client.post(page, {}, follow=True)
    # then: nothing is tried, the page says why
    assert said in response.content.decode()
    assert response.redirect_chain and response.redirect_chain[0][1] == 302


def test_with_redis_down_sign_in_still_works_unthrottled(api_client, settings):
    # given: the cache (where the counters live) cannot be reached
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    user = UserFactory()
    # when / then: the shop stays usable; the lockout (in the database) still holds
    assert _token(api_client, user.username, PASSWORD).status_code == 200
    for _ in range(5):
        _token(api_client, user.username, WRONG)
    assert _token(api_client, user.username, PASSWORD).status_code == 429


def test_a_burst_of_simultaneous_orders_from_one_shopper_passes_the_limit_not_once():
    # given: one shopper's 60 order attempts arriving at the same moment on 12 threads (DRF's
    # own counter read one list per request and wrote it back: a burst all read "0 so far")
    import threading
    from types import SimpleNamespace

    from shop.throttling import PageThrottle

    shopper = SimpleNamespace(pk=987654, is_authenticated=True)
    request = SimpleNamespace(user=shopper, META={"REMOTE_ADDR": "203.0.113.7"})
    start = threading.Barrier(12)
    allowed = []

    def attempts():
        start.wait()
        for _ in range(5):
            allowed.append(PageThrottle("order_create").wait_for(request) is None)

    threads = [threading.Thread(target=attempts) for _ in range(12)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: exactly the limit (30 a minute) got through, and the rest are told how long to wait
    assert allowed.count(True) == 30
    assert PageThrottle("order_create").wait_for(request) > 0
