"""One refused parcel of several: the refusal stays with that parcel while another reached the
shopper or is still coming; the sub-order closes only when nothing of it arrived."""

from decimal import Decimal

import pytest

from catalog.actors import SYSTEM, actor_for
from logistics import services
from logistics.models import Shipment
from orders import services as order_services
from orders.models import OrderEvent, PaymentMethod, SubOrder
from payments.models import CodCollection, Payment
from tests.logistics.factories import (
    CarrierFactory,
    fresh,
    paid_sub_order,
    push,
    ship_in_parcels,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_carrier():
    return CarrierFactory(max_weight_grams=1000, tracking_pattern=r"TC\d{8}")


@pytest.mark.parametrize("signed_first", [True, False])
def test_a_refused_parcel_does_not_close_a_sub_order_whose_other_parcel_arrived(
    small_carrier, signed_first
):
    # given: two parcels on their way
    sub_order = paid_sub_order(items=[({}, 3)])
    first, second = ship_in_parcels(sub_order, small_carrier)

    # when: one is signed for and the other refused, in either order
    steps = [(first, "signed"), (second, "refused")]
    for parcel, status in steps if signed_first else reversed(steps):
        push(small_carrier.code, parcel.tracking_no, status)

    # then: the sub-order is delivered, so the shopper can confirm receipt and review
    delivered = fresh(sub_order)
    assert delivered.status == SubOrder.Status.DELIVERED
    assert not OrderEvent.objects.filter(sub_order=sub_order, transition="refuse").exists()
    assert fresh(second).status == Shipment.Status.REFUSED
    order_services.sub_order_confirm_receipt(
        sub_order_no=sub_order.sub_order_no, actor=actor_for(sub_order.order.user)
    )
    assert fresh(sub_order).status == SubOrder.Status.RECEIVED


def test_a_refusal_while_another_parcel_is_on_its_way_leaves_the_sub_order_shipped(
    small_carrier,
):
    sub_order = paid_sub_order(items=[({}, 3)])
    first, second = ship_in_parcels(sub_order, small_carrier)

    push(small_carrier.code, second.tracking_no, "refused")

    assert fresh(sub_order).status == SubOrder.Status.SHIPPED
    assert fresh(first).status == Shipment.Status.SHIPPED


def test_every_parcel_refused_closes_the_sub_order_through_the_refusal_path(small_carrier):
    sub_order = paid_sub_order(items=[({}, 3)])
    first, second = ship_in_parcels(sub_order, small_carrier)

    push(small_carrier.code, first.tracking_no, "refused")
    assert fresh(sub_order).status == SubOrder.Status.SHIPPED
    push(small_carrier.code, second.tracking_no, "refused")

    closed = fresh(sub_order)
    assert closed.status == SubOrder.Status.CLOSED
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="refuse").count() == 1


def test_cash_on_delivery_is_recorded_for_the_delivered_parcel_not_the_refused_one(
    small_carrier,
):
    # given: cash on delivery, 3 x 100.00 in two parcels
    sub_order = paid_sub_order(items=[({}, 3)], payment_method=PaymentMethod.COD)
    first, second = ship_in_parcels(sub_order, small_carrier)
    delivered_units = first.lines.get().quantity

    # when
    push(small_carrier.code, second.tracking_no, "refused")
    push(small_carrier.code, first.tracking_no, "signed")

    # then: the cash of what the shopper took, and the payment is complete at that
    collection = CodCollection.objects.get(sub_order=sub_order)
    assert collection.amount == Decimal("100.00") * delivered_units
    assert collection.payment.status == Payment.Status.SUCCEEDED
    assert fresh(first).cod_collected_at is not None
    assert fresh(second).cod_collected_at is None


def test_the_refused_parcel_of_a_delivered_sub_order_comes_back_to_stock(small_carrier):
    from catalog.models import StockRecord

    sub_order = paid_sub_order(items=[({}, 3)], on_hand=10)
    first, second = ship_in_parcels(sub_order, small_carrier)
    push(small_carrier.code, first.tracking_no, "signed")
    push(small_carrier.code, second.tracking_no, "refused")

    services.shipment_return_received(shipment_id=second.pk, actor=SYSTEM)

    stock = StockRecord.objects.get(sku_id=sub_order.lines.get().sku_id)
    assert stock.on_hand == 10 - 3 + second.lines.get().quantity


def test_the_admin_action_takes_a_refused_parcel_back_and_reports_the_others(client, small_carrier):
    from django.urls import reverse

    from tests.logistics.factories import ops_user

    # given: one refused parcel, one delivered
    sub_order = paid_sub_order(items=[({}, 3)], on_hand=10)
    first, second = ship_in_parcels(sub_order, small_carrier)
    push(small_carrier.code, first.tracking_no, "signed")
    push(small_carrier.code, second.tracking_no, "refused")
    client.force_login(ops_user(is_superuser=True))

    # when: the action on both
    response = client.post(
        reverse("admin:logistics_shipment_changelist"),
        {"action": "return_received", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    # then: the refused one is back, the delivered one is reported by its number
    page = response.content.decode()
    assert "1 parcel back in stock." in page
    assert f"{first.shipment_no}: Only a refused parcel can come back" in page
    assert fresh(second).returned_at is not None
