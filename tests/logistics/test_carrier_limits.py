"""A parcel over the chosen carrier's weight or volume limit is refused when it ships, and a
hand adjustment cannot overfill a parcel."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from catalog.actors import SYSTEM
from logistics import services
from logistics.models import Shipment, ShipmentLine
from orders.models import SubOrder
from shop.errors import Conflict
from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import CarrierFactory, fresh, merchant_staff, paid_sub_order

pytestmark = pytest.mark.django_db


def packed_for_zto(merchant=None):
    """30 kg in one parcel: ZTO takes 40 kg, the sandbox courier 20 kg."""
    sub_order = paid_sub_order(merchant=merchant, items=[({"weight": 10_000}, 3)])
    (parcel,) = services.shipment_pack(sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code="ZTO")
    assert parcel.weight_grams == 30_000
    return sub_order, parcel


def test_a_parcel_packed_for_a_bigger_carrier_is_refused_by_a_smaller_one():
    # given
    sub_order, parcel = packed_for_zto()

    # when: shipped with the sandbox courier (20 kg)
    with pytest.raises(Conflict) as refused:
        services.shipment_ship(
            shipment_id=parcel.pk, carrier_code="sandbox", tracking_no="SBX0000000700", actor=SYSTEM
        )

    # then: a clear reason, nothing shipped
    assert refused.value.code == "over_carrier_limit"
    assert "30 kg" in refused.value.detail and "20 kg" in refused.value.detail
    assert fresh(parcel).status == Shipment.Status.PACKED
    assert fresh(sub_order).status == SubOrder.Status.AWAITING_SHIPMENT

    # when: shipped with the carrier it was packed for
    services.shipment_ship(
        shipment_id=parcel.pk, carrier_code="ZTO", tracking_no="75123456789012", actor=SYSTEM
    )

    # then
    assert fresh(sub_order).status == SubOrder.Status.SHIPPED


def test_a_parcel_over_the_volume_limit_is_refused():
    carrier = CarrierFactory(max_weight_grams=100_000, max_volume_cm3=1_000)
    sub_order = paid_sub_order(items=[({"volume": 800}, 2)])
    (parcel,) = services.shipment_pack(sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code="SF")

    with pytest.raises(Conflict) as refused:
        services.shipment_ship(
            shipment_id=parcel.pk, carrier_code=carrier.code, tracking_no="TC00000070", actor=SYSTEM
        )

    assert "1,600 cm³" in refused.value.detail


def test_the_ship_api_answers_409_for_a_parcel_too_big_for_the_carrier(api_client):
    merchant = MerchantFactory()
    _, parcel = packed_for_zto(merchant=merchant)
    token, _ = Token.objects.get_or_create(user=merchant_staff(merchant))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api_client.post(
        "/api/merchant/shipments/ship/",
        {"shipment_no": parcel.shipment_no, "carrier": "sandbox", "tracking_no": "SBX0000000701"},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "over_carrier_limit"


def test_moving_units_by_hand_cannot_overfill_a_parcel():
    # given: two parcels of 800 g for a 1 kg carrier
    carrier = CarrierFactory(max_weight_grams=1000, tracking_pattern=r"TC\d{8}")
    sub_order = paid_sub_order(items=[({"weight": 800}, 2)])
    one, two = services.shipment_pack(
        sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=carrier.code
    )
    line = sub_order.lines.get()

    # when: the unit of the second parcel is moved into the first
    with pytest.raises(Conflict) as refused:
        services.shipment_adjust(
            shipment_id=two.pk,
            order_line_id=line.pk,
            quantity=1,
            to_shipment_id=one.pk,
            actor=SYSTEM,
        )

    # then: refused, both parcels as they were
    assert refused.value.code == "over_carrier_limit"
    assert fresh(one).weight_grams == fresh(two).weight_grams == 800
    assert sorted(ShipmentLine.objects.values_list("quantity", flat=True)) == [1, 1]


def test_the_ship_page_shows_why_a_parcel_is_refused(client):
    merchant = MerchantFactory()
    sub_order, parcel = packed_for_zto(merchant=merchant)
    client.force_login(merchant_staff(merchant))
    url = reverse("admin:logistics_fulfilmentqueue_ship", args=[sub_order.pk])

    response = client.post(
        url,
        {
            "action": "ship",
            "parcel-TOTAL_FORMS": 1,
            "parcel-INITIAL_FORMS": 1,
            "parcel-0-shipment": parcel.pk,
            "parcel-0-carrier": "sandbox",
            "parcel-0-tracking_no": "SBX0000000702",
        },
        follow=True,
    )

    assert "too big for Sandbox Express" in response.content.decode()
    assert fresh(parcel).status == Shipment.Status.PACKED
