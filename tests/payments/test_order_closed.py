"""An order that closes unpaid (cancelled, expired, payment failed) closes its open payments:
the cashier takes no money for them, the result page stops waiting, and live gateways are told
the deadline so that they close the trade themselves."""

import json
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
import wechatpayv3.core
from django.urls import reverse
from django.utils import timezone

from catalog.actors import SYSTEM, actor_for
from orders import services as order_services
from orders.models import Order
from payments import services
from payments.models import Payment, SandboxTrade
from shop.errors import Conflict
from tests.accounts.factories import PASSWORD
from tests.payments.factories import fresh, pending_order
from tests.payments.test_gateways import GATEWAY_KEY, _alipay, _wechat, _wechat_answers

pytestmark = pytest.mark.django_db


def _close(order, how):
    if how == "cancel":
        order_services.order_cancel(order_no=order.order_no, actor=actor_for(order.user))
    elif how == "expire":
        Order.objects.filter(pk=order.pk).update(payment_due_at=timezone.now())
        order_services.order_expire(order_id=order.pk, actor=SYSTEM)
    else:
        order_services.order_pay_failed(order_id=order.pk, reason="Shopper abandoned", actor=SYSTEM)


@pytest.mark.parametrize(
    "how, status",
    [
        ("cancel", Order.Status.CANCELLED),
        ("expire", Order.Status.CANCELLED),
        ("fail", Order.Status.PAYMENT_FAILED),
    ],
)
def test_closing_an_order_closes_its_open_payments(how, status):
    # given: the shopper opened a WeChat payment
    order = pending_order()
    payment = services.payment_start(order_no=order.order_no, user=order.user, method="wechat")
    # when
    _close(order, how)
    # then
    assert fresh(order).status == status
    payment = fresh(payment)
    assert payment.status == Payment.Status.CLOSED
    assert payment.failure_reason.startswith("Order ")


@pytest.fixture
def closed_payment(client):
    order = pending_order(price="66.00")
    payment = services.payment_start(order_no=order.order_no, user=order.user, method="alipay")
    order_services.order_cancel(order_no=order.order_no, actor=actor_for(order.user))
    assert client.login(username=order.user.username, password=PASSWORD)
    return order, payment


def test_cashier_refuses_a_closed_payment_and_the_sandbox_takes_no_money(client, closed_payment):
    # given: the order was cancelled while its cashier page was open
    order, payment = closed_payment
    page = client.get(reverse("payments:cashier", args=[payment.payment_no])).content.decode()
    assert 'data-testid="cashier-pay"' not in page
    assert "No money was taken" in page
    # when: the shopper presses Pay anyway (an old tab)
    response = client.post(
        reverse("payments:cashier", args=[payment.payment_no]), {"action": "pay"}, follow=True
    )
    # then: a clear message, no trade at the sandbox, the payment still closed
    page = response.content.decode()
    assert response.status_code == 200
    assert f"order {order.order_no} is cancelled" in page
    assert not SandboxTrade.objects.filter(payment_no=payment.payment_no).exists()
    assert fresh(payment).status == Payment.Status.CLOSED


def test_result_page_says_the_order_was_closed_instead_of_waiting(client, closed_payment):
    # given
    order, payment = closed_payment
    # when
    response = client.get(reverse("payments:result", args=[payment.payment_no]))
    # then
    page = response.content.decode()
    assert 'data-testid="payment-order-closed"' in page
    assert 'data-testid="payment-pending"' not in page
    assert 'http-equiv="refresh"' not in page


def test_cashier_refuses_pay_after_the_deadline(client):
    # given: an open payment whose order's time to pay has run out (the sweep has not run yet)
    order = pending_order()
    payment = services.payment_start(order_no=order.order_no, user=order.user, method="wechat")
    Order.objects.filter(pk=order.pk).update(payment_due_at=timezone.now() - timedelta(seconds=1))
    # when
    with pytest.raises(Conflict) as refused:
        services.payment_sandbox_settle(payment_no=payment.payment_no, user=order.user, paid=True)
    # then
    assert refused.value.code == "payment_expired"
    assert not SandboxTrade.objects.filter(payment_no=payment.payment_no).exists()


def test_live_alipay_is_told_the_payment_deadline():
    # given
    order = pending_order(price="12.30")
    payment = services.payment_start(order_no=order.order_no, user=order.user, method="alipay")
    # when
    request = _alipay().create_payment(payment)
    # then
    biz = json.loads(dict(parse_qsl(urlsplit(request.pay_url).query))["biz_content"])
    due = timezone.localtime(order.payment_due_at)
    assert biz["time_expire"] == due.strftime("%Y-%m-%d %H:%M:%S")


def test_live_wechat_is_told_the_payment_deadline(monkeypatch):
    # given
    order = pending_order(price="88.00")
    payment = services.payment_start(order_no=order.order_no, user=order.user, method="wechat")
    seen = {}
    text = '{"code_url":"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}'
    monkeypatch.setattr(wechatpayv3.core.requests, "post", _wechat_answers(text, GATEWAY_KEY, seen))
    # when
    _wechat().create_payment(payment)
    # then: RFC 3339 in Beijing time
    expected = timezone.localtime(order.payment_due_at).isoformat(timespec="seconds")
    assert seen["payload"]["time_expire"] == expected
    assert expected.endswith("+08:00")
    assert seen["payload"]["amount"]["total"] == int(Decimal("88.00") * 100)


def test_result_page_of_a_payment_left_open_when_another_paid_the_order(client, sandbox_paid_order):
    # given: the order was paid with Alipay while a WeChat payment was still open
    from tests.payments.factories import PaymentFactory

    order, _ = sandbox_paid_order(method="alipay")
    other = PaymentFactory(order=order, method="wechat")
    assert client.login(username=order.user.username, password=PASSWORD)
    # when
    page = client.get(reverse("payments:result", args=[other.payment_no])).content.decode()
    # then: no endless waiting
    assert 'data-testid="payment-order-paid"' in page
    assert 'http-equiv="refresh"' not in page
