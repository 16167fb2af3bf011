"""Packing a sub-order into parcels within the carrier's weight and volume limits."""

import pytest

from catalog.actors import SYSTEM, actor_for
from logistics import lock_objects, services
from logistics.models import Shipment
from shop.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import CarrierFactory, merchant_staff, paid_sub_order

pytestmark = pytest.mark.django_db


def parcels_of(sub_order):
    return [
        {line.order_line.sku_code: line.quantity for line in shipment.lines.all()}
        for shipment in Shipment.objects.filter(sub_order=sub_order).order_by("pk")
    ]


def test_a_sub_order_is_split_by_weight_into_parcels_with_their_measures():
    # given
    carrier = CarrierFactory(max_weight_grams=10_000, max_volume_cm3=1_000_000)
    sub_order = paid_sub_order(items=[({"weight": 4000, "volume": 100}, 5)])

    # when
    shipments = services.shipment_pack(
        sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=carrier.code
    )

    # then
    assert [s.weight_grams for s in shipments] == [8000, 8000, 4000]
    assert sum(sum(p.values()) for p in parcels_of(sub_order)) == 5
    assert all(s.status == Shipment.Status.PACKED and s.carrier == carrier for s in shipments)


def test_a_sub_order_is_split_by_volume_too():
    carrier = CarrierFactory(max_weight_grams=100_000, max_volume_cm3=30_000)
    sub_order = paid_sub_order(
        items=[({"weight": 100, "volume": 20_000}, 2), ({"weight": 100, "volume": 5_000}, 2)]
    )

    shipments = services.shipment_pack(
        sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=carrier.code
    )

    assert [s.volume_cm3 for s in shipments] == [30_000, 20_000]


def test_packing_again_replaces_the_packed_parcels():
    small = CarrierFactory(max_weight_grams=1000)
    large = CarrierFactory(max_weight_grams=50_000)
    sub_order = paid_sub_order(items=[({"weight": 800}, 3)])
    services.shipment_pack(sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=small.code)
    assert len(parcels_of(sub_order)) == 3

    services.shipment_pack(sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=large.code)

    assert len(parcels_of(sub_order)) == 1


def test_moving_units_by_hand_between_parcels():
    # given: one parcel with 3 units
    carrier = CarrierFactory(max_weight_grams=50_000)
    sub_order = paid_sub_order(items=[({"weight": 1000}, 3)])
    (parcel,) = services.shipment_pack(
        sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=carrier.code
    )
    line_id = parcel.lines.get().order_line_id

    # when: one unit to a new parcel, then it back again
    packed = services.shipment_adjust(
        shipment_id=parcel.pk, order_line_id=line_id, quantity=1, actor=SYSTEM
    )
    assert [s.weight_grams for s in packed] == [2000, 1000]
    packed = services.shipment_adjust(
        shipment_id=packed[1].pk,
        order_line_id=line_id,
        quantity=1,
        to_shipment_id=parcel.pk,
        actor=SYSTEM,
    )

    # then: the emptied parcel is gone
    assert [s.weight_grams for s in packed] == [3000]
    assert len(parcels_of(sub_order)) == 1


def test_moving_more_units_than_a_parcel_holds_is_refused():
    carrier = CarrierFactory()
    sub_order = paid_sub_order(items=[({}, 2)])
    (parcel,) = services.shipment_pack(
        sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=carrier.code
    )

    with pytest.raises(InvalidInput):
        services.shipment_adjust(
            shipment_id=parcel.pk,
            order_line_id=parcel.lines.get().order_line_id,
            quantity=3,
            actor=SYSTEM,
        )


def test_an_unknown_carrier_is_bad_input():
    sub_order = paid_sub_order()

    with pytest.raises(InvalidInput) as error:
        services.shipment_pack(sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code="nope")
    assert error.value.code == "unknown_carrier"


def test_another_merchants_staff_cannot_pack_it():
    sub_order = paid_sub_order()
    stranger = merchant_staff(MerchantFactory())

    with pytest.raises(NotFound):
        services.shipment_pack(sub_order_id=sub_order.pk, actor=actor_for(stranger))


def test_a_sub_order_that_shipped_cannot_be_packed_again():
    sub_order = paid_sub_order()
    services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000001",
        actor=SYSTEM,
    )

    with pytest.raises((TransitionNotAllowed, Conflict)):
        services.shipment_pack(sub_order_id=sub_order.pk, actor=SYSTEM)


@pytest.mark.parametrize("call", ["adjust", "ship"])
def test_a_parcel_removed_before_its_lock_is_not_found_not_a_crash(monkeypatch, call):
    # given: a packed parcel that a re-pack removes between its look-up and the lock
    carrier = CarrierFactory()
    sub_order = paid_sub_order(items=[({}, 2)])
    (parcel,) = services.shipment_pack(
        sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=carrier.code
    )
    line_id = parcel.lines.get().order_line_id
    monkeypatch.setattr(lock_objects, "lock_shipments", lambda sub_order: [])

    # when / then
    with pytest.raises(NotFound):
        if call == "adjust":
            services.shipment_adjust(
                shipment_id=parcel.pk, order_line_id=line_id, quantity=1, actor=SYSTEM
            )
        else:
            services.shipment_ship(
                shipment_id=parcel.pk,
                carrier_code=carrier.code,
                tracking_no="TC12345678",
                actor=SYSTEM,
            )
