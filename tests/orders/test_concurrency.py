"""Real threads on real PostgreSQL: no overselling, one order per idempotency key, one use per
coupon, and a payment racing the expiry sweep ends in exactly one outcome with stock to match."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from catalog.actors import SYSTEM, actor_for
from catalog.selectors import stock_ledger_mismatches
from orders import services, tasks
from orders.models import Order, OrderEvent
from shop.errors import InvalidInput, OutOfStock, TransitionNotAllowed
from tests.orders.factories import place_order, shopper_with_address, stock_of, stocked_sku
from tests.orders.factories_pricing import HeldCouponFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(calls):
    """Start every call at the same moment, each in its own thread with its own connection;
    returns each call's result or the exception it raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as error:  # the outcome under test
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_fifty_shoppers_racing_for_the_last_ten_units_get_ten_orders():
    # given
    sku = stocked_sku(on_hand=10)
    shoppers = [shopper_with_address() for _ in range(50)]

    def buy(user, address):
        return lambda: services.order_create(
            actor=actor_for(user),
            address_id=address.public_id,
            items=[(sku.pk, 1)],
            payment_method="alipay",
        )

    # when
    outcomes = run_together([buy(user, address) for user, address in shoppers])

    # then
    orders = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, OutOfStock)]
    assert len(orders) == 10, outcomes
    assert len(refused) == 40, outcomes
    record = stock_of(sku)
    assert (record.on_hand, record.allocated) == (10, 10)
    assert record.on_hand - record.allocated >= 0
    assert stock_ledger_mismatches() == []
    assert Order.objects.count() == 10


def test_two_orders_racing_for_one_coupon_use_it_once():
    # given: one held coupon, two checkouts of the same shopper at the same moment
    shopper, address = shopper_with_address()
    held = HeldCouponFactory(user=shopper)
    sku = stocked_sku(on_hand=10, price="100.00")

    def checkout():
        return services.order_create(
            actor=actor_for(shopper),
            address_id=address.public_id,
            items=[(sku.pk, 1)],
            payment_method="alipay",
            coupon_code=held.coupon.code,
        )

    # when
    outcomes = run_together([checkout, checkout])

    # then: one order carries the coupon; the other was refused and left nothing behind
    orders = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, InvalidInput)]
    assert len(orders) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "invalid_coupon"
    held.refresh_from_db()
    assert held.used_on_order_no == orders[0].order_no
    assert Order.objects.filter(user=shopper).count() == 1
    assert stock_of(sku).allocated == 1
    assert stock_ledger_mismatches() == []


