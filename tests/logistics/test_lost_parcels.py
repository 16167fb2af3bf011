"""A parcel the carrier lost: the clock must not confirm receipt of it, logistics reports it
(SHIPMENT_LOST), after-sales refunds its goods and then settles it here
(shipment_lost_settled), and cash on delivery is recorded only for what arrived."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from catalog.actors import SYSTEM, Role, actor_for
from logistics import selectors, services
from logistics.events import ShipmentChanged
from logistics.models import Shipment
from orders import services as order_services
from orders.models import OrderEvent, OrderLine, PaymentMethod, SubOrder
from orders.tasks import sweep_auto_confirm_once
from payments.models import CodCollection, Payment, Refund
from shop import events as nodes
from shop.errors import NotFound, TransitionNotAllowed
from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import (
    CarrierFactory,
    fresh,
    merchant_staff,
    ops_user,
    paid_sub_order,
    push,
    ship_in_parcels,
)
from tests.orders.factories import capture_domain_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_carrier():
    # 1 kg: three 500 g units pack as a parcel of two and a parcel of one
    return CarrierFactory(max_weight_grams=1000, tracking_pattern=r"TC\d{8}")


def _refund_recorded_by_aftersales(parcel):
    """What after-sales does before settling: each line's refund record (the money goes
    through payments, which records the same)."""
    for line_id, quantity in selectors.parcel_units(shipment_id=parcel.pk):
        line = OrderLine.objects.get(pk=line_id)
        amount = line.paid_amount * quantity / line.quantity
        order_services.order_line_record_refund(
            line_id=line_id, amount=amount.quantize(Decimal("0.01")), quantity=quantity
        )


def test_a_lost_parcel_holds_automatic_receipt_past_the_deadline():
    # given: a sandbox parcel shipped now and reported lost
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sub_order = paid_sub_order()
        shipment = services.sub_order_ship_next_parcel(
            sub_order_no=sub_order.sub_order_no,
            carrier_code="sandbox",
            tracking_no="SBX0000000900L",
            actor=SYSTEM,
        )
        with capture_domain_events() as events:
            push("sandbox", shipment.tracking_no, "lost")

    # then: after-sales is told, last, with the parcel's numbers
    lost = [e for e in events.events if e.node == nodes.SHIPMENT_LOST]
    assert len(lost) == 1 and events.nodes.index(nodes.SHIPMENT_LOST) == len(events.nodes) - 2
    assert (lost[0].subject_type, lost[0].subject_id) == ("shipment", shipment.pk)
    assert lost[0].shopper_id == sub_order.order.user_id
    assert lost[0].merchant_id == sub_order.merchant_id
    assert {
        "shipment_no": shipment.shipment_no,
        "sub_order_no": sub_order.sub_order_no,
        "order_no": sub_order.order.order_no,
        "tracking_no": shipment.tracking_no,
    }.items() <= lost[0].data.items()
    assert lost[0].data["occurred_at"]
    assert not Refund.objects.exists()

    # then: the deadline is cleared and the timeline says why
    held = fresh(sub_order)
    assert held.auto_confirm_at is None
    event = OrderEvent.objects.get(sub_order=sub_order, transition="auto_confirm_held")
    assert "lost" in event.note and event.actor_kind == Role.SYSTEM

    # when: AUTO_CONFIRM_DAYS pass
    with time_machine.travel(start + timedelta(days=settings.AUTO_CONFIRM_DAYS, hours=1)):
        sweep_auto_confirm_once()

    # then: the shopper is not taken to have received what was lost
    assert fresh(sub_order).status == SubOrder.Status.SHIPPED


def test_a_parcel_reported_late_is_lost_and_refused_as_of_the_carriers_scan():
    # given two sandbox parcels on their way, and courier scans that reach the shop 6 hours
    # after the courier made them
    lost_sub_order, refused_sub_order = paid_sub_order(), paid_sub_order()
    lost = services.sub_order_ship_next_parcel(
        sub_order_no=lost_sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000901L",
        actor=SYSTEM,
    )
    refused = services.sub_order_ship_next_parcel(
        sub_order_no=refused_sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000902R",
        actor=SYSTEM,
    )
    scanned_at = timezone.now() - timedelta(hours=6)
    # when the scans arrive
    with capture_domain_events() as events:
        push("sandbox", lost.tracking_no, "lost", occurred_at=scanned_at)
        push("sandbox", refused.tracking_no, "refused", occurred_at=scanned_at)
    # then each parcel is closed at the courier's time, not at the time the scan came in
    assert Shipment.objects.get(pk=lost.pk).closed_at == scanned_at
    assert Shipment.objects.get(pk=refused.pk).closed_at == scanned_at
    # and after-sales hears each outcome as a typed parcel event carrying that time
    outcomes = {e.node: e for e in events.events if e.node in PARCEL_OUTCOMES}
    assert set(outcomes) == PARCEL_OUTCOMES
    for node, parcel in ((nodes.SHIPMENT_LOST, lost), (nodes.SHIPMENT_REFUSED, refused)):
        event = outcomes[node]
        assert isinstance(event, ShipmentChanged)
        assert (event.shipment_no, event.tracking_no) == (parcel.shipment_no, parcel.tracking_no)
        assert event.direction == Shipment.Direction.OUTBOUND
        assert event.occurred_at == scanned_at


PARCEL_OUTCOMES = {nodes.SHIPMENT_LOST, nodes.SHIPMENT_REFUSED}


def test_settling_the_only_lost_parcel_closes_the_sub_order(small_carrier):
    # given: a paid sub-order of one unit, shipped and lost, refunded by after-sales
    sub_order = paid_sub_order(items=[({}, 1)])
    (parcel,) = ship_in_parcels(sub_order, small_carrier)
    push(small_carrier.code, parcel.tracking_no, "lost")
    assert selectors.parcel_units(shipment_id=parcel.pk) == [(sub_order.lines.get().pk, 1)]
    _refund_recorded_by_aftersales(parcel)

    # when: after-sales settles it, twice
    services.shipment_lost_settled(shipment_id=parcel.pk, actor=SYSTEM)
    services.shipment_lost_settled(shipment_id=parcel.pk, actor=SYSTEM)

    # then: the sub-order closed as lost (not "refused"), once; logistics refunded nothing
    closed = fresh(sub_order)
    assert closed.status == SubOrder.Status.CLOSED
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="lost_refunded").count() == 1
    assert fresh(parcel).lost_settled_at is not None
    assert selectors.parcel_units(shipment_id=parcel.pk) == []
    assert not Refund.objects.exists()


def test_one_parcel_signed_one_lost_settled_resumes_the_clock(small_carrier):
    # given: 3 units in two parcels (2 + 1); the first signed for, the second lost
    sub_order = paid_sub_order(items=[({}, 3)])
    first, second = ship_in_parcels(sub_order, small_carrier)
    push(small_carrier.code, first.tracking_no, "signed")
    push(small_carrier.code, second.tracking_no, "lost")

    # then: what arrived is delivered, automatic receipt on hold
    held = fresh(sub_order)
    assert held.status == SubOrder.Status.DELIVERED and held.auto_confirm_at is None

    # when
    _refund_recorded_by_aftersales(second)
    services.shipment_lost_settled(shipment_id=second.pk, actor=actor_for(ops_user()))

    # then: the shopper keeps the rest, the clock runs again
    settled = fresh(sub_order)
    assert settled.status == SubOrder.Status.DELIVERED
    assert settled.auto_confirm_at is not None and settled.auto_confirm_at > timezone.now()
    assert OrderEvent.objects.filter(
        sub_order=sub_order, transition="auto_confirm_resumed"
    ).exists()
    assert not Refund.objects.exists()


def test_cash_on_delivery_is_recorded_only_for_the_parcel_that_arrived(small_carrier):
    # given: a cash-on-delivery sub-order of 3 x 100.00 in two parcels
    sub_order = paid_sub_order(items=[({}, 3)], payment_method=PaymentMethod.COD)
    first, second = ship_in_parcels(sub_order, small_carrier)
    delivered_units = first.lines.get().quantity

    # when: one is signed for and the other lost
    with capture_domain_events() as events:
        push(small_carrier.code, first.tracking_no, "signed")
        push(small_carrier.code, second.tracking_no, "lost")

    # then: no cash recorded yet for the whole sub-order
    assert nodes.SUBORDER_COD_SETTLED not in events.nodes
    assert not CodCollection.objects.exists()

    # when: after-sales records the lost lines as no longer owed, then settles the parcel
    _refund_recorded_by_aftersales(second)
    with capture_domain_events() as events:
        services.shipment_lost_settled(shipment_id=second.pk, actor=SYSTEM)

    # then: payments (on SUBORDER_COD_SETTLED) records the cash of the delivered units only
    assert nodes.SUBORDER_COD_SETTLED in events.nodes
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
        actor=SYSTEM,
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
    sub_order = paid_sub_order()
    shipment = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000902",
        actor=SYSTEM,
    )

    with pytest.raises(TransitionNotAllowed):
        services.shipment_lost_settled(shipment_id=shipment.pk, actor=SYSTEM)


def test_operations_find_lost_parcels_in_the_admin_but_settle_them_in_after_sales(client):
    # given: a lost parcel and one on its way
    sub_order = paid_sub_order()
    lost = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000903L",
        actor=SYSTEM,
    )
    push("sandbox", lost.tracking_no, "lost")
    other = paid_sub_order()
    services.sub_order_ship_next_parcel(
        sub_order_no=other.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000904",
        actor=SYSTEM,
    )
    client.force_login(ops_user(is_superuser=True))
    url = reverse("admin:logistics_shipment_changelist")

    # when: the "Lost, to settle" filter
    listing = client.get(url, {"lost": "waiting"}).content.decode()

    # then: listed, and no settle action any more (no money moves from logistics' admin)
    assert fresh(lost).status == Shipment.Status.LOST
    assert lost.shipment_no in listing and "SBX0000000904" not in listing
    assert "settle_lost" not in listing

    # when: after-sales settles it
    services.shipment_lost_settled(shipment_id=lost.pk, actor=SYSTEM)

    # then
    settled = client.get(url, {"lost": "settled"}).content.decode()
    assert lost.shipment_no in settled


def test_another_merchants_staff_cannot_settle_a_lost_parcel():
    sub_order = paid_sub_order()
    lost = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000905L",
        actor=SYSTEM,
    )
    push("sandbox", lost.tracking_no, "lost")
    stranger = merchant_staff(MerchantFactory())

    with pytest.raises(NotFound):
        services.shipment_lost_settled(shipment_id=lost.pk, actor=actor_for(stranger))
    assert fresh(lost).lost_settled_at is None
