"""The beat sweeps: due rows are moved by the ordinary services, rows not yet due or already
moved on are left alone, one run works through every due row in batches of SWEEP_BATCH_SIZE
within its time budget, one bad row does not stop (or starve) the rest."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from catalog.actors import SYSTEM, Role
from catalog.selectors import stock_ledger_mismatches
from orders import services, tasks
from orders.models import Order, OrderEvent, SubOrder
from shop import events as nodes
from tests.orders.factories import (
    capture_domain_events,
    paid_order,
    place_order,
    received_sub_order,
    shipped_sub_order,
    stock_of,
    stocked_sku,
)

pytestmark = pytest.mark.django_db


def _status(model, pk):
    return model.objects.values_list("status", flat=True).get(pk=pk)


def test_unpaid_orders_past_their_deadline_are_cancelled_and_stock_returns():
    # given
    sku = stocked_sku(on_hand=10)
    due = place_order(items=[(sku, 2)])
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        not_due = place_order(items=[(sku, 3)])
    paid = paid_order(items=[(sku, 1)])

    # when: 31 minutes after the first order
    with (
        time_machine.travel(due.payment_due_at + timedelta(minutes=1)),
        capture_domain_events() as recorded,
    ):
        handled = tasks.sweep_unpaid_orders.delay().get()

    # then
    assert handled == 1
    assert _status(Order, due.pk) == Order.Status.CANCELLED
    assert _status(Order, not_due.pk) == Order.Status.PENDING_PAYMENT
    assert _status(Order, paid.pk) == Order.Status.PAID
    assert recorded.nodes == [nodes.ORDER_EXPIRED]
    assert stock_of(sku).allocated == 3 + 1
    assert stock_ledger_mismatches() == []


def test_a_second_sweep_does_nothing_more():
    # given
    sku = stocked_sku()
    order = place_order(items=[(sku, 1)])
    later = order.payment_due_at + timedelta(minutes=1)
    with time_machine.travel(later):
        tasks.sweep_unpaid_orders_once()

    # when
    with time_machine.travel(later + timedelta(minutes=1)), capture_domain_events() as recorded:
        handled = tasks.sweep_unpaid_orders_once()

    # then
    assert handled == 0
    assert recorded.events == []
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_a_row_that_moved_on_after_being_picked_is_left_alone(monkeypatch):
    # given: the order is paid between the sweep's pick and its service call
    sku = stocked_sku()
    order = place_order(items=[(sku, 1)])
    pick = tasks._due_ids

    def pick_then_pay(queryset, field):
        ids = pick(queryset, field)
        services.order_pay_succeeded(order_id=order.pk, paid_at=timezone.now(), actor=SYSTEM)
        return ids

    monkeypatch.setattr(tasks, "_due_ids", pick_then_pay)

    # when
    with time_machine.travel(order.payment_due_at + timedelta(minutes=1)):
        tasks.sweep_unpaid_orders_once()

    # then
    assert _status(Order, order.pk) == Order.Status.PAID
    assert stock_of(sku).allocated == 1


def test_one_run_works_through_every_due_row_in_batches_of_sweep_batch_size(settings, monkeypatch):
    # given: 5 due orders, batches of 2
    settings.SWEEP_BATCH_SIZE = 2
    sku = stocked_sku()
    orders = [place_order(items=[(sku, 1)]) for _ in range(5)]
    later = max(o.payment_due_at for o in orders) + timedelta(minutes=1)
    pick, batches = tasks._due_ids, []

    def counted_pick(queryset, field):
        ids = pick(queryset, field)
        batches.append(len(ids))
        return ids

    monkeypatch.setattr(tasks, "_due_ids", counted_pick)

    # when: one beat run
    with time_machine.travel(later):
        handled = tasks.sweep_unpaid_orders.delay().get()

    # then: three batches and a last empty pick, no row left for the next minute
    assert handled == 5
    assert batches == [2, 2, 1, 0]
    assert not Order.objects.filter(status=Order.Status.PENDING_PAYMENT).exists()
    assert stock_of(sku).allocated == 0


def test_rows_that_keep_failing_do_not_starve_newer_due_rows(settings, monkeypatch, caplog):
    # given: the two earliest due orders fail every time, batches of 2
    settings.SWEEP_BATCH_SIZE = 2
    sku = stocked_sku()
    bad = [place_order(items=[(sku, 1)]) for _ in range(2)]
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        good = [place_order(items=[(sku, 1)]) for _ in range(3)]
    bad_ids = {o.pk for o in bad}
    expire, attempts = services.order_expire, []

    def failing_expire(*, order_id, actor):
        attempts.append(order_id)
        if order_id in bad_ids:
            raise RuntimeError("database hiccup")
        return expire(order_id=order_id, actor=actor)

    monkeypatch.setattr(services, "order_expire", failing_expire)

    # when
    with time_machine.travel(good[-1].payment_due_at + timedelta(minutes=1)):
        handled = tasks.sweep_unpaid_orders_once()

    # then: every good row handled in the same run, each bad row tried once
    assert handled == 3
    assert all(_status(Order, o.pk) == Order.Status.CANCELLED for o in good)
    assert all(_status(Order, o.pk) == Order.Status.PENDING_PAYMENT for o in bad)
    assert sorted(attempts) == sorted(o.pk for o in bad + good)
    assert caplog.text.count("next sweep retries it") == 2


def test_a_run_stops_at_its_time_budget_and_the_next_run_goes_on(settings, monkeypatch):
    # given: a clock that moves 10 s for every row, a 25 s budget, batches of 2
    settings.SWEEP_BATCH_SIZE = 2
    monkeypatch.setattr(tasks, "SWEEP_TIME_BUDGET_SECONDS", 25)
    sku = stocked_sku()
    orders = [place_order(items=[(sku, 1)]) for _ in range(5)]
    clock = [1000.0]
    monkeypatch.setattr(tasks, "monotonic", lambda: clock[0])
    expire = services.order_expire

    def slow_expire(*, order_id, actor):
        clock[0] += 10
        return expire(order_id=order_id, actor=actor)

    monkeypatch.setattr(services, "order_expire", slow_expire)
    later = max(o.payment_due_at for o in orders) + timedelta(minutes=1)

    # when
    with time_machine.travel(later):
        first = tasks.sweep_unpaid_orders_once()
        second = tasks.sweep_unpaid_orders_once()

    # then: 3 rows in the first run's 25 s (rows start at 0, 10, 20 s), the rest in the next
    assert (first, second) == (3, 2)
    assert not Order.objects.filter(status=Order.Status.PENDING_PAYMENT).exists()


def test_one_failing_row_does_not_stop_the_others(monkeypatch, caplog):
    # given
    sku = stocked_sku()
    bad, good = place_order(items=[(sku, 1)]), place_order(items=[(sku, 1)])
    expire = services.order_expire

    def flaky_expire(*, order_id, actor):
        if order_id == bad.pk:
            raise RuntimeError("database hiccup")
        return expire(order_id=order_id, actor=actor)

    monkeypatch.setattr(services, "order_expire", flaky_expire)

    # when
    with time_machine.travel(good.payment_due_at + timedelta(minutes=1)):
        handled = tasks.sweep_unpaid_orders_once()

    # then
    assert handled == 1
    assert _status(Order, bad.pk) == Order.Status.PENDING_PAYMENT
    assert _status(Order, good.pk) == Order.Status.CANCELLED
    assert "next sweep retries it" in caplog.text


def test_shipped_parcels_are_confirmed_after_auto_confirm_days():
    # given
    due = shipped_sub_order(items=[(stocked_sku(), 1)])
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        not_due = shipped_sub_order(items=[(stocked_sku(), 1)])
    delivered = shipped_sub_order(items=[(stocked_sku(), 1)])
    services.sub_order_deliver(sub_order_id=delivered.pk, actor=SYSTEM)

    # when
    with (
        time_machine.travel(due.auto_confirm_at + timedelta(minutes=1)),
        capture_domain_events() as recorded,
    ):
        handled = tasks.sweep_auto_confirm.delay().get()

    # then
    assert handled == 2
    assert _status(SubOrder, due.pk) == SubOrder.Status.RECEIVED
    assert _status(SubOrder, delivered.pk) == SubOrder.Status.RECEIVED
    assert _status(SubOrder, not_due.pk) == SubOrder.Status.SHIPPED
    assert recorded.nodes == [nodes.SUBORDER_RECEIVED] * 2
    event = OrderEvent.objects.get(sub_order=due, transition="confirm")
    assert event.actor_kind == Role.SYSTEM


def test_received_sub_orders_complete_after_the_window_unless_a_case_is_open():
    # given
    done = received_sub_order(items=[(stocked_sku(), 1)])
    blocked = received_sub_order(items=[(stocked_sku(), 1)])
    services.sub_order_set_aftersales_open(sub_order_id=blocked.pk, is_open=True)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        not_due = received_sub_order(items=[(stocked_sku(), 1)])
    later = done.auto_complete_at + timedelta(minutes=1)

    # when
    with time_machine.travel(later), capture_domain_events() as recorded:
        handled = tasks.sweep_auto_complete.delay().get()

    # then
    assert handled == 1
    assert _status(SubOrder, done.pk) == SubOrder.Status.COMPLETED
    assert _status(SubOrder, blocked.pk) == SubOrder.Status.RECEIVED
    assert _status(SubOrder, not_due.pk) == SubOrder.Status.RECEIVED
    assert recorded.nodes == [nodes.SUBORDER_COMPLETED]

    # and when the case settles, the next sweep completes it
    services.sub_order_set_aftersales_open(sub_order_id=blocked.pk, is_open=False)
    with time_machine.travel(later + timedelta(minutes=1)):
        assert tasks.sweep_auto_complete_once() == 1
    assert _status(SubOrder, blocked.pk) == SubOrder.Status.COMPLETED
