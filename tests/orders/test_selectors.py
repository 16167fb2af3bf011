"""Order reads: a shopper sees only their own orders, lists cost the same number of queries
however many orders and lines there are, and a paid order shows the roll-up of its parcels."""

import pytest

from catalog.actors import SYSTEM, actor_for
from orders import selectors, services
from orders.models import Order
from shop.errors import NotFound
from tests.accounts.factories import UserFactory
from tests.catalog.factories import MerchantFactory
from tests.orders.factories import paid_order, place_order, stocked_sku

pytestmark = pytest.mark.django_db


def _read_list(user, status=None):
    return [
        (order.order_no, len(order.lines.all()), len(order.sub_orders.all()))
        for order in selectors.order_list_for_user(user=user, status=status)
    ]


def test_order_list_shows_only_the_shoppers_orders_newest_first():
    # given
    shopper, other = UserFactory(), UserFactory()
    first = place_order(user=shopper, items=[(stocked_sku(), 1)])
    second = paid_order(user=shopper, items=[(stocked_sku(), 2)])
    place_order(user=other, items=[(stocked_sku(), 1)])

    # when
    rows = _read_list(shopper)

    # then
    assert rows == [(second.order_no, 1, 1), (first.order_no, 1, 0)]


def test_order_list_query_count_does_not_grow_with_orders(django_assert_num_queries):
    # given
    shopper = UserFactory()
    paid_order(user=shopper, items=[(stocked_sku(), 1), (stocked_sku(), 1)])
    with django_assert_num_queries(3):
        _read_list(shopper)
    for _ in range(4):
        paid_order(user=shopper, items=[(stocked_sku(), 1), (stocked_sku(), 2)])

    # when / then: still the orders, their lines and their sub-orders
    with django_assert_num_queries(3):
        rows = _read_list(shopper)
    assert len(rows) == 5


def test_order_list_filters_by_stored_and_rolled_up_status():
    # given
    shopper = UserFactory()
    pending = place_order(user=shopper, items=[(stocked_sku(), 1)])
    paid = paid_order(user=shopper, items=[(stocked_sku(), 1)])
    shipped = paid_order(user=shopper, items=[(stocked_sku(), 1)])
    services.sub_order_ship(sub_order_id=shipped.sub_orders.get().pk, actor=SYSTEM)

    # when / then
    assert [
        o.pk for o in selectors.order_list_for_user(user=shopper, status="pending_payment")
    ] == [pending.pk]
    assert {o.pk for o in selectors.order_list_for_user(user=shopper, status="paid")} == {
        paid.pk,
        shipped.pk,
    }
    assert [o.pk for o in selectors.order_list_for_user(user=shopper, status="shipped")] == [
        shipped.pk
    ]
    assert [
        o.pk for o in selectors.order_list_for_user(user=shopper, status="awaiting_shipment")
    ] == [paid.pk]


def test_order_detail_is_prefetched_and_private(django_assert_max_num_queries):
    # given
    order = paid_order(items=[(stocked_sku(), 1), (stocked_sku(), 3)])
    shopper = order.user

    # when
    with django_assert_max_num_queries(5):
        found = selectors.order_get_for_user(user=shopper, order_no=order.order_no)
        lines = list(found.lines.all())
        subs = list(found.sub_orders.all())
        events = list(found.events.all())
        list(found.price_lines.all())

    # then
    assert len(lines) == 2 and len(subs) == 2
    assert [e.transition for e in events] == ["pay_succeeded", "create", "create"]
    with pytest.raises(NotFound):
        selectors.order_get_for_user(user=UserFactory(), order_no=order.order_no)
    with pytest.raises(NotFound):
        selectors.sub_order_get_for_user(user=UserFactory(), sub_order_no=subs[0].sub_order_no)
    assert (
        selectors.sub_order_get_for_user(user=order.user, sub_order_no=subs[0].sub_order_no).pk
        == subs[0].pk
    )


