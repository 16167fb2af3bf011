"""Cash on delivery collection, and the daily reconciliation against the gateway's ledger."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.actors import actor_for
from orders.services import order_cod_confirm, order_line_record_refund
from payments import services
from payments.models import Payment, ReconciliationMismatch
from payments.tasks import reconcile_payments
from shop.errors import Conflict
from tests.orders.factories import capture_domain_events
from tests.payments.factories import fresh, pay_on_cashier, pending_order

pytestmark = pytest.mark.django_db


def test_cod_payment_succeeds_when_the_cash_is_collected():
    # given: COD chosen on the pay page
    order = pending_order(price="45.00")
    payment = services.payment_start(order_no=order.order_no, user=order.user, method="cod")
    sub_order = order.sub_orders.get()
    # when: the carrier reports the cash collected (twice: a redelivered webhook)
    with capture_domain_events() as events:
        services.cod_collect(sub_order_id=sub_order.pk)
        services.cod_collect(sub_order_id=sub_order.pk)
    # then
    payment = fresh(payment)
    assert payment.status == Payment.Status.SUCCEEDED and payment.paid_at
    assert payment.collections.count() == 1
    assert events.nodes.count("payment.succeeded") == 1


def test_cod_confirmed_at_checkout_gets_its_payment_record_on_collection():
    # given: orders confirmed the COD order at checkout, payments was not involved
    order = pending_order(price="30.00")
    order_cod_confirm(order_no=order.order_no, actor=actor_for(order.user))
    # when
    payment = services.cod_collect(sub_order_id=order.sub_orders.get().pk)
    # then
    assert payment.method == "cod" and payment.amount == Decimal("30.00")
    assert fresh(payment).status == Payment.Status.SUCCEEDED


def test_cod_courier_collects_only_what_is_owed_after_a_shortage_at_picking():
    # given: a COD order of 3 x 20.00 where one unit was found short and refunded before shipping
    order = pending_order(price="20.00", quantity=3)
    order_cod_confirm(order_no=order.order_no, actor=actor_for(order.user))
    line = order.lines.get()
    order_line_record_refund(line_id=line.pk, amount=Decimal("20.00"), quantity=1)
    # when: the parcel is signed for and the cash collected
    payment = services.cod_collect(sub_order_id=order.sub_orders.get().pk)
    # then: the shopper paid for two units, not three
    payment = fresh(payment)
    assert payment.collections.get().amount == Decimal("40.00")
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.amount == Decimal("40.00")


def test_collecting_cash_for_an_online_order_is_refused(sandbox_paid_order):
    order, _ = sandbox_paid_order()
    with pytest.raises(Conflict):
        services.cod_collect(sub_order_id=order.sub_orders.get().pk)


def test_cod_refund_after_collection_is_recorded(sandbox_paid_order):
    order = pending_order(price="45.00")
    services.payment_start(order_no=order.order_no, user=order.user, method="cod")
    services.cod_collect(sub_order_id=order.sub_orders.get().pk)
    refund = services.payment_refund(
        order_line_id=order.lines.get().pk, amount=Decimal("45.00"), reason="Returned"
    )
    assert refund.amount == Decimal("45.00")


def test_reconciliation_lists_every_difference_with_the_gateway(
    sandbox_paid_order, django_capture_on_commit_callbacks
):
    # given: one payment that matches
    sandbox_paid_order(price="10.00")
    # a payment the gateway took but whose notification never reached us
    lost = pending_order(price="20.00")
    lost_payment = services.payment_start(order_no=lost.order_no, user=lost.user, method="wechat")
    pay_on_cashier(lost_payment)  # on_commit never runs: the notification is not delivered
    # and a payment we recorded as succeeded that the gateway does not know
    ghost = pending_order(price="30.00")
    ghost_payment = services.payment_start(
        order_no=ghost.order_no, user=ghost.user, method="alipay"
    )
    Payment.objects.filter(pk=ghost_payment.pk).update(status="succeeded", paid_at=timezone.now())
    # when
    out = StringIO()
    call_command("reconcile_payments", date=timezone.localdate().isoformat(), stdout=out)
    # then
    kinds = {m.reference: m.kind for m in ReconciliationMismatch.objects.order_by("reference")}
    assert kinds == {
        lost_payment.payment_no: ReconciliationMismatch.Kind.MISSING_LOCALLY,
        ghost_payment.payment_no: ReconciliationMismatch.Kind.MISSING_AT_GATEWAY,
    }
    report = out.getvalue()
    assert "2 payments" in report and "2 mismatches" in report  # by the day they were paid
    assert lost_payment.payment_no in report and ghost_payment.payment_no in report


def test_reconciliation_task_checks_yesterday_by_default(sandbox_paid_order):
    sandbox_paid_order()
    assert reconcile_payments.delay().get() == 0
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert reconcile_payments.delay(day).get() == 0


def test_reconciliation_across_midnight_goes_by_the_day_the_money_moved(
    time_machine, django_capture_on_commit_callbacks
):
    # given: a payment opened at 23:58 and paid at 00:02, and one paid at the gateway at
    # 23:59:59 whose notification reached us at 00:00:01
    from payments.tasks import sweep_sandbox_notifications

    day_one = timezone.localdate() - timedelta(days=3)
    midnight = timezone.make_aware(datetime.combine(day_one + timedelta(days=1), time.min))
    time_machine.move_to(midnight - timedelta(minutes=2), tick=False)
    opened_late = pending_order(price="12.00")
    late = services.payment_start(
        order_no=opened_late.order_no, user=opened_late.user, method="wechat"
    )
    paid_late = pending_order(price="34.00")
    straddling = services.payment_start(
        order_no=paid_late.order_no, user=paid_late.user, method="alipay"
    )
    time_machine.move_to(midnight - timedelta(seconds=1), tick=False)
    pay_on_cashier(straddling)  # its delivery is lost: the sweep brings it after midnight
    time_machine.move_to(midnight + timedelta(seconds=1), tick=False)
    assert sweep_sandbox_notifications.delay().get() == 1
    time_machine.move_to(midnight + timedelta(minutes=2), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        pay_on_cashier(late)
    assert fresh(late).status == fresh(straddling).status == Payment.Status.SUCCEEDED
    # when: both days are reconciled
    first = services.reconcile_payments(day=day_one)
    second = services.reconcile_payments(day=day_one + timedelta(days=1))
    # then: no false "missing locally" on either day; both payments checked on the second
    assert list(ReconciliationMismatch.objects.values_list("reference", "kind")) == []
    assert first.mismatch_count == second.mismatch_count == 0
    assert second.payments_checked == 2


def test_reconciliation_builds_each_gateway_once_per_run(sandbox_paid_order, monkeypatch):
    # given: several paid orders (and so several payments to query)
    for price in ("10.00", "11.00", "12.00"):
        sandbox_paid_order(price=price)
    built = []
    real_get_gateway = services.get_gateway

    def counting_get_gateway(name):
        built.append(name)
        return real_get_gateway(name)

    monkeypatch.setattr(services, "get_gateway", counting_get_gateway)

    # when
    run = services.reconcile_payments(day=timezone.localdate())

    # then: every payment checked, with one client per gateway
    assert run.payments_checked == 3 and run.mismatch_count == 0
    assert sorted(built) == ["alipay", "wechat"]
