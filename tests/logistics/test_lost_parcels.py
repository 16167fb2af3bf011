"""A parcel the carrier lost: the clock must not confirm receipt of it, operations settle it
(refund its goods), and cash on delivery is recorded only for what arrived."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from logistics import services
from logistics.models import Shipment
from orders.models import OrderEvent, OrderLine, PaymentMethod, SubOrder
from orders.tasks import sweep_auto_confirm_once
from payments.models import CodCollection, Payment, Refund
from tests.logistics.factories import (
    CarrierFactory,
    fresh,
    merchant_staff,
    ops_user,
    paid_sub_order,
    push,
    ship_in_parcels,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_carrier():
    # 1 kg: three 500 g units pack as a parcel of two and a parcel of one
    return CarrierFactory(max_weight_grams=1000, tracking_pattern=r"TC\d{8}")


def test_a_lost_parcel_holds_automatic_receipt_past_the_deadline():
    # given: a sandbox parcel shipped now and reported lost
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sub_order = paid_sub_order()
        shipment = services.sub_order_ship_next_parcel(
            sub_order_no=sub_order.sub_order_no,
            carrier_code="sandbox",
            tracking_no="SBX0000000900L",
            actor=None,
        )
        push("sandbox", shipment.tracking_no, "lost")

    # then: the deadline is cleared and the timeline says why
    held = fresh(sub_order)
    assert held.auto_confirm_at is None
    event = OrderEvent.objects.get(sub_order=sub_order, transition="auto_confirm_held")
    assert "lost" in event.note and event.actor_kind == OrderEvent.ActorKind.SYSTEM

    # when: AUTO_CONFIRM_DAYS pass
    with time_machine.travel(start + timedelta(days=settings.AUTO_CONFIRM_DAYS, hours=1)):
        sweep_auto_confirm_once()

    # then: the shopper is not taken to have received what was lost
    assert fresh(sub_order).status == SubOrder.Status.SHIPPED


def test_settling_the_only_lost_parcel_refunds_what_was_paid_and_closes_the_sub_order(
    sandbox_paid_sub_order, small_carrier
):
    # given: a paid sub-order of one unit (100.00), shipped and lost
    sub_order = sandbox_paid_sub_order(quantities=(1,))
    (parcel,) = ship_in_parcels(sub_order, small_carrier)
    push(small_carrier.code, parcel.tracking_no, "lost")
    ops = ops_user()

    # when: operations settle it, twice
    services.shipment_settle_lost(shipment_id=parcel.pk, actor=ops)
    services.shipment_settle_lost(shipment_id=parcel.pk, actor=ops)

    # then: one refund of what was paid, the sub-order closed as lost (not "refused")
    refund = Refund.objects.get()
    line = sub_order.lines.get()
    assert (refund.amount, refund.quantity, refund.order_line_id) == (Decimal("100.00"), 1, line.pk)
    closed = fresh(sub_order)
    assert closed.status == SubOrder.Status.CLOSED
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="lost_refunded").count() == 1
    assert fresh(parcel).lost_settled_at is not None


def test_one_parcel_signed_one_lost_refunds_only_the_lost_units_and_resumes_the_clock(
    sandbox_paid_sub_order, small_carrier
):
    # given: 3 units of 100.00 in two parcels (2 + 1); the first signed for, the second lost
    sub_order = sandbox_paid_sub_order(quantities=(3,))
    first, second = ship_in_parcels(sub_order, small_carrier)
    push(small_carrier.code, first.tracking_no, "signed")
    push(small_carrier.code, second.tracking_no, "lost")

    # then: what arrived is delivered, automatic receipt on hold
    held = fresh(sub_order)
    assert held.status == SubOrder.Status.DELIVERED and held.auto_confirm_at is None

    # when
    services.shipment_settle_lost(shipment_id=second.pk, actor=ops_user())

    # then: the lost unit's share refunded, the shopper keeps the rest, the clock runs again
    lost_units = second.lines.get().quantity
    refund = Refund.objects.get()
    assert refund.amount == Decimal("100.00") * lost_units and refund.quantity == lost_units
    settled = fresh(sub_order)
    assert settled.status == SubOrder.Status.DELIVERED
    assert settled.auto_confirm_at is not None and settled.auto_confirm_at > timezone.now()
    assert OrderEvent.objects.filter(
        sub_order=sub_order, transition="auto_confirm_resumed"
    ).exists()


def test_cash_on_delivery_is_recorded_only_for_the_parcel_that_arrived(small_carrier):
    # given: a cash-on-delivery sub-order of 3 x 100.00 in two parcels
    sub_order = paid_sub_order(items=[({}, 3)], payment_method=PaymentMethod.COD)
    first, second = ship_in_parcels(sub_order, small_carrier)
    delivered_units = first.lines.get().quantity

    # when: one is signed for and the other lost
    push(small_carrier.code, first.tracking_no, "signed")
    push(small_carrier.code, second.tracking_no, "lost")

    # then: no cash recorded yet for the whole sub-order
    assert not CodCollection.objects.exists()

    # when: operations settle the lost one
    services.shipment_settle_lost(shipment_id=second.pk, actor=ops_user())

    # then: the cash of the delivered units only; the lost ones are no longer owed
    collection = CodCollection.objects.get(sub_order=sub_order)
    assert collection.amount == Decimal("100.00") * delivered_units
    assert collection.payment.status == Payment.Status.SUCCEEDED
    assert not Refund.objects.exists()
    line = OrderLine.objects.get(sub_order=sub_order)
    assert line.refunded_quantity == 3 - delivered_units


def test_a_lost_parcel_signed_for_later_is_delivered_and_the_clock_resumes():
    sub_order = paid_sub_order()
    shipment = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000901",
        actor=None,
    )
    push("sandbox", shipment.tracking_no, "lost")
    assert fresh(sub_order).auto_confirm_at is None

    # when: the carrier finds it and it is signed for
    push("sandbox", shipment.tracking_no, "signed")

    # then
    assert fresh(shipment).status == Shipment.Status.DELIVERED
    delivered = fresh(sub_order)
    assert delivered.status == SubOrder.Status.DELIVERED
    assert delivered.auto_confirm_at is not None


def test_only_a_lost_parcel_can_be_settled():
    from shop.errors import TransitionNotAllowed

    sub_order = paid_sub_order()
    shipment = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000902",
        actor=None,
    )

    with pytest.raises(TransitionNotAllowed):
        services.shipment_settle_lost(shipment_id=shipment.pk, actor=None)


def test_operations_find_and_settle_lost_parcels_in_the_admin(client, sandbox_paid_sub_order):
    # given: a lost parcel and one on its way
    sub_order = sandbox_paid_sub_order(quantities=(1,))
    lost = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000903L",
        actor=None,
    )
    push("sandbox", lost.tracking_no, "lost")
    other = paid_sub_order()
    services.sub_order_ship_next_parcel(
        sub_order_no=other.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000904",
        actor=None,
    )
    client.force_login(ops_user(is_superuser=True))
    url = reverse("admin:logistics_shipment_changelist")

    # when: the "Lost, to settle" filter
    listing = client.get(url, {"lost": "waiting"}).content.decode()

    # then
    assert lost.shipment_no in listing and "SBX0000000904" not in listing

    # when: the settle action
    response = client.post(
        url, {"action": "settle_lost", "_selected_action": [lost.pk]}, follow=True
    )

    # then
    assert "1 lost parcel(s) settled" in response.content.decode()
    assert Refund.objects.get().amount == Decimal("100.00")
    assert fresh(sub_order).status == SubOrder.Status.CLOSED


def test_merchant_staff_cannot_settle_lost_parcels(client):
    sub_order = paid_sub_order()
    lost = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000905L",
        actor=None,
    )
    push("sandbox", lost.tracking_no, "lost")
    staff = merchant_staff(sub_order.merchant)
    client.force_login(staff)

    page = client.get(reverse("admin:logistics_shipment_changelist")).content.decode()
    assert "settle_lost" not in page
    from shop.errors import NotFound

    with pytest.raises(NotFound):
        services.shipment_settle_lost(shipment_id=lost.pk, actor=staff)
    assert fresh(lost).lost_settled_at is None
