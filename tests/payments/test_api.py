"""Payments API: start paying an order, read a payment, the gateways' notify endpoint."""

import pytest
from django.urls import reverse

from catalog.actors import actor_for
from orders.models import Order, OrderEvent
from orders.services import order_cancel
from payments.models import Payment, PaymentNotification
from tests.accounts.factories import UserFactory
from tests.payments.factories import alipay_notification, pending_order, wechat_notification

pytestmark = pytest.mark.django_db


def test_pay_endpoint_returns_payment_no_and_pay_url(api_client, django_assert_max_num_queries):
    # given
    order = pending_order(price="66.00")
    api_client.force_authenticate(order.user)
    # when
    with django_assert_max_num_queries(12):
        response = api_client.post(
            f"/api/orders/{order.order_no}/pay/", {"method": "alipay"}, format="json"
        )
    # then
    assert response.status_code == 201
    body = response.json()
    payment = Payment.objects.get(order=order)
    assert body["payment_no"] == payment.payment_no
    assert body["amount"] == "66.00"
    assert body["pay_url"].endswith(reverse("payments:cashier", args=[payment.payment_no]))


def test_paying_again_with_the_same_method_reuses_the_open_payment(api_client):
    order = pending_order()
    api_client.force_authenticate(order.user)
    first = api_client.post(f"/api/orders/{order.order_no}/pay/", {"method": "wechat"})
    second = api_client.post(f"/api/orders/{order.order_no}/pay/", {"method": "wechat"})
    assert first.json()["payment_no"] == second.json()["payment_no"]
    assert Payment.objects.filter(order=order).count() == 1


def test_pay_endpoint_hides_another_shoppers_order(api_client):
    order = pending_order()
    api_client.force_authenticate(UserFactory())
    response = api_client.post(f"/api/orders/{order.order_no}/pay/", {"method": "alipay"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_pay_endpoint_refuses_a_cancelled_order(api_client):
    order = pending_order()
    order_cancel(order_no=order.order_no, actor=actor_for(order.user))
    api_client.force_authenticate(order.user)
    response = api_client.post(f"/api/orders/{order.order_no}/pay/", {"method": "alipay"})
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


def test_pay_endpoint_rejects_an_unknown_method(api_client):
    order = pending_order()
    api_client.force_authenticate(order.user)
    response = api_client.post(f"/api/orders/{order.order_no}/pay/", {"method": "paypal"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_pay_endpoint_needs_authentication(api_client):
    order = pending_order()
    response = api_client.post(f"/api/orders/{order.order_no}/pay/", {"method": "alipay"})
    assert response.status_code in (401, 403)


def test_cod_through_the_api_confirms_the_order(api_client):
    order = pending_order()
    api_client.force_authenticate(order.user)
    response = api_client.post(f"/api/orders/{order.order_no}/pay/", {"method": "cod"})
    assert response.status_code == 201 and response.json()["pay_url"] is None
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_payment_detail_is_mine_only(api_client):
    order = pending_order()
    api_client.force_authenticate(order.user)
    payment_no = api_client.post(f"/api/orders/{order.order_no}/pay/", {"method": "alipay"}).json()[
        "payment_no"
    ]
    mine = api_client.get(f"/api/payments/{payment_no}/")
    api_client.force_authenticate(UserFactory())
    theirs = api_client.get(f"/api/payments/{payment_no}/")
    assert mine.status_code == 200
    assert mine.json()["status"] == "created" and mine.json()["order_no"] == order.order_no
    assert theirs.status_code == 404


def test_alipay_notify_endpoint_answers_success_without_auth_or_csrf(client):
    # given
    order = pending_order()
    payment = Payment.objects.create(
        payment_no="P202611250000000001", order=order, method="alipay", amount=order.payable_amount
    )
    client.handler.enforce_csrf_checks = True
    # when
    response = client.post(
        "/api/payments/notify/alipay/",
        alipay_notification(payment),
        content_type="application/x-www-form-urlencoded",
    )
    # then
    assert response.status_code == 200 and response.content == b"success"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_wechat_notify_endpoint_answers_in_wechat_format(client):
    order = pending_order()
    payment = Payment.objects.create(
        payment_no="P202611250000000002", order=order, method="wechat", amount=order.payable_amount
    )
    body, headers = wechat_notification(payment)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    response = client.post(
        "/api/payments/notify/wechat/", body, content_type="application/json", **extra
    )
    assert response.status_code == 200 and response.json()["code"] == "SUCCESS"
    assert OrderEvent.objects.filter(order=order, transition="pay_succeeded").count() == 1


def test_notify_endpoint_rejects_a_tampered_body_with_400(client):
    order = pending_order(price="100.00")
    payment = Payment.objects.create(
        payment_no="P202611250000000003", order=order, method="alipay", amount=order.payable_amount
    )
    body = alipay_notification(payment).replace(b"total_amount=100.00", b"total_amount=1.00")
    response = client.post(
        "/api/payments/notify/alipay/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400 and response.content == b"failure"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT


def test_notify_endpoint_for_an_unknown_gateway_is_404(client):
    response = client.post("/api/payments/notify/paypal/", b"x=1", content_type="text/plain")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("gateway", "body", "content_type"),
    [
        ("alipay", b"out_trade_no=P1\x00&sign=x", "application/x-www-form-urlencoded"),
        ("wechat", b'{"resource": "\x00"}', "application/json"),
    ],
)
def test_notify_endpoint_logs_and_rejects_a_body_with_a_nul_byte(
    client, gateway, body, content_type
):
    # given: anyone can post anything to the notify URL; PostgreSQL text cannot hold NUL
    # when
    response = client.post(f"/api/payments/notify/{gateway}/", body, content_type=content_type)
    # then: a rejection the gateway understands, and the attempt is in the log
    assert response.status_code == 400
    logged = PaymentNotification.objects.get(gateway=gateway)
    assert not logged.signature_valid and "\x00" not in logged.body
