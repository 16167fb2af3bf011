"""The shopper's payment pages: choose a method, the sandbox cashier, the return page."""

import pytest
from django.urls import reverse

from catalog.actors import actor_for
from orders.models import Order, OrderEvent
from payments.models import Payment
from tests.accounts.factories import PASSWORD, UserFactory
from tests.payments.factories import fresh, pending_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper_client(client):
    def login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return login


def test_pay_page_shows_total_deadline_and_methods(shopper_client, django_assert_max_num_queries):
    # given
    order = pending_order(price="128.50")
    client = shopper_client(order.user)
    # when
    with django_assert_max_num_queries(12):
        response = client.get(reverse("payments:pay", args=[order.order_no]))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "¥128.50" in page
    assert 'data-testid="payment-deadline"' in page
    for method in ("alipay", "wechat", "cod"):
        assert f'data-testid="method-{method}"' in page


def test_cashier_pay_button_pays_the_order(shopper_client, django_capture_on_commit_callbacks):
    # given: the shopper chose Alipay
    order = pending_order(price="88.00")
    client = shopper_client(order.user)
    response = client.post(reverse("payments:pay", args=[order.order_no]), {"method": "alipay"})
    payment = Payment.objects.get(order=order)
    assert response.status_code == 302
    assert response.url == reverse("payments:cashier", args=[payment.payment_no])
    cashier = client.get(response.url)
    assert cashier.status_code == 200 and "¥88.00" in cashier.content.decode()
    # when: they press Pay; the gateway's notification arrives
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("payments:cashier", args=[payment.payment_no]), {"action": "pay"}
        )
    # then: back on the order page, paid and split
    assert response.status_code == 302
    followed = client.get(response.url)
    assert followed.status_code == 302
    assert followed.url == reverse("orders:detail", args=[order.order_no])
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert fresh(payment).status == Payment.Status.SUCCEEDED
    assert OrderEvent.objects.filter(order=order, transition="pay_succeeded").count() == 1


def test_return_page_says_waiting_until_the_notification_arrives(shopper_client):
    # given: Pay was pressed, but the notification has not been processed yet
    order = pending_order()
    client = shopper_client(order.user)
    client.post(reverse("payments:pay", args=[order.order_no]), {"method": "wechat"})
    payment = Payment.objects.get(order=order)
    client.post(reverse("payments:cashier", args=[payment.payment_no]), {"action": "pay"})
    # when (on_commit callbacks of the test transaction never ran: nothing delivered yet)
    response = client.get(reverse("payments:result", args=[payment.payment_no]))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="payment-pending"' in page and 'http-equiv="refresh"' in page


@pytest.mark.parametrize(
    "action, testid", [("fail", "payment-failed"), ("cancel", "payment-cancelled")]
)
def test_a_failed_or_cancelled_attempt_keeps_the_order_to_pay_again_or_another_way(
    shopper_client, django_capture_on_commit_callbacks, action, testid
):
    # given
    order = pending_order()
    client = shopper_client(order.user)
    client.post(reverse("payments:pay", args=[order.order_no]), {"method": "alipay"})
    payment = Payment.objects.get(order=order)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("payments:cashier", args=[payment.payment_no]), {"action": action}
        )
    # then: no money taken, the order still awaits payment, with both ways forward
    page = client.get(response.url).content.decode()
    assert f'data-testid="{testid}"' in page
    assert 'data-testid="pay-again"' in page and 'data-testid="another-method"' in page
    assert fresh(payment).status in (Payment.Status.FAILED, Payment.Status.CLOSED)
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT


