"""orders.lock_objects: the one place orders, sub-orders and their lines are locked, and the
reach of the scoped lookups (another's row is not found, never forbidden)."""

import pytest
from django.db import transaction

from catalog.actors import SYSTEM, actor_for
from orders.lock_objects import (
    lock_order_for_actor,
    lock_order_line,
    lock_sub_order,
    lock_sub_orders_of,
)
from shop.errors import NotFound
from tests.accounts.factories import UserFactory
from tests.orders.factories import paid_order, stocked_sku

pytestmark = pytest.mark.django_db


def test_the_sub_orders_of_an_order_come_locked_in_pk_order():
    # given: an order of two merchants
    order = paid_order(items=[(stocked_sku(), 1), (stocked_sku(), 1)])

    # when
    with transaction.atomic():
        locked = lock_order_for_actor(order_no=order.order_no, actor=SYSTEM)
        sub_orders = lock_sub_orders_of(locked)

    # then
    assert [s.pk for s in sub_orders] == sorted(order.sub_orders.values_list("pk", flat=True))


def test_an_order_line_is_locked_by_id_and_a_missing_one_is_not_found():
    # given
    line = paid_order(items=[(stocked_sku(), 2)]).lines.get()

    # when / then
    with transaction.atomic():
        assert lock_order_line(line.pk) == line
        with pytest.raises(NotFound):
            lock_order_line(line.pk + 1000)


def test_another_shoppers_sub_order_is_not_found():
    # given
    sub_order = paid_order(items=[(stocked_sku(), 1)]).sub_orders.get()

    # when / then
    with transaction.atomic(), pytest.raises(NotFound):
        lock_sub_order(pk=sub_order.pk, actor=actor_for(UserFactory()))
