"""Who the actor is (shopper, merchant staff, operations) is looked up once per request, not
once per timeline row a transition writes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.actors import Role, actor_for
from orders import services
from orders.models import OrderEvent, PaymentMethod
from tests.orders.factories import place_order, stocked_sku

pytestmark = pytest.mark.django_db


def test_splitting_into_many_sub_orders_looks_the_shopper_up_once():
    # given: an order of three merchants, so paying it writes four timeline rows
    order = place_order(
        items=[(stocked_sku(), 1), (stocked_sku(), 1), (stocked_sku(), 1)],
        payment_method=PaymentMethod.ALIPAY,
    )

    # when
    with CaptureQueriesContext(connection) as ctx:
        services.order_cod_confirm(order_no=order.order_no, actor=actor_for(order.user))

    # then
    events = OrderEvent.objects.filter(order=order, transition__in=["cod_confirmed", "create"])
    assert events.count() == 4
    assert {e.actor_kind for e in events} == {Role.SHOPPER}
    sqls = [q["sql"] for q in ctx.captured_queries]
    group_lookups = [sql for sql in sqls if '"auth_group"' in sql]
    # (notifications reads a merchant's staff by merchant; this is the actor's own row)
    staff_lookups = [sql for sql in sqls if 'WHERE "catalog_merchantstaff"."user_id" = ' in sql]
    assert len(group_lookups) == 1
    assert len(staff_lookups) == 1