def test_the_same_idempotency_key_from_two_threads_makes_one_order():
    # given
    sku = stocked_sku(on_hand=10)
    shopper, address = shopper_with_address()

    def submit():
        return services.order_create(
            actor=actor_for(shopper),
            address_id=address.public_id,
            items=[(sku.pk, 2)],
            payment_method="alipay",
            idempotency_key="double-click",
        )

    # when
    outcomes = run_together([submit, submit, submit])

    # then
    assert all(isinstance(o, Order) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert Order.objects.filter(user=shopper).count() == 1
    assert stock_of(sku).allocated == 2
    assert stock_ledger_mismatches() == []


def test_a_payment_racing_the_expiry_sweep_has_exactly_one_winner():
    # given: orders whose payment deadline has just passed
    sku = stocked_sku(on_hand=10)
    orders = [
        place_order(items=[(sku, 1)], due_at=timezone.now() - timedelta(seconds=1))
        for _ in range(4)
    ]

    # when: the gateway confirms each payment while the sweep runs
    pays = [
        (
            lambda o=o: services.order_pay_succeeded(
                order_id=o.pk, paid_at=timezone.now(), actor=SYSTEM
            )
        )
        for o in orders
    ]
    outcomes = run_together([*pays, tasks.sweep_unpaid_orders_once])

    # then: each order is either paid (and split) or cancelled (and its stock released)
    paid = 0
    for order, outcome in zip(orders, outcomes, strict=False):
        order = Order.objects.get(pk=order.pk)
        order_events = OrderEvent.objects.filter(order=order, sub_order__isnull=True)
        assert order_events.count() == 1
        if order.status == Order.Status.PAID:
            paid += 1
            assert isinstance(outcome, Order)
            assert order.sub_orders.count() == 1
        else:
            assert order.status == Order.Status.CANCELLED
            assert isinstance(outcome, TransitionNotAllowed)
            assert order.sub_orders.count() == 0
    record = stock_of(sku)
    assert (record.on_hand, record.allocated) == (10, paid)
    assert stock_ledger_mismatches() == []


def test_an_open_checkout_does_not_hold_up_another_sku_in_the_same_warehouse():
    # given: two SKUs stocked in one warehouse, and a checkout of the first still open
    first = stocked_sku(on_hand=5)
    warehouse = stock_of(first).warehouse
    second = stocked_sku(merchant=first.product.merchant, warehouse=warehouse, on_hand=5)
    (buyer, address), (other, other_address) = shopper_with_address(), shopper_with_address()
    first_allocated, second_done = threading.Event(), threading.Event()

    def slow_checkout():
        from django.db import transaction

        with transaction.atomic():
            order = services.order_create(
                actor=actor_for(buyer),
                address_id=address.public_id,
                items=[(first.pk, 1)],
                payment_method="alipay",
            )
            first_allocated.set()
            second_done.wait(timeout=10)  # still holding its locks while the other one runs
        return order

    def other_checkout():
        from django.db import transaction

        first_allocated.wait(timeout=10)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # waiting on the first checkout would show up as this error, not a delay
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                return services.order_create(
                    actor=actor_for(other),
                    address_id=other_address.public_id,
                    items=[(second.pk, 1)],
                    payment_method="alipay",
                )
        finally:
            second_done.set()

    # when
    slow, quick = run_together([slow_checkout, other_checkout])

    # then: both orders exist; the second never waited for the first one's warehouse
    assert isinstance(slow, Order) and isinstance(quick, Order), (slow, quick)
    assert stock_of(first).allocated == 1 and stock_of(second).allocated == 1


def test_one_shopper_racing_six_tabs_at_a_flash_sale_gets_only_the_limit():
    # given: a flash sale allowing 2 per shopper, plenty of stock
    from catalog.models import FlashSale, FlashSalePurchase
    from catalog.services import flash_gate, flash_sales
    from catalog.services.flash_sales import FlashSaleLimitReached

    flash_sales.flash_sales_forget()
    flash_gate.gate_reset_process_state()
    sku = stocked_sku(on_hand=100)
    now = timezone.now()
    FlashSale.objects.create(
        sku=sku,
        name="Double 11",
        price="9.90",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        per_shopper_limit=2,
    )
    shopper, address = shopper_with_address()

    def buy():
        return services.order_create(
            actor=actor_for(shopper),
            address_id=address.public_id,
            items=[(sku.pk, 1)],
            payment_method="alipay",
        )

    # when
    outcomes = run_together([buy for _ in range(6)])

    # then
    orders = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, FlashSaleLimitReached)]
    assert (len(orders), len(refused)) == (2, 4), outcomes
    assert FlashSalePurchase.objects.get(user=shopper).quantity == 2
    assert stock_of(sku).allocated == 2
    assert flash_gate.gate_read(sku_id=sku.pk) == 98
    assert stock_ledger_mismatches() == []


def test_forty_shoppers_racing_through_the_flash_gate_for_ten_units_get_ten_orders():
    # given
    from catalog.models import FlashSale
    from catalog.services import flash_gate, flash_sales

    flash_sales.flash_sales_forget()
    flash_gate.gate_reset_process_state()
    sku = stocked_sku(on_hand=10)
    now = timezone.now()
    FlashSale.objects.create(
        sku=sku,
        name="Double 11",
        price="9.90",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        per_shopper_limit=1,
    )
    shoppers = [shopper_with_address() for _ in range(40)]

    def buy(user, address):
        return lambda: services.order_create(
            actor=actor_for(user),
            address_id=address.public_id,
            items=[(sku.pk, 1)],
            payment_method="alipay",
        )

    # when
    outcomes = run_together([buy(user, address) for user, address in shoppers])

    # then
    orders = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, OutOfStock)]
    assert (len(orders), len(refused)) == (10, 30), outcomes
    record = stock_of(sku)
    assert (record.on_hand, record.allocated) == (10, 10)
    assert flash_gate.gate_read(sku_id=sku.pk) == 0
    assert stock_ledger_mismatches() == []
