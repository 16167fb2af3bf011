"""Who acts in orders: every service that records a transition takes a catalog.actors.Actor,
and the timeline row keeps its user and the role it acted in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.actors import SYSTEM, Actor, Role, actor_for
from orders import services
from orders.models import OrderEvent
from shop.errors import NotFound
from tests.catalog.factories_admin import ops_user
from tests.orders.factories import place_order, stocked_sku
from tests.orders.factories_web import sellable_sku, shopper_with_address

pytestmark = pytest.mark.django_db


def test_the_timeline_keeps_the_roles_of_the_catalogue_actors():
    # given / when / then: the stored values are the roles', so no migration and no mapping
    assert OrderEvent._meta.get_field("actor_kind").choices == list(Role.choices)


def test_operations_cancelling_an_order_is_recorded_as_operations():
    # given: an unpaid order, and a member of platform operations
    order = place_order(items=[(stocked_sku(), 1)])
    ops = ops_user()

    # when
    services.order_cancel(order_no=order.order_no, actor=actor_for(ops), reason="Fraud check")

    # then: the row names the user and the role they acted in
    event = OrderEvent.objects.get(order=order, transition="cancel")
    assert (event.actor, event.actor_kind, event.note) == (ops, Role.OPS, "Fraud check")


def test_the_system_records_no_user():
    # given
    order = place_order(items=[(stocked_sku(), 1)])

    # when
    services.order_pay_succeeded(order_id=order.pk, paid_at=order.created_at, actor=SYSTEM)

    # then
    event = OrderEvent.objects.get(order=order, transition="pay_succeeded")
    assert (event.actor, event.actor_kind) == (None, Role.SYSTEM)


def test_the_system_places_no_order():
    # given
    user, address = shopper_with_address()
    sku = sellable_sku()

    # when / then: an order is always some shopper's
    with pytest.raises(ValueError):
        services.order_create(
            actor=SYSTEM, address_id=address.public_id, items=[(sku.pk, 1)], payment_method="alipay"
        )


def test_placing_an_order_through_the_api_looks_up_no_roles(api_client):
    # given: whoever places an order buys as its shopper (the checkout hot path)
    user, address = shopper_with_address()
    sku = sellable_sku()
    api_client.force_authenticate(user)
    body = {
        "address_id": str(address.public_id),
        "items": [{"sku_id": sku.pk, "quantity": 1}],
        "payment_method": "alipay",
    }

    # when
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.post("/api/orders/", body, format="json")

    # then: no group or merchant-staff lookup, and the row says shopper
    assert response.status_code == 201, response.content
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert not [sql for sql in sqls if '"auth_group"' in sql]
    assert not [sql for sql in sqls if '"catalog_merchantstaff"' in sql]
    event = OrderEvent.objects.get(order__order_no=response.json()["order_no"])
    assert (event.actor, event.actor_kind) == (user, Role.SHOPPER)


def test_a_shopper_actor_reaches_only_their_own_orders():
    # given: an order, and another shopper acting as a shopper
    order = place_order(items=[(stocked_sku(), 1)])
    stranger, _address = shopper_with_address()

    # when / then: not found, never forbidden
    with pytest.raises(NotFound):
        services.order_cancel(
            order_no=order.order_no, actor=Actor(role=Role.SHOPPER, user=stranger)
        )
