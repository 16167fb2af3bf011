"""The sandbox gateway delivers its notifications as the real ones do: signed afresh at every
delivery, on the gateway's own redelivery schedule (hours, not minutes)."""

from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
from django.utils import timezone

from catalog.actors import actor_for
from orders.models import Order
from payments import services
from payments.models import PaymentNotification
from sandbox import tasks
from sandbox.delivery import REDELIVERY_GAPS, max_deliveries
from sandbox.models import SandboxNotification
from sandbox.tasks import sweep_sandbox_notifications
from tests.payments.factories import fresh, pay_on_cashier, pending_order


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["wechat", "alipay"])
def test_a_notification_first_delivered_ten_minutes_after_pay_is_accepted(method, time_machine):
    # given: Pay was pressed, and the delivery was lost (web or broker down)
    order = pending_order()
    payment = services.payment_start(
        order_no=order.order_no, actor=actor_for(order.user), method=method
    )
    pay_on_cashier(payment)  # the test transaction never commits: nothing is delivered now
    # when: the sandbox's sweep sends it ten minutes later
    delivered_at = timezone.now() + timedelta(minutes=10)
    time_machine.move_to(delivered_at, tick=False)
    assert sweep_sandbox_notifications.delay().get() == 1
    # then: signed at delivery time, so accepted; the order is paid once
    assert fresh(order).status == Order.Status.PAID
    notification = SandboxNotification.objects.get(trade__payment_no=payment.payment_no)
    assert notification.acknowledged_at is not None and notification.attempts == 1
    if method == "wechat":
        assert int(notification.headers["Wechatpay-Timestamp"]) == int(delivered_at.timestamp())
    else:
        sent = dict(parse_qsl(notification.body))  # the stored body keeps the first signing
        assert sent["out_trade_no"] == payment.payment_no
    assert (
        PaymentNotification.objects.filter(
            payment=payment, outcome=PaymentNotification.Outcome.PAID
        ).count()
        == 1
    )
    assert sweep_sandbox_notifications.delay().get() == 0


@pytest.mark.django_db
def test_redeliveries_follow_the_gateway_schedule_not_the_sweep(monkeypatch, time_machine):
    # given: the shop is down; Pay was pressed at t0
    answers = []

    def shop_down(**kwargs):
        answers.append(timezone.now())
        return 503, "Service Unavailable"

    monkeypatch.setattr(tasks, "_send_to_shop", shop_down)
    t0 = timezone.now().replace(microsecond=0)
    time_machine.move_to(t0, tick=False)
    order = pending_order()
    payment = services.payment_start(
        order_no=order.order_no, actor=actor_for(order.user), method="wechat"
    )
    pay_on_cashier(payment)
    # when: the beat sweep runs every minute for ten minutes
    for minute in range(11):
        time_machine.move_to(t0 + timedelta(minutes=minute), tick=False)
        sweep_sandbox_notifications.delay().get()
    # then: only the due deliveries went out (0s, 1m, 2m, 3m, 6m), the cap is far from spent
    notification = SandboxNotification.objects.get(trade__payment_no=payment.payment_no)
    assert [a - t0 for a in answers] == [timedelta(minutes=m) for m in (0, 1, 2, 3, 6)]
    assert notification.attempts == 5
    assert notification.next_attempt_at == t0 + timedelta(minutes=16)

    # when: the schedule runs its course with the shop still down
    while notification.next_attempt_at is not None:
        time_machine.move_to(notification.next_attempt_at, tick=False)
        assert sweep_sandbox_notifications.delay().get() == 1
        notification = fresh(notification)
    # then: it kept trying for about a day, and stops at the gateway's cap
    assert notification.attempts == max_deliveries("wechat") == len(REDELIVERY_GAPS["wechat"]) + 1
    assert answers[-1] - t0 > timedelta(hours=24)
    time_machine.move_to(answers[-1] + timedelta(days=1), tick=False)
    assert sweep_sandbox_notifications.delay().get() == 0


@pytest.mark.django_db
def test_a_retry_that_is_not_due_sends_nothing(monkeypatch, time_machine):
    # given: one delivery went out and failed; its retry is due in 15 s
    sent = []
    monkeypatch.setattr(tasks, "_send_to_shop", lambda **kw: sent.append(kw) or (0, "refused"))
    order = pending_order()
    payment = services.payment_start(
        order_no=order.order_no, actor=actor_for(order.user), method="wechat"
    )
    pay_on_cashier(payment)
    notification = SandboxNotification.objects.get(trade__payment_no=payment.payment_no)
    tasks.deliver_sandbox_notification.delay(notification.pk)
    # when: the task runs again (a duplicate, or the sweep) before the retry is due
    tasks.deliver_sandbox_notification.delay(notification.pk)
    # then: one delivery only
    assert len(sent) == 1
    assert fresh(notification).attempts == 1
