"""What orders offer after-sales: an open case holds the sub-order's timers and gives back the
time that was left when it ends; closing a sub-order whose every unit was refunded, whatever
stage it reached; the coupon back when a paid order ends before anything of it shipped."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from catalog.actors import SYSTEM, actor_for
from catalog.selectors import stock_ledger_mismatches
from orders import services, tasks
from orders.models import Order, OrderEvent, SubOrder
from orders.selectors import aftersales_window_ends_at
from shop import events as nodes
from shop.accounts.models import HeldCoupon
from shop.errors import TransitionNotAllowed
from tests.catalog.factories import MerchantFactory
from tests.orders.factories import (
    capture_domain_events,
    paid_order,
    place_order,
    received_sub_order,
    shipped_sub_order,
    stock_of,
    stocked_sku,
)
from tests.orders.factories_pricing import CouponFactory, HeldCouponFactory

pytestmark = pytest.mark.django_db


def _fresh(sub_order) -> SubOrder:
    return SubOrder.objects.get(pk=sub_order.pk)


def _set_open(sub_order, is_open: bool) -> SubOrder:
    return services.sub_order_set_aftersales_open(sub_order_id=sub_order.pk, is_open=is_open)


# --- an open case holds the timers -------------------------------------------------------------


def test_an_open_case_gives_a_received_sub_order_back_the_window_time_it_held():
    # given: received, 7 days to complete
    sub_order = received_sub_order(items=[(stocked_sku(), 1)])
    deadline = sub_order.auto_complete_at
    opened_at = timezone.now() + timedelta(days=2)
    timeline = OrderEvent.objects.filter(sub_order=sub_order).count()

    # when: a case opens after 2 days and ends 3 days later
    with time_machine.travel(opened_at, tick=False):
        held = _set_open(sub_order, True)
    with time_machine.travel(opened_at + timedelta(days=3), tick=False):
        released = _set_open(sub_order, False)

    # then: the window ends 3 days later than it would have; nothing is held any more
    assert held.aftersales_open is True
    assert held.aftersales_held_at == opened_at
    assert held.auto_complete_at == deadline
    stored = _fresh(sub_order)
    assert stored.aftersales_open is False
    assert stored.aftersales_held_at is None
    assert stored.auto_complete_at == deadline + timedelta(days=3)
    assert released.auto_complete_at == stored.auto_complete_at
    assert aftersales_window_ends_at(stored) == deadline + timedelta(days=3)
    assert OrderEvent.objects.filter(sub_order=sub_order).count() == timeline  # not a transition


def test_opening_or_settling_twice_changes_nothing_more():
    # given: a case opened on day 1
    sub_order = received_sub_order(items=[(stocked_sku(), 1)])
    deadline = sub_order.auto_complete_at
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=1), tick=False):
        _set_open(sub_order, True)

    # when: a second case opens on day 2, both end on day 4, the release is repeated on day 5
    with time_machine.travel(start + timedelta(days=2), tick=False):
        _set_open(sub_order, True)
    with time_machine.travel(start + timedelta(days=4), tick=False):
        _set_open(sub_order, False)
    with time_machine.travel(start + timedelta(days=5), tick=False):
        _set_open(sub_order, False)

    # then: held from day 1 to day 4, once
    stored = _fresh(sub_order)
    assert stored.auto_complete_at == deadline + timedelta(days=3)
    assert stored.aftersales_held_at is None


def test_an_open_case_holds_automatic_receipt_of_a_shipped_sub_order():
    # given: shipped, auto-confirm due in AUTO_CONFIRM_DAYS
    sub_order = shipped_sub_order(items=[(stocked_sku(), 1)])
    deadline = sub_order.auto_confirm_at
    opened_at = timezone.now() + timedelta(hours=5)
    with time_machine.travel(opened_at, tick=False):
        _set_open(sub_order, True)

    # when: the deadline passes while the case is open
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        handled = tasks.sweep_auto_confirm_once()
        by_timer = services.sub_order_confirm_receipt(
            sub_order_no=sub_order.sub_order_no, actor=SYSTEM
        )

    # then: nothing is confirmed
    assert handled == 0
    assert by_timer.status == SubOrder.Status.SHIPPED
    assert _fresh(sub_order).status == SubOrder.Status.SHIPPED

    # and when the case ends there, the time that was left (deadline - opened_at) runs again
    ended_at = deadline + timedelta(days=1)
    with time_machine.travel(ended_at, tick=False):
        _set_open(sub_order, False)
    new_deadline = _fresh(sub_order).auto_confirm_at
    assert new_deadline == ended_at + (deadline - opened_at)
    with time_machine.travel(new_deadline - timedelta(minutes=1), tick=False):
        assert tasks.sweep_auto_confirm_once() == 0
    with time_machine.travel(new_deadline + timedelta(minutes=1), tick=False):
        assert tasks.sweep_auto_confirm_once() == 1
    assert _fresh(sub_order).status == SubOrder.Status.RECEIVED


def test_the_shopper_can_still_confirm_receipt_while_a_case_is_open():
    # given
    sub_order = shipped_sub_order(items=[(stocked_sku(), 1)])
    _set_open(sub_order, True)

    # when
    confirmed = services.sub_order_confirm_receipt(
        sub_order_no=sub_order.sub_order_no, actor=actor_for(sub_order.order.user)
    )

    # then: the window starts now; it stays held until the case ends
    assert confirmed.status == SubOrder.Status.RECEIVED
    assert _fresh(sub_order).aftersales_open is True


def test_a_timer_started_during_the_hold_keeps_its_full_length():
    # given: a case opened before shipment, the parcel shipped 2 days into it
    order = paid_order(items=[(stocked_sku(), 1)])
    sub_order = order.sub_orders.get()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _set_open(sub_order, True)
    with time_machine.travel(start + timedelta(days=2), tick=False):
        shipped = services.sub_order_ship(sub_order_id=sub_order.pk, actor=SYSTEM)
    deadline = shipped.auto_confirm_at

    # when: the case ends on day 3
    with time_machine.travel(start + timedelta(days=3), tick=False):
        _set_open(sub_order, False)

    # then: only the day the running clock was held is given back
    assert _fresh(sub_order).auto_confirm_at == deadline + timedelta(days=1)


def test_the_after_sales_window_ends_only_for_a_received_sub_order():
    # given
    shipped = shipped_sub_order(items=[(stocked_sku(), 1)])
    received = received_sub_order(items=[(stocked_sku(), 1)])
    completed = received_sub_order(items=[(stocked_sku(), 1)])
    with time_machine.travel(completed.auto_complete_at + timedelta(minutes=1)):
        services.sub_order_complete(sub_order_id=completed.pk, actor=SYSTEM)

    # then
    assert aftersales_window_ends_at(_fresh(shipped)) is None
    assert aftersales_window_ends_at(_fresh(received)) == received.auto_complete_at
    assert aftersales_window_ends_at(_fresh(completed)) is None


# --- closing after a full refund ---------------------------------------------------------------


def _close_after_refund(sub_order, actor=SYSTEM, reason="Refunded in full (A123)"):
    return services.sub_order_close_after_refund(
        sub_order_id=sub_order.pk, actor=actor, reason=reason
    )


def _close_events(sub_order):
    return list(
        OrderEvent.objects.filter(sub_order=sub_order, to_state=SubOrder.Status.CLOSED).values_list(
            "transition", "from_state"
        )
    )


def test_refunded_before_shipment_closes_and_gives_the_reserved_stock_back():
    # given
    sku = stocked_sku(on_hand=10)
    sub_order = paid_order(items=[(sku, 3)]).sub_orders.get()
    assert stock_of(sku).allocated == 3

    # when
    with capture_domain_events() as recorded:
        closed = _close_after_refund(sub_order)

    # then
    assert closed.status == SubOrder.Status.CLOSED
    assert closed.close_reason == "Refunded in full (A123)"
    assert _close_events(sub_order) == [("refund", SubOrder.Status.AWAITING_SHIPMENT)]
    assert recorded.nodes == [nodes.SUBORDER_CLOSED]
    assert stock_of(sku).allocated == 0 and stock_of(sku).on_hand == 10
    assert stock_ledger_mismatches() == []


@pytest.mark.parametrize("delivered", [False, True], ids=["shipped", "delivered"])
def test_refunded_on_the_way_closes_and_nothing_is_confirmed_automatically(delivered):
    # given
    sku = stocked_sku(on_hand=10)
    sub_order = shipped_sub_order(items=[(sku, 2)])
    if delivered:
        sub_order = services.sub_order_deliver(sub_order_id=sub_order.pk, actor=SYSTEM)
    from_state = sub_order.status

    # when
    with capture_domain_events() as recorded:
        closed = _close_after_refund(sub_order)

    # then
    stored = _fresh(sub_order)
    assert closed.status == stored.status == SubOrder.Status.CLOSED
    assert stored.auto_confirm_at is None
    assert stored.closed_at is not None
    assert _close_events(sub_order) == [("close_refunded", from_state)]
    assert recorded.nodes == [nodes.SUBORDER_CLOSED]
    assert stock_of(sku).on_hand == 8  # it left with the parcel; a return brings it back
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert tasks.sweep_auto_confirm_once() == 0


def test_refunded_after_receipt_closes_as_fully_refunded():
    # given
    sub_order = received_sub_order(items=[(stocked_sku(), 1)])

    # when
    with capture_domain_events() as recorded:
        closed = _close_after_refund(sub_order)

    # then
    assert closed.status == SubOrder.Status.CLOSED
    assert _close_events(sub_order) == [("refund_all", SubOrder.Status.RECEIVED)]
    assert recorded.nodes == [nodes.SUBORDER_CLOSED]


def test_an_already_closed_sub_order_is_returned_unchanged():
    # given
    sub_order = shipped_sub_order(items=[(stocked_sku(), 1)])
    _close_after_refund(sub_order)
    events = OrderEvent.objects.count()

    # when
    with capture_domain_events() as recorded:
        again = _close_after_refund(sub_order, reason="Another case")

    # then
    assert again.status == SubOrder.Status.CLOSED
    assert again.close_reason == "Refunded in full (A123)"
    assert OrderEvent.objects.count() == events
    assert recorded.nodes == []


def test_a_completed_trade_cannot_be_closed_as_refunded():
    # given
    sub_order = received_sub_order(items=[(stocked_sku(), 1)])
    with time_machine.travel(sub_order.auto_complete_at + timedelta(minutes=1)):
        services.sub_order_complete(sub_order_id=sub_order.pk, actor=SYSTEM)

    # when / then
    with pytest.raises(TransitionNotAllowed):
        _close_after_refund(sub_order)
    assert _fresh(sub_order).status == SubOrder.Status.COMPLETED


# --- the coupon back when the whole order ends before shipment ----------------------------------


def _with_coupon(order, **coupon_fields) -> HeldCoupon:
    held = HeldCouponFactory(
        user=order.user,
        coupon=CouponFactory(**coupon_fields),
        used_at=timezone.now(),
        used_on_order_no=order.order_no,
    )
    Order.objects.filter(pk=order.pk).update(held_coupon=held)
    return held


def _two_parcel_order(**coupon_fields):
    """A pending order with a used coupon and lines of two merchants (two sub-orders once paid)."""
    skus = [stocked_sku(merchant=MerchantFactory()) for _ in range(2)]
    order = place_order(items=[(skus[0], 1), (skus[1], 1)])
    held = _with_coupon(order, **coupon_fields)
    order = services.order_pay_succeeded(order_id=order.pk, paid_at=timezone.now(), actor=SYSTEM)
    return order, list(order.sub_orders.order_by("pk")), held


def _coupon_used(held) -> bool:
    held = HeldCoupon.objects.get(pk=held.pk)
    return held.used_at is not None and held.used_on_order_no != ""


def test_the_coupon_comes_back_when_the_last_parcel_closes_before_any_shipped():
    # given
    order, (first, second), held = _two_parcel_order()

    # when: one parcel out of stock, the other refunded before shipment
    services.sub_order_close_out_of_stock(sub_order_id=first.pk, actor=SYSTEM, reason="Sold out")
    still_used = _coupon_used(held)
    _close_after_refund(second)

    # then: the coupon comes back with the last one only
    assert still_used is True
    assert _coupon_used(held) is False


def test_an_expired_coupon_stays_spent():
    # given: the coupon expires while the order waits for shipment
    start = timezone.now()
    order, (first, second), held = _two_parcel_order(valid_until=start + timedelta(days=1))

    # when
    with time_machine.travel(start + timedelta(days=2)):
        services.sub_order_close_refunded(sub_order_id=first.pk, actor=SYSTEM, reason="Refunded")
        services.sub_order_close_out_of_stock(
            sub_order_id=second.pk, actor=SYSTEM, reason="Sold out"
        )

    # then
    assert _coupon_used(held) is True


def test_a_switched_off_coupon_stays_spent():
    # given
    order, (first, second), held = _two_parcel_order(is_active=False)

    # when
    services.sub_order_close_refunded(sub_order_id=first.pk, actor=SYSTEM, reason="Refunded")
    services.sub_order_close_refunded(sub_order_id=second.pk, actor=SYSTEM, reason="Refunded")

    # then
    assert _coupon_used(held) is True


def test_the_coupon_stays_spent_once_a_parcel_of_the_order_shipped():
    # given: one parcel shipped (and was refunded on its way), the other is still to ship
    order, (first, second), held = _two_parcel_order()
    services.sub_order_ship(sub_order_id=first.pk, actor=SYSTEM)
    _close_after_refund(first)

    # when
    _close_after_refund(second)

    # then: every parcel is closed, but goods did go out
    assert set(order.sub_orders.values_list("status", flat=True)) == {SubOrder.Status.CLOSED}
    assert _coupon_used(held) is True


def test_the_coupon_of_a_single_parcel_order_comes_back_when_it_closes_out_of_stock():
    # given
    order = place_order(items=[(stocked_sku(), 2)])
    held = _with_coupon(order)
    order = services.order_pay_succeeded(order_id=order.pk, paid_at=timezone.now(), actor=SYSTEM)

    # when
    services.sub_order_close_out_of_stock(
        sub_order_id=order.sub_orders.get().pk, actor=SYSTEM, reason="Sold out"
    )

    # then
    assert _coupon_used(held) is False
