"""A payment arriving while the expiry sweep closes the order: money is never lost."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from catalog.actors import SYSTEM
from orders.models import Order
from orders.services import order_expire
from payments import services
from payments.models import Payment, Refund
from payments.tasks import sweep_sandbox_notifications
from tests.payments.factories import alipay_notification, pending_order


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_notification_racing_the_expiry_sweep_either_pays_or_refunds(round_):
    # given: an order due now, whose shopper has just paid
    order = pending_order(price="100.00")
    payment = services.payment_start(order_no=order.order_no, user=order.user, method="alipay")
    Order.objects.filter(pk=order.pk).update(payment_due_at=timezone.now())
    body = alipay_notification(payment)
    barrier, errors = threading.Barrier(2), []

    def run(action):
        try:
            barrier.wait()
            action()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    notify = lambda: services.payment_handle_notification(  # noqa: E731
        gateway="alipay", body=body, headers={}
    )
    expire = lambda: order_expire(order_id=order.pk, actor=SYSTEM)  # noqa: E731
    # when
    threads = [threading.Thread(target=run, args=(a,)) for a in (notify, expire)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: paid and kept, or cancelled and refunded in full, never both, never neither
    assert not errors
    order = Order.objects.get(pk=order.pk)
    payment = Payment.objects.get(pk=payment.pk)
    assert payment.status == Payment.Status.SUCCEEDED
    refunds = list(Refund.objects.filter(payment=payment))
    if order.status == Order.Status.PAID:
        assert not payment.orphaned and refunds == []
    else:
        assert order.status == Order.Status.CANCELLED and payment.orphaned
        assert [r.amount for r in refunds] == [Decimal("100.00")]


@pytest.mark.django_db
def test_unacknowledged_sandbox_notifications_are_redelivered(time_machine):
    # given: Pay was pressed but the delivery was lost
    from datetime import timedelta

    from tests.payments.factories import pay_on_cashier

    order = pending_order()
    payment = services.payment_start(order_no=order.order_no, user=order.user, method="alipay")
    pay_on_cashier(payment)  # the test transaction never commits: nothing is delivered
    # when: the sandbox's sweep runs a few minutes later
    time_machine.move_to(timezone.now() + timedelta(minutes=5))
    assert sweep_sandbox_notifications.delay().get() == 1
    # then
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert sweep_sandbox_notifications.delay().get() == 0
