"""Production fails closed: DEBUG off unless set, no start on the development key, no sandbox
money (gateways or courier) unless PAYMENT_SANDBOX=1, a Content-Security-Policy on every page."""

import secrets

import pytest

from payments.configured_gateways import get_gateway, is_sandbox
from payments.models import Payment
from tests.payments.factories import pending_order
from tests.shop.fresh_process import run_django

PRINT_DEBUG = "from django.conf import settings; print(settings.DEBUG)"


def test_debug_is_off_when_the_environment_does_not_set_it():
    # when: a deployment sets a key but forgets DEBUG
    result = run_django(PRINT_DEBUG, DEBUG="", SECRET_KEY=secrets.token_urlsafe(50))
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "django-insecure-local-development-only-key",
        "change-me-to-a-long-random-string-before-any-real-use",
    ],
)
def test_production_refuses_to_start_on_the_development_secret_key(key):
    env = {"DEBUG": "0"}
    env["SECRET_KEY"] = key if key is not None else ""
    # when
    result = run_django(PRINT_DEBUG, **env)
    # then: no start, and the reason says what to do
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_a_laptop_run_with_debug_on_starts_on_the_development_key():
    result = run_django(PRINT_DEBUG, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.django_db
def test_without_payment_sandbox_paying_online_is_refused_and_nothing_is_paid(
    api_client, client, settings
):
    # given: production without gateway keys and without the sandbox
    settings.PAYMENT_SANDBOX = False
    order = pending_order(price="66.00")
    api_client.force_authenticate(order.user)
    # when
    response = api_client.post(
        f"/api/orders/{order.order_no}/pay/", {"method": "alipay"}, format="json"
    )
    # then: no cashier that would mark the order paid
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "gateway_unavailable"
    assert not is_sandbox("alipay") and not is_sandbox("wechat")
    # and the sandbox cashier does not exist, for a payment opened before the switch either
    settings.PAYMENT_SANDBOX = True
    payment_no = api_client.post(
        f"/api/orders/{order.order_no}/pay/", {"method": "wechat"}, format="json"
    ).json()["payment_no"]
    settings.PAYMENT_SANDBOX = False
    client.force_login(order.user)
    cashier = f"/payments/cashier/{payment_no}/"
    assert client.get(cashier).status_code == 404
    assert client.post(cashier, {"action": "pay"}).status_code == 404
    assert Payment.objects.get(payment_no=payment_no).status == Payment.Status.CREATED


@pytest.mark.django_db
def test_without_payment_sandbox_forged_sandbox_notifications_and_courier_pushes_are_refused(
    api_client, settings
):
    settings.PAYMENT_SANDBOX = False
    gateway = get_gateway("alipay")
    assert gateway.acknowledge(False).status_code == 400
    push = api_client.post(
        "/api/logistics/webhook/sandbox/", b"{}", content_type="application/json"
    )
    assert push.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/admin/login/"])
def test_every_page_carries_a_content_security_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
