"""Every change of a payment's or a refund's state leaves one PaymentEvent (who, in what role,
what, from, to, why), and payments tells the shop through typed domain events that carry the
facts (an orphaned payment says so itself)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from catalog.actors import SYSTEM, Role, actor_for
from orders import services as order_services
from payments import services
from payments.events import PaymentFailed, PaymentSucceeded, RefundSucceeded
from payments.models import Payment, PaymentEvent, Refund
from shop.events import domain_event
from shop.roles import PLATFORM_OPS, ensure_role_groups
from tests.accounts.factories import UserFactory
from tests.payments.factories import alipay_notification, fresh, pending_order

pytestmark = pytest.mark.django_db


def _history(payment) -> list[tuple]:
    return list(
        PaymentEvent.objects.filter(payment=payment, refund=None)
        .order_by("pk")
        .values_list("what", "from_state", "to_state", "actor_role")
    )


def _ops_actor():
    ensure_role_groups()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=PLATFORM_OPS))
    return actor_for(user)


@pytest.fixture
def emitted():
    seen = []

    def listen(sender, *, event, **kwargs):
        seen.append(event)

    domain_event.connect(listen, dispatch_uid="test-payment-events")
    yield seen
    domain_event.disconnect(dispatch_uid="test-payment-events")


def test_a_paid_payment_has_its_history_and_says_so_in_a_typed_event(sandbox_paid_order, emitted):
    # given / when: a shopper pays on the sandbox
    order, payment = sandbox_paid_order(method="alipay")
    # then: created by the shopper, succeeded when the gateway said so
    assert _history(payment) == [
        ("created", "", "created", Role.SHOPPER),
        ("succeed", "created", "succeeded", Role.SYSTEM),
    ]
    created = PaymentEvent.objects.filter(payment=payment).first()
    assert created.actor == order.user
    succeeded = [e for e in emitted if isinstance(e, PaymentSucceeded)]
    assert len(succeeded) == 1
    assert succeeded[0].subject_id == payment.pk and succeeded[0].orphaned is False
    assert succeeded[0].method == "alipay" and succeeded[0].amount == payment.amount


def test_switching_method_closes_the_other_payment_with_a_row(sandbox_paid_order):
    # given
    order = pending_order()
    shopper = actor_for(order.user)
    first = services.payment_start(order_no=order.order_no, actor=shopper, method="alipay")
    # when
    services.payment_start(order_no=order.order_no, actor=shopper, method="wechat")
    # then
    assert _history(first) == [
        ("created", "", "created", Role.SHOPPER),
        ("close", "created", "closed", Role.SHOPPER),
    ]
    assert PaymentEvent.objects.get(payment=first, what="close").note.startswith(
        "Shopper switched to"
    )


def test_a_failure_notification_leaves_a_failed_row_and_a_typed_event(emitted):
    # given
    order = pending_order()
    payment = services.payment_start(
        order_no=order.order_no, actor=actor_for(order.user), method="alipay"
    )
    # when
    services.payment_handle_notification(
        gateway="alipay",
        body=alipay_notification(payment, trade_status="TRADE_CLOSED"),
        headers={},
        actor=SYSTEM,
    )
    # then
    assert _history(payment)[-1] == ("fail", "created", "failed", Role.SYSTEM)
    failed = [e for e in emitted if isinstance(e, PaymentFailed)]
    assert [e.subject_id for e in failed] == [payment.pk]


def test_money_for_a_cancelled_order_is_orphaned_on_the_event_and_refunded(emitted):
    # given: the shopper cancelled the order after opening the payment
    order = pending_order()
    shopper = actor_for(order.user)
    payment = services.payment_start(order_no=order.order_no, actor=shopper, method="alipay")
    order_services.order_cancel(order_no=order.order_no, actor=shopper)
    # when: the money arrives anyway
    services.payment_handle_notification(
        gateway="alipay", body=alipay_notification(payment), headers={}, actor=SYSTEM
    )
    # then: closed with the order, succeeded as orphaned, a full refund requested
    assert [row[0] for row in _history(payment)] == ["created", "close", "succeed"]
    assert "Orphaned" in PaymentEvent.objects.get(payment=payment, what="succeed").note
    refund = Refund.objects.get(payment=payment)
    assert list(refund.events.values_list("what", "from_state", "to_state")) == [
        ("requested", "", "pending"),
    ]
    succeeded = [e for e in emitted if isinstance(e, PaymentSucceeded)]
    assert len(succeeded) == 1 and succeeded[0].orphaned is True


def test_a_refund_tells_its_story_from_request_to_success(
    sandbox_paid_order, django_capture_on_commit_callbacks, emitted
):
    # given
    order, payment = sandbox_paid_order()
    ops = _ops_actor()
    # when: operations refund part of it, and the task runs the attempt
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(
            order_line_id=order.lines.get().pk, amount=Decimal("5.00"), reason="x", actor=ops
        )
    # then
    assert fresh(refund).status == Refund.Status.SUCCEEDED
    rows = list(
        refund.events.order_by("pk").values_list("what", "from_state", "to_state", "actor_role")
    )
    assert rows == [
        ("requested", "", "pending", Role.OPS),
        ("start_attempt", "pending", "processing", Role.SYSTEM),
        ("succeed", "processing", "succeeded", Role.SYSTEM),
    ]
    assert refund.events.first().actor == ops.user
    assert fresh(refund).requested_by == ops.user
    confirmed = [e for e in emitted if isinstance(e, RefundSucceeded)]
    assert [e.subject_id for e in confirmed] == [refund.pk]


def test_operations_retry_and_manual_payout_are_recorded_with_their_user(
    django_capture_on_commit_callbacks,
):
    # given: a cash-on-delivery order collected, and its refund waiting for a payout
    order = pending_order(price="45.00")
    services.payment_start(order_no=order.order_no, actor=actor_for(order.user), method="cod")
    payment = services.cod_collect(sub_order_id=order.sub_orders.get().pk, actor=SYSTEM)
    refund = services.payment_refund(
        order_line_id=order.lines.get().pk, amount=Decimal("45.00"), reason="r", actor=SYSTEM
    )
    ops = _ops_actor()
    # when
    services.refund_record_manual_payout(refund_id=refund.pk, reference="ICBC-1", actor=ops)
    # then
    assert [row[0] for row in _history(fresh(payment))] == ["created", "succeed"]
    rows = list(refund.events.order_by("pk").values_list("what", "to_state", "actor_role"))
    assert rows == [
        ("requested", "pending", Role.SYSTEM),
        ("await_manual_payout", "processing", Role.SYSTEM),
        ("record_manual_payout", "succeeded", Role.OPS),
    ]
    assert refund.events.last().actor == ops.user and refund.events.last().note == "ICBC-1"


def test_a_failed_refund_retried_by_operations_has_a_retry_row(sandbox_paid_order):
    # given
    order, payment = sandbox_paid_order()
    refund = services.payment_refund(
        order_line_id=order.lines.get().pk, amount=Decimal("5.00"), reason="x", actor=SYSTEM
    )
    Refund.objects.filter(pk=refund.pk).update(status="failed", attempts=6)
    ops = _ops_actor()
    # when
    services.refund_retry(refund_id=refund.pk, actor=ops)
    # then
    assert refund.events.filter(what="retry", from_state="failed", to_state="pending").count() == 1
    assert refund.events.get(what="retry").actor == ops.user


def test_the_admin_shows_the_history_under_the_payment_and_the_refund(
    ops_client, sandbox_paid_order
):
    # given
    order, payment = sandbox_paid_order()
    refund = services.payment_refund(
        order_line_id=order.lines.get().pk, amount=Decimal("5.00"), reason="x", actor=SYSTEM
    )
    # when
    payment_page = ops_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    refund_page = ops_client.get(reverse("admin:payments_refund_change", args=[refund.pk]))
    # then: read-only history rows, nothing to add or delete
    for page in (payment_page, refund_page):
        assert page.status_code == 200
        text = page.content.decode()
        assert "History" in text and "requested" in text
        assert 'id="id_events-TOTAL_FORMS"' in text
        assert 'name="events-0-what"' not in text  # shown, not editable
    assert "succeed" in payment_page.content.decode()
    assert Payment.objects.get(pk=payment.pk).events.count() == 3  # created, succeed, requested
