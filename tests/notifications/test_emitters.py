"""What the shopper and the merchant actually receive when the real services emit their events
(logistics, payments, orders), not hand-made events."""

import pytest

from aftersales import services as aftersales_services
from catalog.actors import SYSTEM, actor_for
from notifications import nodes
from notifications.models import InboxMessage, MerchantWebhook, OutboxMessage, PushRule
from orders import services as order_services
from orders.models import Order
from payments.models import Payment
from shop import events
from tests.accounts.factories import CustomerProfileFactory
from tests.payments.factories import pay_on_cashier, pending_order

pytestmark = pytest.mark.django_db


def test_every_shortage_and_the_final_close_reach_the_shopper_and_the_merchant_system(
    default_rules, sandbox_paid_sub_order, merchant_system, django_capture_on_commit_callbacks
):
    # given a paid sub-order of two lines (2 + 1 units) whose merchant has a webhook
    system, url = merchant_system
    sub_order = sandbox_paid_sub_order(quantities=(2, 1), user=CustomerProfileFactory().user)
    webhook = MerchantWebhook.objects.create(merchant=sub_order.merchant, url=url)
    shopper = sub_order.order.user
    first, second = sub_order.lines.order_by("pk")

    # when one unit of the first line is short, then the other, then the second line (the close):
    # a shortage at picking is an out-of-stock after-sales case, refunded at once
    for line in (first, first, second):
        with django_capture_on_commit_callbacks(execute=True):
            aftersales_services.case_open_out_of_stock(
                line_id=line.pk, quantity=1, reason="Sold out", actor=SYSTEM
            )

    # then the shopper was told three times, in the inbox and by SMS
    told = OutboxMessage.objects.filter(node=events.SUBORDER_OUT_OF_STOCK, recipient=shopper)
    assert told.filter(channel="inbox").count() == 3
    assert told.filter(channel="sms").count() == 3
    inbox = InboxMessage.objects.filter(user=shopper, node=events.SUBORDER_OUT_OF_STOCK)
    assert inbox.count() == 3
    # and the merchant's system got the three events, each once
    hooks = OutboxMessage.objects.filter(node=events.SUBORDER_OUT_OF_STOCK, webhook=webhook)
    assert hooks.count() == 3
    assert set(hooks.values_list("status", flat=True)) == {"sent"}
    out_of_stock = [b for h, b in system.received if h["X-Shop-Event"] == "suborder.out_of_stock"]
    assert len(out_of_stock) == 3
    # and each case told the shopper its refund in the inbox, never "your request was submitted"
    cases = InboxMessage.objects.filter(user=shopper, node=nodes.CASE_OUT_OF_STOCK)
    assert cases.count() == 3
    assert all(m.title.endswith("refunded automatically") for m in cases)
    assert not InboxMessage.objects.filter(user=shopper, node=events.CASE_REQUESTED).exists()


def _start_payment(order, method="alipay"):
    from payments import services as payment_services

    return payment_services.payment_start(order_no=order.order_no, user=order.user, method=method)


def _shopper_messages(user, channel):
    return OutboxMessage.objects.filter(recipient=user, channel=channel)


def test_one_real_payment_tells_the_shopper_once_by_sms_and_once_in_the_inbox(
    default_rules, django_capture_on_commit_callbacks
):
    # given an order waiting for payment, of a shopper with a phone number
    order = pending_order(price="100.00", user=CustomerProfileFactory().user)
    payment = _start_payment(order)
    # when the shopper pays on the sandbox cashier and the gateway's notification arrives
    with django_capture_on_commit_callbacks(execute=True):
        pay_on_cashier(payment)
    # then one SMS and one inbox message say so, both from order.paid
    sms = _shopper_messages(order.user, "sms")
    inbox = InboxMessage.objects.filter(user=order.user)
    assert list(sms.values_list("node", flat=True)) == [events.ORDER_PAID]
    assert [(m.node, m.title) for m in inbox] == [
        (events.ORDER_PAID, f"Order {order.order_no} paid")
    ]
    assert set(sms.values_list("status", flat=True)) == {"sent"}


def test_a_refund_is_one_sms_whether_told_by_payments_or_by_after_sales(default_rules):
    # given the seeded rules: refund.succeeded speaks of money coming back by SMS
    sms_nodes = set(
        PushRule.objects.filter(
            target="shopper",
            channel="sms",
            is_active=True,
            node__in=[events.REFUND_SUCCEEDED, events.CASE_REFUNDED],
        ).values_list("node", flat=True)
    )
    # then a case refund (which is also a refund) cannot send the shopper two SMS
    assert sms_nodes == {events.REFUND_SUCCEEDED}
    assert PushRule.objects.get(
        node=events.CASE_REFUNDED, target="shopper", channel="inbox"
    ).is_active


def test_a_failed_payment_says_the_order_waits_to_be_paid_again(
    default_rules, django_capture_on_commit_callbacks
):
    # given an order waiting for payment
    order = pending_order(price="100.00")
    payment = _start_payment(order)
    # when the payment fails on the sandbox cashier (the order stays awaiting payment)
    with django_capture_on_commit_callbacks(execute=True):
        pay_on_cashier(payment, paid=False)
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    # then the shopper is told nothing was charged and how to go on, not to start over
    told = InboxMessage.objects.get(user=order.user, node=events.PAYMENT_FAILED)
    assert "nothing was charged" in told.body and "pay again" in told.body
    assert "closed" not in told.body and "new order" not in told.body
    sms = _shopper_messages(order.user, "sms").get(node=events.PAYMENT_FAILED)
    assert sms.body.startswith(told.body)
    assert InboxMessage.objects.filter(user=order.user).count() == 1


def test_cash_on_delivery_is_confirmed_not_paid(default_rules, django_capture_on_commit_callbacks):
    # given an order waiting for payment
    order = pending_order(price="100.00")
    # when the shopper chooses cash on delivery (orders emits order.paid: the order goes ahead)
    with django_capture_on_commit_callbacks(execute=True):
        _start_payment(order, method="cod")
    # then the shopper reads that the order is confirmed and is paid on delivery
    inbox = InboxMessage.objects.filter(user=order.user)
    assert [m.node for m in inbox] == [nodes.ORDER_COD_CONFIRMED]
    (message,) = inbox
    assert "cash on delivery" in message.title
    assert "¥100.00 to the courier on delivery" in message.body
    for row in OutboxMessage.objects.filter(recipient=order.user):
        assert "received your payment" not in row.body
    assert _shopper_messages(order.user, "sms").count() == 1


def test_money_for_a_cancelled_order_is_told_as_being_refunded(
    default_rules, django_capture_on_commit_callbacks
):
    # given: the shopper opened the cashier, then cancelled the order
    order = pending_order(price="100.00")
    payment = _start_payment(order)
    order_services.order_cancel(order_no=order.order_no, actor=actor_for(order.user))
    # when the money arrives anyway (payments keeps it as orphaned and refunds it in full)
    with django_capture_on_commit_callbacks(execute=True):
        pay_on_cashier(payment)
    assert Payment.objects.get(pk=payment.pk).orphaned
    # then the shopper reads that it is being refunded, never that the order goes on
    (told,) = InboxMessage.objects.filter(user=order.user, node=nodes.PAYMENT_ORPHANED)
    assert "being refunded" in told.body and order.order_no in told.body
    for row in OutboxMessage.objects.filter(recipient=order.user):
        assert "received your payment" not in row.body.lower()
        assert row.node != events.ORDER_PAID
    sms = _shopper_messages(order.user, "sms").filter(node=nodes.PAYMENT_ORPHANED)
    assert sms.count() == 1
