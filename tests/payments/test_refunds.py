"""Refunds: never above what was paid, executed through the gateway, retried until it confirms."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from catalog.actors import SYSTEM, actor_for
from orders.models import OrderLine
from payments import services
from payments.gateways.alipay import AlipayGateway
from payments.gateways.base import RefundResult
from payments.models import Refund
from payments.tasks import sweep_pending_refunds
from sandbox.models import SandboxRefund
from shop.errors import Conflict, InvalidInput
from tests.orders.factories import capture_domain_events
from tests.payments.factories import fresh, pay_on_cashier, pending_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_gateway(monkeypatch):
    """The gateway refuses the next `n` refunds, then works again."""
    state = {"left": 0, "calls": 0}
    real_refund = AlipayGateway.refund

    def refund(self, refund):
        state["calls"] += 1
        if state["left"] > 0:
            state["left"] -= 1
            return RefundResult(ok=False, error="SYSTEM_ERROR: gateway busy")
        return real_refund(self, refund)

    monkeypatch.setattr(AlipayGateway, "refund", refund)

    def fail_next(n):
        state["left"] = n
        return state

    return fail_next


def _line(order) -> OrderLine:
    return order.lines.get()


def test_partial_refund_of_a_line_goes_back_through_the_gateway(
    sandbox_paid_order, django_capture_on_commit_callbacks
):
    # given
    order, payment = sandbox_paid_order(price="100.00")
    line = _line(order)
    # when
    with capture_domain_events() as events, django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(
            order_line_id=line.pk, amount=Decimal("40.00"), reason="Scratched", actor=SYSTEM
        )
    # then
    refund = fresh(refund)
    assert refund.status == Refund.Status.SUCCEEDED and refund.gateway_refund_id
    assert refund.refund_no.startswith("R")
    assert fresh(line).refunded_amount == Decimal("40.00")
    assert SandboxRefund.objects.get(out_refund_no=refund.refund_no).amount == Decimal("40.00")
    event = next(e for e in events.events if e.node == "refund.succeeded")
    assert event.shopper_id == order.user_id and event.data["order_no"] == order.order_no


def test_refund_above_the_lines_paid_share_is_refused(sandbox_paid_order):
    # given
    order, payment = sandbox_paid_order(price="100.00")
    line = _line(order)
    services.payment_refund(
        order_line_id=line.pk, amount=Decimal("70.00"), reason="a", actor=SYSTEM
    )
    # when / then
    with pytest.raises(Conflict) as error:
        services.payment_refund(
            order_line_id=line.pk, amount=Decimal("30.01"), reason="b", actor=SYSTEM
        )
    assert error.value.code == "refund_exceeds_paid"
    assert Refund.objects.filter(payment=payment).count() == 1
    assert fresh(line).refunded_amount == Decimal("70.00")


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00")])
def test_refund_of_nothing_is_invalid(sandbox_paid_order, amount):
    order, _ = sandbox_paid_order()
    with pytest.raises(InvalidInput):
        services.payment_refund(
            order_line_id=_line(order).pk, amount=amount, reason="x", actor=SYSTEM
        )


def test_refund_of_an_unpaid_order_is_refused():
    order = pending_order()
    with pytest.raises(Conflict):
        services.payment_refund(
            order_line_id=_line(order).pk, amount=Decimal("1.00"), reason="x", actor=SYSTEM
        )


def test_same_idempotency_key_returns_the_same_refund(sandbox_paid_order):
    # given
    order, _ = sandbox_paid_order(price="100.00")
    line = _line(order)
    # when
    first = services.payment_refund(
        order_line_id=line.pk,
        amount=Decimal("10.00"),
        reason="x",
        idempotency_key="case:A1",
        actor=SYSTEM,
    )
    second = services.payment_refund(
        order_line_id=line.pk,
        amount=Decimal("10.00"),
        reason="x",
        idempotency_key="case:A1",
        actor=SYSTEM,
    )
    # then
    assert first.pk == second.pk
    assert fresh(line).refunded_amount == Decimal("10.00")


def test_refund_is_retried_after_a_gateway_failure_until_it_succeeds(
    sandbox_paid_order, failing_gateway, django_capture_on_commit_callbacks
):
    # given: the gateway is down for the first two attempts
    order, payment = sandbox_paid_order(price="100.00")
    gateway = failing_gateway(2)
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(
            order_line_id=_line(order).pk,
            amount=Decimal("25.00"),
            reason="Late delivery",
            actor=SYSTEM,
        )
    assert fresh(refund).status == Refund.Status.PENDING
    assert "gateway busy" in fresh(refund).last_error
    # when: the beat sweep runs as the backoff elapses
    for minutes in (2, 10):
        with time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False):
            sweep_pending_refunds.delay()
    # then
    refund = fresh(refund)
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.attempts == 3 and gateway["calls"] == 3
    assert SandboxRefund.objects.filter(out_refund_no=refund.refund_no).count() == 1


def test_sweep_does_not_retry_before_the_backoff_elapses(
    sandbox_paid_order, failing_gateway, django_capture_on_commit_callbacks
):
    order, _ = sandbox_paid_order()
    gateway = failing_gateway(1)
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(
            order_line_id=_line(order).pk, amount=Decimal("5.00"), reason="x", actor=SYSTEM
        )
    # when
    sweep_pending_refunds.delay()
    # then
    assert fresh(refund).status == Refund.Status.PENDING and gateway["calls"] == 1


def test_refund_that_keeps_failing_is_marked_failed_and_ops_can_retry_it(
    sandbox_paid_order, failing_gateway, django_capture_on_commit_callbacks, settings
):
    # given
    settings.PAYMENT_REFUND_MAX_ATTEMPTS = 2
    order, _ = sandbox_paid_order()
    failing_gateway(2)
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.payment_refund(
            order_line_id=_line(order).pk, amount=Decimal("5.00"), reason="x", actor=SYSTEM
        )
    with (
        capture_domain_events() as events,
        time_machine.travel(timezone.now() + timedelta(hours=1), tick=False),
    ):
        sweep_pending_refunds.delay()
    assert fresh(refund).status == Refund.Status.FAILED
    assert "refund.failed" in events.nodes
    # when: ops press "retry refund"
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_retry(refund_id=refund.pk, actor=SYSTEM)
    # then
    assert fresh(refund).status == Refund.Status.SUCCEEDED


def test_money_invariant_paid_equals_refunded_plus_kept(
    sandbox_paid_order, django_capture_on_commit_callbacks
):
    # given: an order of two pieces, partly refunded twice
    order, payment = sandbox_paid_order(price="49.90", quantity=2)
    line = _line(order)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(
            order_line_id=line.pk, amount=Decimal("49.90"), reason="a", quantity=1, actor=SYSTEM
        )
        services.payment_refund(
            order_line_id=line.pk, amount=Decimal("10.00"), reason="b", actor=SYSTEM
        )
    # then
    refunded = Refund.objects.filter(payment=payment, status="succeeded").aggregate(
        s=Sum("amount")
    )["s"]
    kept = sum((x.paid_amount - x.refunded_amount for x in order.lines.all()), Decimal("0.00"))
    assert payment.amount == Decimal("99.80")
    assert payment.amount == refunded + kept
    assert SandboxRefund.objects.aggregate(s=Sum("amount"))["s"] == refunded


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refunds_of_60_on_a_100_line_only_one_succeeds():
    # given
    order = pending_order(price="100.00")
    payment = services.payment_start(
        order_no=order.order_no, actor=actor_for(order.user), method="alipay"
    )
    pay_on_cashier(payment)  # autocommit: the notification is delivered at once
    line = _line(order)
    assert fresh(line).order.status == "paid"
    outcomes, barrier = [], threading.Barrier(2)

    def refund():
        try:
            barrier.wait()
            services.payment_refund(
                order_line_id=line.pk, amount=Decimal("60.00"), reason="x", actor=SYSTEM
            )
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=refund) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(outcomes) == ["conflict", "ok"]
    assert fresh(line).refunded_amount == Decimal("60.00")
    assert Refund.objects.get(payment=payment).status == Refund.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_a_refund_asked_while_the_broker_is_down_is_kept_and_sent_by_the_sweep(
    sandbox_paid_order, dead_broker
):
    # given: a paid order, then Celery pointed at a broker nobody listens on
    dead_broker.conf.task_always_eager = True
    order, payment = sandbox_paid_order()
    dead_broker.conf.task_always_eager = False
    # when: ops refund a line (the request commits; queuing the gateway call fails)
    refund = services.payment_refund(
        order_line_id=order.lines.get().pk, amount=Decimal("10.00"), reason="damaged", actor=SYSTEM
    )
    # then: the refund is recorded and waits, nothing was sent to the gateway yet
    assert fresh(refund).status == Refund.Status.PENDING
    assert not SandboxRefund.objects.exists()
    # when: the broker is back and the minute's sweep runs
    dead_broker.conf.task_always_eager = True
    sweep_pending_refunds.apply()
    # then: the gateway refunded it, once
    assert fresh(refund).status == Refund.Status.SUCCEEDED
    assert SandboxRefund.objects.count() == 1
