"""A parcel's history (ShipmentEvent): every change of its state writes exactly one row naming
who made it (merchant staff, operations, or the system for couriers) and from what to what; the
shipments admin shows it."""

import pytest
from django.urls import reverse

from catalog.actors import Role, actor_for
from logistics import services
from logistics.models import Shipment, ShipmentEvent
from orders.models import PaymentMethod
from tests.logistics.factories import (
    CarrierFactory,
    fresh,
    merchant_staff,
    ops_user,
    paid_sub_order,
    push,
)

pytestmark = pytest.mark.django_db

What = ShipmentEvent.What


def history(parcel):
    return list(
        ShipmentEvent.objects.filter(shipment=parcel)
        .order_by("pk")
        .values_list("what", "from_state", "to_state", "actor_role", "actor")
    )


@pytest.fixture
def carrier():
    return CarrierFactory(tracking_pattern=r"TC\d{8}")


def shipped_by_staff(carrier, *, payment_method=PaymentMethod.ALIPAY):
    sub_order = paid_sub_order(payment_method=payment_method)
    staff = merchant_staff(sub_order.merchant)
    (parcel,) = services.shipment_pack(
        sub_order_id=sub_order.pk, actor=actor_for(staff), carrier_code=carrier.code
    )
    services.shipment_ship(
        shipment_id=parcel.pk,
        carrier_code=carrier.code,
        tracking_no="TC00000001",
        actor=actor_for(staff),
    )
    return fresh(parcel), staff


def test_shipping_writes_one_row_naming_the_merchant_staff(carrier):
    # given / when
    parcel, staff = shipped_by_staff(carrier)

    # then: packing is no change of state; handing over is, by that staff member
    assert history(parcel) == [
        (What.SHIP, Shipment.Status.PACKED, Shipment.Status.SHIPPED, Role.MERCHANT, staff.pk)
    ]
    assert ShipmentEvent.objects.get(shipment=parcel).note == f"{carrier.name} TC00000001"


def test_shipping_the_same_parcel_again_writes_nothing(carrier):
    parcel, staff = shipped_by_staff(carrier)

    services.shipment_ship(
        shipment_id=parcel.pk,
        carrier_code=carrier.code,
        tracking_no="TC00000001",
        actor=actor_for(staff),
    )

    assert len(history(parcel)) == 1


def test_the_couriers_moves_are_the_systems_one_row_each(carrier):
    # given
    parcel, _ = shipped_by_staff(carrier)

    # when: in transit, then signed for, then the same push again
    push(carrier.code, parcel.tracking_no, "in_transit")
    push(carrier.code, parcel.tracking_no, "signed")
    push(carrier.code, parcel.tracking_no, "signed")

    # then
    assert history(parcel)[1:] == [
        (What.MOVE, Shipment.Status.SHIPPED, Shipment.Status.IN_TRANSIT, Role.SYSTEM, None),
        (What.DELIVER, Shipment.Status.IN_TRANSIT, Shipment.Status.DELIVERED, Role.SYSTEM, None),
    ]


def test_a_refused_parcel_back_in_the_warehouse_names_who_received_it(carrier):
    # given: refused at the door
    parcel, staff = shipped_by_staff(carrier)
    push(carrier.code, parcel.tracking_no, "refused")

    # when: the merchant's staff receive it back, twice
    services.shipment_return_received(shipment_id=parcel.pk, actor=actor_for(staff))
    services.shipment_return_received(shipment_id=parcel.pk, actor=actor_for(staff))

    # then
    refused = Shipment.Status.REFUSED
    assert history(parcel)[1:] == [
        (What.REFUSE, Shipment.Status.SHIPPED, refused, Role.SYSTEM, None),
        (What.BACK_IN_WAREHOUSE, refused, refused, Role.MERCHANT, staff.pk),
    ]
    assert ShipmentEvent.objects.filter(what=What.REFUSE).get().note == "refused"


def test_a_lost_parcel_settled_by_operations(carrier):
    # given
    parcel, _ = shipped_by_staff(carrier)
    push(carrier.code, parcel.tracking_no, "lost")
    ops = ops_user()

    # when
    services.shipment_lost_settled(shipment_id=parcel.pk, actor=actor_for(ops))
    services.shipment_lost_settled(shipment_id=parcel.pk, actor=actor_for(ops))

    # then
    lost = Shipment.Status.LOST
    assert history(parcel)[1:] == [
        (What.LOSE, Shipment.Status.SHIPPED, lost, Role.SYSTEM, None),
        (What.LOST_SETTLE, lost, lost, Role.OPS, ops.pk),
    ]


def test_an_intercepted_parcel_returned_to_sender(carrier):
    # given
    parcel, staff = shipped_by_staff(carrier)

    # when: intercept asked twice, then the carrier brings it back
    services.shipment_intercept(shipment_id=parcel.pk, actor=actor_for(staff))
    services.shipment_intercept(shipment_id=parcel.pk, actor=actor_for(staff))
    push(carrier.code, parcel.tracking_no, "returned")

    # then
    shipped, returned = Shipment.Status.SHIPPED, Shipment.Status.RETURNED
    assert history(parcel)[1:] == [
        (What.INTERCEPT_REQUEST, shipped, shipped, Role.MERCHANT, staff.pk),
        (What.RETURN_TO_SENDER, shipped, returned, Role.SYSTEM, None),
        (What.BACK_IN_WAREHOUSE, returned, returned, Role.SYSTEM, None),
    ]


def test_cash_collected_by_hand_delivers_the_parcel_as_operations(carrier):
    # given
    parcel, _ = shipped_by_staff(carrier, payment_method=PaymentMethod.COD)
    ops = ops_user()

    # when
    services.shipment_cod_collect(shipment_id=parcel.pk, actor=actor_for(ops))
    services.shipment_cod_collect(shipment_id=parcel.pk, actor=actor_for(ops))

    # then
    assert history(parcel)[1:] == [
        (What.DELIVER, Shipment.Status.SHIPPED, Shipment.Status.DELIVERED, Role.OPS, ops.pk)
    ]


def test_a_return_parcel_of_the_shopper_is_theirs_then_the_couriers(carrier):
    # given: a delivered sub-order
    parcel, _ = shipped_by_staff(carrier)
    push(carrier.code, parcel.tracking_no, "signed")
    sub_order = parcel.sub_order
    shopper = sub_order.order.user

    # when: the shopper sends goods back, and the courier delivers them to the merchant
    back = services.return_shipment_register(
        sub_order_id=sub_order.pk,
        carrier_code=carrier.code,
        tracking_no="TC00000002",
        lines=[(sub_order.lines.get().pk, 1)],
        actor=actor_for(shopper),
    )
    push(carrier.code, back.tracking_no, "signed")

    # then
    assert history(back) == [
        (What.SHIP, Shipment.Status.PACKED, Shipment.Status.SHIPPED, Role.SHOPPER, shopper.pk),
        (What.DELIVER, Shipment.Status.SHIPPED, Shipment.Status.DELIVERED, Role.SYSTEM, None),
    ]


def test_the_shipment_admin_shows_the_parcels_history(client, carrier):
    # given
    parcel, staff = shipped_by_staff(carrier)
    push(carrier.code, parcel.tracking_no, "in_transit")
    client.force_login(staff)

    # when
    response = client.get(reverse("admin:logistics_shipment_change", args=[parcel.pk]))

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "who changed the parcel" in html
    assert str(What.SHIP.label) in html and str(What.MOVE.label) in html
    assert staff.username in html