def test_paying_again_another_way_after_a_failure_shows_the_method_actually_paid(
    shopper_client, django_capture_on_commit_callbacks
):
    # given: checkout chose Alipay, and the Alipay attempt failed
    order = pending_order()
    client = shopper_client(order.user)
    client.post(reverse("payments:pay", args=[order.order_no]), {"method": "alipay"})
    failed = Payment.objects.get(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payments:cashier", args=[failed.payment_no]), {"action": "fail"})
    # when: the shopper pays with WeChat Pay instead
    client.post(reverse("payments:pay", args=[order.order_no]), {"method": "wechat"})
    wechat = Payment.objects.get(order=order, method="wechat")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payments:cashier", args=[wechat.payment_no]), {"action": "pay"})
    # then
    order = Order.objects.get(pk=order.pk)
    assert order.status == Order.Status.PAID
    assert order.payment_method == "wechat"


def test_cash_on_delivery_goes_straight_to_the_order(shopper_client):
    # given
    order = pending_order(price="45.00")
    client = shopper_client(order.user)
    # when
    response = client.post(reverse("payments:pay", args=[order.order_no]), {"method": "cod"})
    # then
    assert response.status_code == 302
    assert response.url == reverse("orders:detail", args=[order.order_no])
    order = Order.objects.get(pk=order.pk)
    assert order.status == Order.Status.PAID and order.payment_method == "cod"
    assert order.sub_orders.count() == 1
    payment = Payment.objects.get(order=order)
    assert payment.method == "cod" and payment.status == Payment.Status.CREATED


def test_another_shoppers_order_and_cashier_are_not_found(shopper_client):
    # given
    order = pending_order()
    client = shopper_client(order.user)
    client.post(reverse("payments:pay", args=[order.order_no]), {"method": "alipay"})
    payment = Payment.objects.get(order=order)
    client.logout()
    stranger = shopper_client(UserFactory())
    # then
    assert stranger.get(reverse("payments:pay", args=[order.order_no])).status_code == 404
    assert stranger.get(reverse("payments:cashier", args=[payment.payment_no])).status_code == 404
    assert (
        stranger.post(
            reverse("payments:cashier", args=[payment.payment_no]), {"action": "pay"}
        ).status_code
        == 404
    )


def test_cancelled_order_cannot_be_paid_from_the_page(shopper_client):
    # given
    order = pending_order()
    from orders.services import order_cancel

    order_cancel(order_no=order.order_no, actor=actor_for(order.user))
    client = shopper_client(order.user)
    # when
    page = client.get(reverse("payments:pay", args=[order.order_no]))
    post = client.post(reverse("payments:pay", args=[order.order_no]), {"method": "alipay"})
    # then
    assert 'data-testid="not-payable"' in page.content.decode()
    assert post.status_code == 409
    assert not Payment.objects.filter(order=order).exists()


def test_bad_method_is_a_message_not_an_error(shopper_client):
    order = pending_order()
    client = shopper_client(order.user)
    response = client.post(reverse("payments:pay", args=[order.order_no]), {"method": "bitcoin"})
    assert response.status_code == 400
    assert "Choose Alipay" in response.content.decode()


def test_pages_need_a_signed_in_shopper(client):
    order = pending_order()
    response = client.get(reverse("payments:pay", args=[order.order_no]))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_live_wechat_payment_shows_its_code_url_as_a_qr_code(shopper_client, settings, monkeypatch):
    # given: WeChat Pay is live; its native order answers with a weixin:// code_url
    import segno
    import wechatpayv3.core

    from payments.gateways.crypto import public_key_pem
    from tests.payments.test_gateways import (
        APIV3_KEY,
        APP_KEY,
        GATEWAY_KEY,
        PUB_KEY_ID,
        _wechat_answers,
    )

    settings.PAYMENT_GATEWAYS = {
        "wechat": {
            "mchid": "1230000109",
            "appid": "wxd678efh567hg6787",
            "merchant_private_key": APP_KEY,
            "merchant_serial_no": "MERCHANTSERIAL",
            "platform_public_key": public_key_pem(GATEWAY_KEY),
            "platform_serial_no": PUB_KEY_ID,
            "apiv3_key": APIV3_KEY,
        }
    }
    code_url = "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"
    monkeypatch.setattr(
        wechatpayv3.core.requests,
        "post",
        _wechat_answers(f'{{"code_url":"{code_url}"}}', GATEWAY_KEY, {}),
    )
    order = pending_order(price="58.00")
    client = shopper_client(order.user)
    # when: the shopper chooses WeChat Pay
    response = client.post(
        reverse("payments:pay", args=[order.order_no]), {"method": "wechat"}, follow=True
    )
    # then: the result page shows the code_url as an inline SVG QR code to scan
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="wechat-qr"' in page and "<svg" in page
    expected = segno.make(code_url, error="m").svg_inline(
        scale=5, border=4, title="WeChat Pay QR code"
    )
    assert expected in page
    assert Payment.objects.get(order=order).code_url == code_url
    # and on the next refresh, without asking WeChat Pay again
    monkeypatch.setattr(wechatpayv3.core.requests, "post", None)
    payment = Payment.objects.get(order=order)
    again = client.get(reverse("payments:result", args=[payment.payment_no])).content.decode()
    assert expected in again