def _two_parcel_order():
    merchant = MerchantFactory()
    return paid_order(
        items=[
            (stocked_sku(merchant=merchant, region="上海"), 1),
            (stocked_sku(merchant=merchant, region="北京"), 1),
        ]
    )


def _status(order):
    return selectors.order_display_status(Order.objects.get(pk=order.pk))


def _listed_under(order):
    """The statuses whose list filter shows the order."""
    return [
        status
        for status in selectors.ROLLED_UP_STATUSES
        if selectors.order_list_for_user(user=order.user, status=status).filter(pk=order.pk)
    ]


def test_display_status_rolls_up_the_parcels_and_the_list_filter_agrees():
    # given
    order = _two_parcel_order()
    first, second = order.sub_orders.order_by("pk")
    shopper = order.user
    steps = [
        (lambda: None, "awaiting_shipment"),
        (lambda: services.sub_order_ship(sub_order_id=first.pk, actor=SYSTEM), "partially_shipped"),
        (lambda: services.sub_order_ship(sub_order_id=second.pk, actor=SYSTEM), "shipped"),
        (
            lambda: services.sub_order_confirm_receipt(
                sub_order_no=first.sub_order_no, actor=actor_for(shopper)
            ),
            "shipped",
        ),
        (
            lambda: services.sub_order_confirm_receipt(
                sub_order_no=second.sub_order_no, actor=actor_for(shopper)
            ),
            "received",
        ),
        (lambda: services.sub_order_complete(sub_order_id=first.pk, actor=SYSTEM), "received"),
        (lambda: services.sub_order_complete(sub_order_id=second.pk, actor=SYSTEM), "completed"),
    ]

    for step, expected in steps:
        # when
        step()

        # then
        assert _status(order) == expected
        assert _listed_under(order) == [expected]


def test_the_badge_follows_the_parcels_to_delivered():
    # given: two parcels shipped
    order = _two_parcel_order()
    first, second = order.sub_orders.order_by("pk")
    for sub_order in (first, second):
        services.sub_order_ship(sub_order_id=sub_order.pk, actor=SYSTEM)

    # when / then: one delivered is still on its way; both delivered reads "delivered"
    services.sub_order_deliver(sub_order_id=first.pk, actor=SYSTEM)
    assert _status(order) == "shipped" and _listed_under(order) == ["shipped"]
    services.sub_order_deliver(sub_order_id=second.pk, actor=SYSTEM)
    assert _status(order) == "delivered" and _listed_under(order) == ["delivered"]


def test_display_status_of_unpaid_and_closed_orders():
    # given
    pending = place_order(items=[(stocked_sku(), 1)])
    cancelled = place_order(items=[(stocked_sku(), 1)])
    services.order_cancel(order_no=cancelled.order_no, actor=actor_for(cancelled.user))
    closed = _two_parcel_order()
    first, second = closed.sub_orders.order_by("pk")

    # when
    services.sub_order_close_out_of_stock(sub_order_id=first.pk, actor=SYSTEM, reason="Sold out")

    # then
    assert _status(pending) == "pending_payment"
    assert _status(cancelled) == "cancelled"
    assert _status(closed) == "awaiting_shipment"  # the other parcel is still coming
    assert _listed_under(closed) == ["awaiting_shipment"]
    services.sub_order_close_out_of_stock(sub_order_id=second.pk, actor=SYSTEM, reason="Sold out")
    assert _status(closed) == "closed"
    assert _listed_under(closed) == ["closed"]
    assert _listed_under(pending) == []


def test_sub_orders_for_merchant_are_that_merchants_only():
    # given
    merchant = MerchantFactory()
    mine = paid_order(items=[(stocked_sku(merchant=merchant), 1)])
    paid_order(items=[(stocked_sku(), 1)])

    # when
    rows = list(selectors.sub_orders_for_merchant(merchant=merchant))

    # then
    assert [s.order_id for s in rows] == [mine.pk]
