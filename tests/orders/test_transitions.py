"""Every transition of DESIGN.md "Order lifecycle": what it changes, the one timeline row and
the one domain event it leaves, idempotent repeats, and 409 from any other state."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from catalog.actors import SYSTEM, Role, actor_for
from catalog.models import Product
from catalog.selectors import stock_ledger_mismatches
from orders import services
from orders.models import Order, OrderEvent, PaymentMethod, SubOrder
from shop import events as nodes
from shop.accounts.models import CustomerProfile
from shop.errors import Conflict, NotFound, TransitionNotAllowed
from tests.accounts.factories import UserFactory
from tests.catalog.factories import MerchantFactory, MerchantStaffFactory, WarehouseFactory
from tests.orders.factories import (
    add_stock,
    capture_domain_events,
    paid_order,
    place_order,
    received_sub_order,
    shipped_sub_order,
    stock_of,
    stocked_sku,
)

pytestmark = pytest.mark.django_db


def _events(order):
    return list(OrderEvent.objects.filter(order=order).order_by("pk"))


# --- the parent order --------------------------------------------------------------------------


def test_cancel_releases_stock_and_leaves_one_event():
    # given
    sku = stocked_sku(on_hand=10)
    order = place_order(items=[(sku, 3)])
    assert stock_of(sku).allocated == 3

    # when
    with capture_domain_events() as recorded:
        order = services.order_cancel(
            order_no=order.order_no, actor=actor_for(order.user), reason="Changed mind"
        )

    # then
    assert order.status == Order.Status.CANCELLED
    assert order.close_reason == "Changed mind"
    record = stock_of(sku)
    assert (record.on_hand, record.allocated) == (10, 0)
    assert stock_ledger_mismatches() == []
    [event] = _events(order)
    assert (event.transition, event.from_state, event.to_state) == (
        "cancel",
        "pending_payment",
        "cancelled",
    )
    assert event.actor_kind == Role.SHOPPER
    [domain] = recorded.events
    assert domain.node == nodes.ORDER_CANCELLED
    assert domain.shopper_id == order.user_id
    assert domain.data["order_no"] == order.order_no
    assert domain.data["amount"] == str(order.payable_amount)
    assert domain.data["path"] == f"/orders/{order.order_no}/"


def test_cancel_twice_is_a_no_op():
    # given
    sku = stocked_sku(on_hand=10)
    order = place_order(items=[(sku, 3)])
    services.order_cancel(order_no=order.order_no, actor=actor_for(order.user))

    # when
    with capture_domain_events() as recorded:
        again = services.order_cancel(order_no=order.order_no, actor=actor_for(order.user))

    # then
    assert again.status == Order.Status.CANCELLED
    assert recorded.events == []
    assert len(_events(order)) == 1
    assert stock_of(sku).allocated == 0


def test_cancel_of_a_paid_order_is_refused():
    # given
    sku = stocked_sku()
    order = paid_order(items=[(sku, 1)])

    # when / then
    with pytest.raises(TransitionNotAllowed):
        services.order_cancel(order_no=order.order_no, actor=actor_for(order.user))
    order = Order.objects.get(pk=order.pk)
    assert order.status == Order.Status.PAID


def test_another_shoppers_order_is_not_found():
    # given
    sku = stocked_sku()
    order = place_order(items=[(sku, 1)])
    stranger = UserFactory()

    # when / then
    with pytest.raises(NotFound):
        services.order_cancel(order_no=order.order_no, actor=actor_for(stranger))
    with pytest.raises(NotFound):
        services.order_cod_confirm(order_no=order.order_no, actor=actor_for(stranger))
    order = Order.objects.get(pk=order.pk)
    assert order.status == Order.Status.PENDING_PAYMENT


def test_expire_before_the_deadline_does_nothing():
    # given
    sku = stocked_sku(on_hand=5)
    order = place_order(items=[(sku, 2)])

    # when
    with capture_domain_events() as recorded:
        order = services.order_expire(order_id=order.pk, actor=SYSTEM)

    # then
    assert order.status == Order.Status.PENDING_PAYMENT
    assert recorded.events == []
    assert stock_of(sku).allocated == 2


def test_expire_after_the_deadline_cancels_and_releases_stock():
    # given
    sku = stocked_sku(on_hand=5)
    order = place_order(items=[(sku, 2)])

    # when
    with (
        time_machine.travel(order.payment_due_at + timedelta(seconds=1)),
        capture_domain_events() as recorded,
    ):
        order = services.order_expire(order_id=order.pk, actor=SYSTEM)

    # then
    assert order.status == Order.Status.CANCELLED
    assert order.close_reason == "Not paid in time"
    assert stock_of(sku).allocated == 0
    assert recorded.nodes == [nodes.ORDER_EXPIRED]
    [event] = _events(order)
    assert event.actor_kind == Role.SYSTEM
    assert stock_ledger_mismatches() == []


def test_pay_failed_releases_stock_once():
    # given
    sku = stocked_sku(on_hand=5)
    order = place_order(items=[(sku, 2)])

    # when
    with capture_domain_events() as recorded:
        order = services.order_pay_failed(order_id=order.pk, reason="Card declined", actor=SYSTEM)
        again = services.order_pay_failed(order_id=order.pk, reason="Card declined", actor=SYSTEM)

    # then
    assert again.status == Order.Status.PAYMENT_FAILED
    assert recorded.nodes == [nodes.ORDER_PAYMENT_FAILED]
    assert len(_events(order)) == 1
    assert stock_of(sku).allocated == 0
    assert stock_ledger_mismatches() == []


def test_pay_failed_after_cancel_is_refused():
    # given
    sku = stocked_sku()
    order = place_order(items=[(sku, 1)])
    services.order_cancel(order_no=order.order_no, actor=actor_for(order.user))

    # when / then
    with pytest.raises(TransitionNotAllowed):
        services.order_pay_failed(order_id=order.pk, reason="late", actor=SYSTEM)


def test_payment_splits_the_order_per_merchant_and_warehouse():
    # given: merchant A ships from two warehouses, merchant B from one
    merchant_a, merchant_b = MerchantFactory(), MerchantFactory()
    wh_a1 = WarehouseFactory(merchant=merchant_a, region="上海")
    wh_a2 = WarehouseFactory(merchant=merchant_a, region="北京")
    a1 = stocked_sku(merchant=merchant_a, warehouse=wh_a1, on_hand=5, price="10.00")
    a2 = stocked_sku(merchant=merchant_a, warehouse=wh_a2, on_hand=5, price="20.00")
    b1 = stocked_sku(merchant=merchant_b, on_hand=5, price="33.33")
    order = place_order(
        items=[(a1, 2), (a2, 1), (b1, 3)],
        shipping_fee=Decimal("12.00"),
        discount=Decimal("7.77"),
    )
    profile = CustomerProfile.objects.create(user=order.user)
    paid_at = timezone.now()

    # when
    with capture_domain_events() as recorded:
        order = services.order_pay_succeeded(order_id=order.pk, paid_at=paid_at, actor=SYSTEM)

    # then
    assert order.status == Order.Status.PAID
    assert order.paid_at == paid_at
    sub_orders = list(order.sub_orders.order_by("pk"))
    assert {(s.merchant_id, s.warehouse_id) for s in sub_orders} == {
        (merchant_a.pk, wh_a1.pk),
        (merchant_a.pk, wh_a2.pk),
        (merchant_b.pk, b1.stock_records.get().warehouse_id),
    }
    assert sum(s.payable_amount for s in sub_orders) == order.payable_amount
    assert sum(s.goods_amount for s in sub_orders) == order.goods_amount
    assert sum(s.shipping_fee for s in sub_orders) == order.shipping_fee
    for sub_order in sub_orders:
        assert sub_order.status == SubOrder.Status.AWAITING_SHIPMENT
        assert sub_order.sub_order_no.startswith("S")
        lines = list(sub_order.lines.all())
        assert lines
        assert all(line.warehouse_id == sub_order.warehouse_id for line in lines)
        assert sum(line.paid_amount for line in lines) == sub_order.payable_amount
    assert order.lines.filter(sub_order__isnull=True).count() == 0
    assert recorded.nodes == [nodes.ORDER_PAID] + [nodes.SUBORDER_CREATED] * 3
    created = [e for e in recorded.events if e.node == nodes.SUBORDER_CREATED]
    assert {(e.merchant_id, e.warehouse_id) for e in created} == {
        (s.merchant_id, s.warehouse_id) for s in sub_orders
    }
    assert all(e.data["sub_order_no"] for e in created)
    assert len(_events(order)) == 4
    assert Product.objects.get(pk=b1.product_id).sales_count == 3
    profile.refresh_from_db()
    assert profile.is_new_customer is False


def test_payment_twice_splits_once():
    # given
    sku = stocked_sku()
    order = paid_order(items=[(sku, 1)])

    # when
    with capture_domain_events() as recorded:
        again = services.order_pay_succeeded(
            order_id=order.pk, paid_at=timezone.now(), actor=SYSTEM
        )

    # then
    assert again.status == Order.Status.PAID
    assert recorded.events == []
    assert order.sub_orders.count() == 1
    assert Product.objects.get(pk=sku.product_id).sales_count == 1


def test_payment_after_expiry_is_refused():
    # given
    sku = stocked_sku()
    order = place_order(items=[(sku, 1)])
    with time_machine.travel(order.payment_due_at + timedelta(minutes=1)):
        services.order_expire(order_id=order.pk, actor=SYSTEM)

    # when / then
    with pytest.raises(TransitionNotAllowed):
        services.order_pay_succeeded(order_id=order.pk, paid_at=timezone.now(), actor=SYSTEM)
    assert order.sub_orders.count() == 0


def test_cash_on_delivery_confirms_and_splits():
    # given
    sku = stocked_sku()
    order = place_order(items=[(sku, 2)], payment_method=PaymentMethod.ALIPAY)

    # when
    with capture_domain_events() as recorded:
        order = services.order_cod_confirm(order_no=order.order_no, actor=actor_for(order.user))
        services.order_cod_confirm(order_no=order.order_no, actor=actor_for(order.user))

    # then
    assert order.status == Order.Status.PAID
    assert order.payment_method == PaymentMethod.COD
    assert order.paid_at is None
    assert recorded.nodes == [nodes.ORDER_PAID, nodes.SUBORDER_CREATED]
    assert order.sub_orders.count() == 1


# --- sub-orders --------------------------------------------------------------------------------


def test_ship_consumes_the_reserved_stock_and_starts_the_confirm_clock():
    # given
    sku = stocked_sku(on_hand=10)
    order = paid_order(items=[(sku, 3)])
    sub_order = order.sub_orders.get()
    staff = MerchantStaffFactory(merchant=sub_order.merchant).user

    # when
    with capture_domain_events() as recorded:
        sub_order = services.sub_order_ship(
            sub_order_id=sub_order.pk, actor=actor_for(staff), note="SF123"
        )
        services.sub_order_ship(sub_order_id=sub_order.pk, actor=actor_for(staff))

    # then
    record = stock_of(sku)
    assert (record.on_hand, record.allocated) == (7, 0)
    assert stock_ledger_mismatches() == []
    assert sub_order.status == SubOrder.Status.SHIPPED
    assert sub_order.auto_confirm_at == sub_order.shipped_at + timedelta(days=10)
    [event] = recorded.events
    assert event.node == nodes.SUBORDER_SHIPPED
    assert (event.merchant_id, event.warehouse_id) == (
        sub_order.merchant_id,
        sub_order.warehouse_id,
    )
    assert event.data["sub_order_no"] == sub_order.sub_order_no
    timeline = OrderEvent.objects.get(sub_order=sub_order, transition="ship")
    assert timeline.actor_kind == Role.MERCHANT
    assert timeline.note == "SF123"


def test_another_merchants_staff_cannot_ship():
    # given
    sku = stocked_sku()
    sub_order = paid_order(items=[(sku, 1)]).sub_orders.get()
    other_staff = MerchantStaffFactory().user

    # when / then
    with pytest.raises(NotFound):
        services.sub_order_ship(sub_order_id=sub_order.pk, actor=actor_for(other_staff))


def test_deliver_then_confirm_starts_the_aftersales_window():
    # given
    sub_order = shipped_sub_order(items=[(stocked_sku(), 1)])
    shopper = sub_order.order.user

    # when
    with capture_domain_events() as recorded:
        services.sub_order_deliver(sub_order_id=sub_order.pk, actor=SYSTEM)
        services.sub_order_deliver(sub_order_id=sub_order.pk, actor=SYSTEM)
        sub_order = services.sub_order_confirm_receipt(
            sub_order_no=sub_order.sub_order_no, actor=actor_for(shopper)
        )
        services.sub_order_confirm_receipt(
            sub_order_no=sub_order.sub_order_no, actor=actor_for(shopper)
        )

    # then
    assert sub_order.status == SubOrder.Status.RECEIVED
    assert sub_order.auto_complete_at == sub_order.received_at + timedelta(days=7)
    assert recorded.nodes == [nodes.SUBORDER_DELIVERED, nodes.SUBORDER_RECEIVED]
    assert [e.transition for e in OrderEvent.objects.filter(sub_order=sub_order)] == [
        "create",
        "ship",
        "deliver",
        "confirm",
    ]


def test_a_stranger_cannot_confirm_receipt():
    # given
    sub_order = shipped_sub_order(items=[(stocked_sku(), 1)])

    # when / then
    with pytest.raises(NotFound):
        services.sub_order_confirm_receipt(
            sub_order_no=sub_order.sub_order_no, actor=actor_for(UserFactory())
        )


def test_order_confirm_receipt_confirms_every_parcel_on_its_way():
    # given: two warehouses, both shipped
    merchant = MerchantFactory()
    sku_1 = stocked_sku(merchant=merchant, region="上海")
    sku_2 = stocked_sku(merchant=merchant, region="北京")
    order = paid_order(items=[(sku_1, 1), (sku_2, 1)])
    for sub_order in order.sub_orders.all():
        services.sub_order_ship(sub_order_id=sub_order.pk, actor=SYSTEM)

    # when
    with capture_domain_events() as recorded:
        services.order_confirm_receipt(order_no=order.order_no, actor=actor_for(order.user))
        services.order_confirm_receipt(order_no=order.order_no, actor=actor_for(order.user))

    # then
    assert set(order.sub_orders.values_list("status", flat=True)) == {SubOrder.Status.RECEIVED}
    assert recorded.nodes == [nodes.SUBORDER_RECEIVED] * 2


def test_order_confirm_receipt_before_shipping_is_refused():
    order = paid_order(items=[(stocked_sku(), 1)])
    with pytest.raises(TransitionNotAllowed):
        services.order_confirm_receipt(order_no=order.order_no, actor=actor_for(order.user))


def test_refuse_closes_a_shipped_sub_order():
    # given
    sub_order = shipped_sub_order(items=[(stocked_sku(on_hand=4), 1)])

    # when
    with capture_domain_events() as recorded:
        sub_order = services.sub_order_refuse(
            sub_order_id=sub_order.pk, actor=actor_for(sub_order.order.user), reason="Damaged box"
        )

    # then
    assert sub_order.status == SubOrder.Status.CLOSED
    assert sub_order.close_reason == "Damaged box"
    assert recorded.nodes == [nodes.SUBORDER_REFUSED]


def test_complete_waits_while_a_case_is_open():
    # given
    sub_order = received_sub_order(items=[(stocked_sku(), 1)])
    services.sub_order_set_aftersales_open(sub_order_id=sub_order.pk, is_open=True)

    # when
    with capture_domain_events() as recorded:
        waiting = services.sub_order_complete(sub_order_id=sub_order.pk, actor=SYSTEM)
        services.sub_order_set_aftersales_open(sub_order_id=sub_order.pk, is_open=False)
        done = services.sub_order_complete(sub_order_id=sub_order.pk, actor=SYSTEM)
        services.sub_order_complete(sub_order_id=sub_order.pk, actor=SYSTEM)

    # then
    assert waiting.status == SubOrder.Status.RECEIVED
    assert done.status == SubOrder.Status.COMPLETED
    assert recorded.nodes == [nodes.SUBORDER_COMPLETED]


@pytest.mark.parametrize(
    ("close", "node"),
    [
        (services.sub_order_close_out_of_stock, nodes.SUBORDER_OUT_OF_STOCK),
        (services.sub_order_close_refunded, nodes.SUBORDER_CLOSED),
    ],
)
def test_closing_before_shipment_releases_stock(close, node):
    # given
    sku = stocked_sku(on_hand=6)
    sub_order = paid_order(items=[(sku, 4)]).sub_orders.get()

    # when
    with capture_domain_events() as recorded:
        sub_order = close(sub_order_id=sub_order.pk, actor=SYSTEM, reason="Sold out")
        close(sub_order_id=sub_order.pk, actor=SYSTEM, reason="Sold out")

    # then
    assert sub_order.status == SubOrder.Status.CLOSED
    record = stock_of(sku)
    assert (record.on_hand, record.allocated) == (6, 0)
    assert stock_ledger_mismatches() == []
    assert recorded.nodes == [node]


def test_refund_all_closes_a_received_sub_order():
    sub_order = received_sub_order(items=[(stocked_sku(), 1)])
    with capture_domain_events() as recorded:
        sub_order = services.sub_order_refund_all(
            sub_order_id=sub_order.pk, actor=SYSTEM, reason="All lines refunded"
        )
    assert sub_order.status == SubOrder.Status.CLOSED
    assert recorded.nodes == [nodes.SUBORDER_CLOSED]


# --- transitions that are not allowed ----------------------------------------------------------


def _awaiting():
    return paid_order(items=[(stocked_sku(), 1)]).sub_orders.get()


def _shipped():
    return shipped_sub_order(items=[(stocked_sku(), 1)])


def _received():
    return received_sub_order(items=[(stocked_sku(), 1)])


def _closed():
    sub_order = _awaiting()
    return services.sub_order_close_out_of_stock(
        sub_order_id=sub_order.pk, actor=SYSTEM, reason="x"
    )


def _completed():
    sub_order = _received()
    return services.sub_order_complete(sub_order_id=sub_order.pk, actor=SYSTEM)


NOT_ALLOWED = [
    ("awaiting", "deliver"),
    ("awaiting", "confirm"),
    ("awaiting", "refuse"),
    ("awaiting", "complete"),
    ("awaiting", "refund_all"),
    ("shipped", "out_of_stock"),
    ("shipped", "close_refunded"),
    ("shipped", "complete"),
    ("shipped", "refund_all"),
    ("received", "ship"),
    ("received", "deliver"),
    ("received", "refuse"),
    ("received", "out_of_stock"),
    ("closed", "ship"),
    ("closed", "deliver"),
    ("closed", "confirm"),
    ("closed", "complete"),
    ("completed", "ship"),
    ("completed", "confirm"),
    ("completed", "refund_all"),
]

STATES = {
    "awaiting": _awaiting,
    "shipped": _shipped,
    "received": _received,
    "closed": _closed,
    "completed": _completed,
}

ACTIONS = {
    "ship": lambda s: services.sub_order_ship(sub_order_id=s.pk, actor=SYSTEM),
    "deliver": lambda s: services.sub_order_deliver(sub_order_id=s.pk, actor=SYSTEM),
    "confirm": lambda s: services.sub_order_confirm_receipt(
        sub_order_no=s.sub_order_no, actor=SYSTEM
    ),
    "refuse": lambda s: services.sub_order_refuse(sub_order_id=s.pk, actor=SYSTEM, reason="x"),
    "complete": lambda s: services.sub_order_complete(sub_order_id=s.pk, actor=SYSTEM),
    "refund_all": lambda s: services.sub_order_refund_all(
        sub_order_id=s.pk, actor=SYSTEM, reason="x"
    ),
    "out_of_stock": lambda s: services.sub_order_close_out_of_stock(
        sub_order_id=s.pk, actor=SYSTEM, reason="x"
    ),
    "close_refunded": lambda s: services.sub_order_close_refunded(
        sub_order_id=s.pk, actor=SYSTEM, reason="x"
    ),
}


@pytest.mark.parametrize(("state", "action"), NOT_ALLOWED)
def test_transition_not_allowed_changes_nothing(state, action):
    # given
    sub_order = STATES[state]()
    status = sub_order.status
    timeline = OrderEvent.objects.count()

    # when / then
    with capture_domain_events() as recorded, pytest.raises(TransitionNotAllowed) as error:
        ACTIONS[action](sub_order)
    assert error.value.status_code == 409
    sub_order = SubOrder.objects.get(pk=sub_order.pk)
    assert sub_order.status == status
    assert OrderEvent.objects.count() == timeline
    assert recorded.events == []


@pytest.mark.parametrize(
    "call",
    [
        lambda o: services.order_cancel(order_no=o.order_no, actor=actor_for(o.user)),
        lambda o: services.order_cod_confirm(order_no=o.order_no, actor=actor_for(o.user)),
        lambda o: services.order_pay_succeeded(order_id=o.pk, paid_at=timezone.now(), actor=SYSTEM),
    ],
    ids=["cancel", "cod_confirm", "pay_succeeded"],
)
def test_order_transitions_after_payment_failure_are_refused(call):
    # given
    order = place_order(items=[(stocked_sku(), 1)])
    services.order_pay_failed(order_id=order.pk, reason="declined", actor=SYSTEM)

    # when / then
    with capture_domain_events() as recorded, pytest.raises(TransitionNotAllowed):
        call(order)
    order = Order.objects.get(pk=order.pk)
    assert order.status == Order.Status.PAYMENT_FAILED
    assert recorded.events == []


# --- refunds per line --------------------------------------------------------------------------


def test_line_refunds_never_exceed_what_was_paid():
    # given
    order = paid_order(items=[(stocked_sku(price="50.00"), 2)])
    line = order.lines.get()

    # when
    services.order_line_record_refund(line_id=line.pk, amount=Decimal("60.00"), quantity=1)
    with pytest.raises(Conflict):
        services.order_line_record_refund(line_id=line.pk, amount=Decimal("40.01"), quantity=1)
    with pytest.raises(Conflict):
        services.order_line_record_refund(line_id=line.pk, amount=Decimal("1.00"), quantity=2)
    line = services.order_line_record_refund(line_id=line.pk, amount=Decimal("40.00"), quantity=1)

    # then
    assert line.refunded_amount == line.paid_amount == Decimal("100.00")
    assert line.refunded_quantity == 2


def test_partially_split_stock_lines_ship_from_each_warehouse():
    # given: 3 units wanted, 2 in one warehouse and 2 in another
    merchant = MerchantFactory()
    wh_1 = WarehouseFactory(merchant=merchant, region="广东")
    wh_2 = WarehouseFactory(merchant=merchant, region="浙江")
    sku = stocked_sku(merchant=merchant, warehouse=wh_1, on_hand=2)
    add_stock(sku=sku, warehouse=wh_2, on_hand=2)

    # when
    order = paid_order(items=[(sku, 3)], province="上海")
    for sub_order in order.sub_orders.all():
        services.sub_order_ship(sub_order_id=sub_order.pk, actor=SYSTEM)

    # then
    assert order.sub_orders.count() == 2
    assert stock_of(sku, wh_1).on_hand + stock_of(sku, wh_2).on_hand == 1
    assert stock_of(sku, wh_1).allocated == stock_of(sku, wh_2).allocated == 0
    assert stock_ledger_mismatches() == []
