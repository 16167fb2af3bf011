"""Gateway notifications: signed, amount-checked, idempotent on the trade number."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from catalog.actors import SYSTEM
from orders.models import Order, OrderEvent
from payments import services
from payments.models import Payment, PaymentNotification, Refund
from tests.orders.factories import capture_domain_events
from tests.payments.factories import (
    alipay_notification,
    fresh,
    new_trade_no,
    pay_on_cashier,
    pending_order,
    stranger_private_key,
    wechat_notification,
)

pytestmark = pytest.mark.django_db


def _start(order, method="alipay"):
    return services.payment_start(order_no=order.order_no, user=order.user, method=method)


def _notify(gateway, body, headers=None):
    return services.payment_handle_notification(gateway=gateway, body=body, headers=headers or {})


def test_signed_alipay_notification_pays_the_order_once():
    # given
    order = pending_order(price="100.00")
    payment = _start(order)
    # when
    with capture_domain_events() as events:
        result = _notify("alipay", alipay_notification(payment))
    # then
    assert result.ok and result.acknowledgement.body == "success"
    payment = fresh(payment)
    order = fresh(order)
    assert payment.status == Payment.Status.SUCCEEDED and payment.gateway_trade_no
    assert order.status == Order.Status.PAID
    assert order.sub_orders.count() == 1
    assert "payment.succeeded" in events.nodes
    succeeded = next(e for e in events.events if e.node == "payment.succeeded")
    assert succeeded.shopper_id == order.user_id
    assert succeeded.data["order_no"] == order.order_no
    assert succeeded.data["amount"] == "100.00"


def test_signed_wechat_notification_pays_the_order():
    # given
    order = pending_order(price="58.80")
    payment = _start(order, "wechat")
    body, headers = wechat_notification(payment)
    # when
    result = _notify("wechat", body, headers)
    # then
    assert result.ok and result.acknowledgement.status_code == 200
    order = fresh(order)
    assert order.status == Order.Status.PAID


@pytest.mark.parametrize(
    "tamper",
    ["amount", "wrong_key", "unsigned"],
)
def test_alipay_notification_with_bad_signature_is_rejected_and_logged(tamper):
    # given
    order = pending_order(price="100.00")
    payment = _start(order)
    body = alipay_notification(payment)
    if tamper == "amount":
        body = body.replace(b"total_amount=100.00", b"total_amount=0.01")
    elif tamper == "wrong_key":
        body = alipay_notification(payment, private_key=stranger_private_key())
    else:
        body = b"&".join(p for p in body.split(b"&") if not p.startswith(b"sign="))
    # when
    result = _notify("alipay", body)
    # then
    assert not result.ok and result.acknowledgement.status_code == 400
    order = fresh(order)
    payment = fresh(payment)
    assert order.status == Order.Status.PENDING_PAYMENT
    assert payment.status == Payment.Status.CREATED
    log = PaymentNotification.objects.get()
    assert log.outcome == PaymentNotification.Outcome.BAD_SIGNATURE
    assert not log.signature_valid


def test_wechat_notification_signed_by_another_key_is_rejected():
    # given
    order = pending_order()
    payment = _start(order, "wechat")
    body, headers = wechat_notification(payment, private_key=stranger_private_key())
    # when
    result = _notify("wechat", body, headers)
    # then
    assert not result.ok and result.acknowledgement.status_code == 400
    order = fresh(order)
    assert order.status == Order.Status.PENDING_PAYMENT


def test_wechat_notification_replayed_long_after_is_rejected():
    # given: a correctly signed notification captured an hour ago
    order = pending_order()
    payment = _start(order, "wechat")
    body, headers = wechat_notification(payment, timestamp=int(timezone.now().timestamp()) - 3600)
    # when
    result = _notify("wechat", body, headers)
    # then
    assert not result.ok
    assert PaymentNotification.objects.get().outcome == PaymentNotification.Outcome.INVALID


def test_correctly_signed_notification_for_the_wrong_amount_is_rejected():
    # given
    order = pending_order(price="100.00")
    payment = _start(order)
    # when
    result = _notify("alipay", alipay_notification(payment, amount="1.00"))
    # then
    assert not result.ok
    order = fresh(order)
    assert order.status == Order.Status.PENDING_PAYMENT
    log = PaymentNotification.objects.get()
    assert log.outcome == PaymentNotification.Outcome.AMOUNT_MISMATCH and log.signature_valid


def test_notification_for_an_unknown_payment_is_rejected():
    # given
    order = pending_order()
    payment = _start(order)
    # when
    result = _notify("alipay", alipay_notification(payment, payment_no="P20260101000000000"))
    # then
    assert not result.ok
    assert PaymentNotification.objects.get().outcome == PaymentNotification.Outcome.UNKNOWN_PAYMENT


def test_unknown_gateway_is_not_found():
    from shop.errors import NotFound

    with pytest.raises(NotFound):
        _notify("paypal", b"x=1")


def test_same_notification_twice_pays_once_and_answers_success_twice():
    # given
    order = pending_order()
    payment = _start(order)
    body = alipay_notification(payment)
    # when
    first = _notify("alipay", body)
    second = _notify("alipay", body)
    # then
    assert first.ok and second.ok
    assert second.acknowledgement.body == "success"
    assert first.outcome == "paid" and second.outcome == "duplicate"
    assert OrderEvent.objects.filter(order=order, transition="pay_succeeded").count() == 1
    assert Payment.objects.filter(order=order, status="succeeded").count() == 1


def test_failure_notification_fails_the_payment_and_the_order_waits_for_another():
    # given
    order = pending_order()
    payment = _start(order)
    # when
    with capture_domain_events() as events:
        result = _notify("alipay", alipay_notification(payment, trade_status="TRADE_CLOSED"))
    # then
    assert result.ok
    payment = fresh(payment)
    order = fresh(order)
    assert payment.status == Payment.Status.FAILED
    # one failed attempt does not close the order: only its deadline (or the shopper) does
    assert order.status == Order.Status.PENDING_PAYMENT
    assert "payment.failed" in events.nodes


def test_notification_after_the_order_expired_is_kept_and_refunded_in_full(
    django_capture_on_commit_callbacks,
):
    # given: the shopper opened the cashier, then the order expired before the money arrived
    order = pending_order(price="100.00")
    payment = _start(order)
    Order.objects.filter(pk=order.pk).update(payment_due_at=timezone.now())
    from orders.services import order_expire

    order_expire(order_id=order.pk, actor=SYSTEM)
    # when: the shopper pays on the (sandbox) cashier; the gateway notifies the shop
    with django_capture_on_commit_callbacks(execute=True):
        pay_on_cashier(payment)
    # then
    order = fresh(order)
    payment = fresh(payment)
    assert order.status == Order.Status.CANCELLED
    assert payment.status == Payment.Status.SUCCEEDED and payment.orphaned
    refund = Refund.objects.get(payment=payment)
    assert refund.amount == Decimal("100.00")
    assert refund.status == Refund.Status.SUCCEEDED
    assert PaymentNotification.objects.get().outcome == PaymentNotification.Outcome.ORPHANED


def test_second_method_paid_after_the_first_is_refunded(django_capture_on_commit_callbacks):
    # given: the shopper opened Alipay, switched to WeChat Pay and, in two windows, paid both
    order = pending_order(price="30.00")
    alipay = _start(order, "alipay")
    wechat = _start(order, "wechat")
    with django_capture_on_commit_callbacks(execute=True):
        pay_on_cashier(wechat)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        pay_on_cashier(alipay)
    # then
    alipay = fresh(alipay)
    assert alipay.orphaned and alipay.refunds.get().status == Refund.Status.SUCCEEDED
    assert OrderEvent.objects.filter(order=order, transition="pay_succeeded").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_notification_racing_in_threads_pays_once():
    # given
    order = pending_order(price="100.00")
    payment = _start(order)
    body = alipay_notification(payment, trade_no=new_trade_no())
    results, errors = [], []
    barrier = threading.Barrier(4)

    def deliver():
        try:
            barrier.wait()
            results.append(_notify("alipay", body))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert not errors
    assert all(r.ok for r in results) and len(results) == 4
    assert sorted(r.outcome for r in results) == ["duplicate", "duplicate", "duplicate", "paid"]
    assert OrderEvent.objects.filter(order=order, transition="pay_succeeded").count() == 1
    order = fresh(order)
    assert order.status == Order.Status.PAID
