"""Cash on delivery for carriers that never push "signed for": operations record the cash the
courier handed over, and payments records it for the sub-order."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.actors import SYSTEM, actor_for
from logistics import services
from logistics.models import Shipment
from orders.models import PaymentMethod, SubOrder
from payments.models import CodCollection, Payment
from shop.errors import Conflict, NotFound
from tests.logistics.factories import (
    CarrierFactory,
    fresh,
    merchant_staff,
    ops_user,
    paid_sub_order,
    ship_in_parcels,
)

pytestmark = pytest.mark.django_db


def shipped_with_sf(**kwargs):
    """Shipped with SF: without Kuaidi100 keys no tracking push ever comes."""
    sub_order = paid_sub_order(**kwargs)
    shipment = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="SF",
        tracking_no="SF1460000000901",
        actor=SYSTEM,
    )
    return sub_order, shipment


def test_operations_record_the_cash_of_a_parcel_no_carrier_update_reported(client):
    # given
    sub_order, shipment = shipped_with_sf(items=[({}, 2)], payment_method=PaymentMethod.COD)
    client.force_login(ops_user(is_superuser=True))

    # when: the "Cash collected" action, twice
    for _ in range(2):
        response = client.post(
            reverse("admin:logistics_shipment_changelist"),
            {"action": "cod_collected", "_selected_action": [shipment.pk]},
            follow=True,
        )

    # then: the cash recorded once, the payment complete, the parcel handed over
    assert "Cash collected for 1 parcel." in response.content.decode()
    collection = CodCollection.objects.get(sub_order=sub_order)
    assert collection.amount == Decimal("200.00")
    assert collection.payment.status == Payment.Status.SUCCEEDED
    parcel = fresh(shipment)
    assert parcel.status == Shipment.Status.DELIVERED and parcel.cod_collected_at is not None
    assert fresh(sub_order).status == SubOrder.Status.DELIVERED


def test_the_cash_of_a_sub_order_waits_for_its_parcels_still_on_their_way():
    carrier = CarrierFactory(max_weight_grams=1000, tracking_pattern=r"TC\d{8}")
    sub_order = paid_sub_order(items=[({}, 3)], payment_method=PaymentMethod.COD)
    first, second = ship_in_parcels(sub_order, carrier)
    ops = ops_user()

    services.shipment_cod_collect(shipment_id=first.pk, actor=actor_for(ops))
    assert not CodCollection.objects.exists()

    services.shipment_cod_collect(shipment_id=second.pk, actor=actor_for(ops))
    assert CodCollection.objects.get(sub_order=sub_order).amount == Decimal("300.00")


def test_merchant_staff_cannot_record_cash():
    sub_order, shipment = shipped_with_sf(payment_method=PaymentMethod.COD)
    staff = merchant_staff(sub_order.merchant)

    with pytest.raises(NotFound):
        services.shipment_cod_collect(shipment_id=shipment.pk, actor=actor_for(staff))

    assert not CodCollection.objects.exists()
    assert fresh(shipment).cod_collected_at is None


def test_the_action_is_not_offered_to_merchant_staff(client):
    sub_order, _ = shipped_with_sf(payment_method=PaymentMethod.COD)
    client.force_login(merchant_staff(sub_order.merchant))

    page = client.get(reverse("admin:logistics_shipment_changelist")).content.decode()

    assert "cod_collected" not in page


def test_a_prepaid_parcel_has_no_cash_to_collect():
    _, shipment = shipped_with_sf()

    with pytest.raises(Conflict):
        services.shipment_cod_collect(shipment_id=shipment.pk, actor=SYSTEM)
