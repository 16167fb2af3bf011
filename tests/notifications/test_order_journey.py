"""Real order transitions (orders services) reach the shopper, the merchant and the warehouse."""

import pytest
from django.urls import reverse

from catalog.actors import actor_for
from catalog.models import MerchantStaff
from logistics import services as logistics_services
from notifications.models import InboxMessage, OutboxMessage, PushRule
from tests.accounts.factories import CustomerProfileFactory
from tests.catalog.factories import MerchantFactory, MerchantStaffFactory, WarehouseFactory
from tests.orders.factories import paid_order, stocked_sku

pytestmark = pytest.mark.django_db


def test_paying_and_shipping_an_order_tells_everyone_concerned(
    default_rules, django_capture_on_commit_callbacks
):
    # given a merchant with a manager and a packer for its warehouse, and a shopper
    merchant = MerchantFactory()
    warehouse = WarehouseFactory(merchant=merchant, region="上海")
    manager = MerchantStaffFactory(merchant=merchant).user
    packer = MerchantStaffFactory(merchant=merchant, role=MerchantStaff.Role.WAREHOUSE)
    packer.warehouses.add(warehouse)
    bystander = MerchantStaffFactory(merchant=MerchantFactory()).user
    shopper = CustomerProfileFactory().user
    sku = stocked_sku(merchant=merchant, warehouse=warehouse)

    # when the shopper's order is paid (and split), then shipped
    with django_capture_on_commit_callbacks(execute=True):
        order = paid_order(user=shopper, items=[(sku, 1)])
    sub_order = order.sub_orders.get()
    with django_capture_on_commit_callbacks(execute=True):
        logistics_services.sub_order_ship_next_parcel(
            sub_order_no=sub_order.sub_order_no,
            carrier_code="sandbox",
            tracking_no="SBX0000000700",
            actor=actor_for(manager),
        )

    # then the shopper was told it was paid and shipped, with links to the order
    mine = InboxMessage.objects.filter(user=shopper).order_by("id")
    # one message per parcel: the shipment's (carrier, tracking number), not the sub-order's too
    titles = [m.title for m in mine]
    assert titles[:2] == [f"Order {order.order_no} paid", "Parcel handed to Sandbox Express"]
    assert not [title for title in titles if "on its way" in title]
    assert {m.link for m in mine} == {f"/orders/{order.order_no}/"}
    # and the manager got the new order, the packer the pick list, nobody else anything
    assert list(InboxMessage.objects.filter(user=manager).values_list("title", flat=True)) == [
        f"New paid order {sub_order.sub_order_no}"
    ]
    assert list(InboxMessage.objects.filter(user=packer.user).values_list("title", flat=True)) == [
        f"Pick list: {sub_order.sub_order_no}"
    ]
    assert not InboxMessage.objects.filter(user=bystander).exists()
    # and staff messages open the sub-order in the admin, not the shopper's page
    staff_link = InboxMessage.objects.get(user=manager).link
    assert staff_link == reverse("admin:orders_suborder_change", args=[sub_order.pk])
    # and every push went out, rendered from the data the orders module sends
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert not PushRule.objects.exclude(last_render_error="").exists()
