"""What logistics reports about a parcel's outcome (refused, back with the sender, intercepted,
a shopper's return parcel, an exchange's replacement) and what it does itself: the parcel, the
sub-order, the stock. Refunds are after-sales' business: logistics creates none."""

import pytest
from django.urls import reverse

from catalog.actors import SYSTEM, actor_for
from catalog.models import StockRecord
from logistics import services
from logistics.models import Shipment, TrackingEvent
from orders.models import OrderEvent, PaymentMethod, SubOrder
from payments.models import Refund
from shop import events as nodes
from shop.errors import Conflict, InvalidInput, OutOfStock
from tests.logistics.factories import (
    CarrierFactory,
    fresh,
    paid_sub_order,
    push,
    ship_in_parcels,
)
from tests.orders.factories import capture_domain_events

pytestmark = pytest.mark.django_db

PAYLOAD_KEYS = {"shipment_no", "sub_order_no", "order_no", "tracking_no", "occurred_at"}


@pytest.fixture
def carrier():
    return CarrierFactory(tracking_pattern=r"TC\d{8}")


def _stock(sub_order):
    return StockRecord.objects.get(sku_id=sub_order.lines.get().sku_id)


def _outcomes(events):
    return [
        e
        for e in events.events
        if e.node.startswith("shipment.")
        and e.node
        not in (
            nodes.SHIPMENT_TRACKING,
            nodes.SHIPMENT_SHIPPED,
        )
    ]


def test_a_refused_parcel_closes_the_sub_order_then_reports_the_refusal(carrier):
    # given
    sub_order = paid_sub_order(items=[({}, 2)])
    (parcel,) = ship_in_parcels(sub_order, carrier)

    # when
    with capture_domain_events() as events:
        push(carrier.code, parcel.tracking_no, "refused")

    # then: the sub-order's refusal first, SHIPMENT_REFUSED after it, no refund
    assert events.nodes.index(nodes.SUBORDER_REFUSED) < events.nodes.index(nodes.SHIPMENT_REFUSED)
    (refused,) = _outcomes(events)
    assert refused.node == nodes.SHIPMENT_REFUSED
    assert (refused.subject_type, refused.subject_id) == ("shipment", parcel.pk)
    assert (refused.shopper_id, refused.merchant_id) == (
        sub_order.order.user_id,
        sub_order.merchant_id,
    )
    assert refused.data.keys() >= PAYLOAD_KEYS
    assert refused.data["tracking_no"] == parcel.tracking_no
    assert fresh(sub_order).status == SubOrder.Status.CLOSED
    assert not Refund.objects.exists()


def test_the_refused_parcel_back_returns_its_stock_and_reports_it_once(carrier):
    sub_order = paid_sub_order(items=[({}, 2)], on_hand=10)
    (parcel,) = ship_in_parcels(sub_order, carrier)
    push(carrier.code, parcel.tracking_no, "refused")

    # when: marked back by hand, then the carrier says so too, then by hand again
    with capture_domain_events() as events:
        services.shipment_return_received(shipment_id=parcel.pk, actor=SYSTEM)
        push(carrier.code, parcel.tracking_no, "returned")
        services.shipment_return_received(shipment_id=parcel.pk, actor=SYSTEM)

    # then
    assert [e.node for e in _outcomes(events)] == [nodes.SHIPMENT_RETURNED]
    assert _outcomes(events)[0].data.keys() >= PAYLOAD_KEYS
    assert _stock(sub_order).on_hand == 10
    assert not Refund.objects.exists()


def test_a_returned_to_sender_scan_on_a_refused_parcel_takes_the_returned_path(carrier):
    sub_order = paid_sub_order(items=[({}, 2)], on_hand=10)
    (parcel,) = ship_in_parcels(sub_order, carrier)
    push(carrier.code, parcel.tracking_no, "refused")

    with capture_domain_events() as events:
        push(carrier.code, parcel.tracking_no, "returned")

    assert [e.node for e in _outcomes(events)] == [nodes.SHIPMENT_RETURNED]
    assert fresh(parcel).returned_at is not None
    assert _stock(sub_order).on_hand == 10


def test_the_sandbox_courier_plays_a_refusal_through_to_the_merchant_signing_for_it(
    django_capture_on_commit_callbacks,
):
    # given: a sandbox tracking number ending in R (a refusal)
    sub_order = paid_sub_order(items=[({}, 1)], on_hand=5)

    # when: shipped, and the courier's script runs (eager)
    with capture_domain_events() as events, django_capture_on_commit_callbacks(execute=True):
        shipment = services.sub_order_ship_next_parcel(
            sub_order_no=sub_order.sub_order_no,
            carrier_code="sandbox",
            tracking_no="SBX0000007001R",
            actor=SYSTEM,
        )

    # then: refused, then back with the sender: stock back, both outcomes reported
    parcel = fresh(shipment)
    assert parcel.status == Shipment.Status.REFUSED and parcel.returned_at is not None
    assert [e.node for e in _outcomes(events)] == [nodes.SHIPMENT_REFUSED, nodes.SHIPMENT_RETURNED]
    assert TrackingEvent.objects.filter(shipment=parcel, status="returned").exists()
    assert _stock(sub_order).on_hand == 5


def test_an_intercepted_sandbox_parcel_comes_back_to_the_sender(
    django_capture_on_commit_callbacks, monkeypatch
):
    from logistics import tasks

    # given: a parcel on its way, the courier's script not started yet
    sub_order = paid_sub_order(items=[({}, 1)], on_hand=5)
    shipment = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000007002",
        actor=SYSTEM,
    )

    # when: intercepted, then the courier plays its script
    services.shipment_intercept(shipment_id=shipment.pk, actor=SYSTEM)
    with capture_domain_events() as events:
        tasks.sandbox_push_next.run(shipment.pk, 0)

    # then: returned to sender, its stock back, SHIPMENT_RETURNED; the sub-order waits for
    # after-sales (nothing of it arrived)
    parcel = fresh(shipment)
    assert parcel.status == Shipment.Status.RETURNED
    assert parcel.intercept_requested_at is not None and parcel.returned_at is not None
    assert [e.node for e in _outcomes(events)] == [nodes.SHIPMENT_RETURNED]
    assert _stock(sub_order).on_hand == 5
    assert fresh(sub_order).status == SubOrder.Status.SHIPPED
    assert not Refund.objects.exists()


def test_an_intercepted_parcel_delivered_all_the_same_reports_the_failed_intercept(carrier):
    sub_order = paid_sub_order(items=[({}, 1)])
    (parcel,) = ship_in_parcels(sub_order, carrier)
    services.shipment_intercept(shipment_id=parcel.pk, actor=SYSTEM)

    with capture_domain_events() as events:
        push(carrier.code, parcel.tracking_no, "signed")

    assert fresh(parcel).status == Shipment.Status.DELIVERED
    assert fresh(sub_order).status == SubOrder.Status.DELIVERED
    assert [e.node for e in _outcomes(events)] == [nodes.SHIPMENT_INTERCEPT_FAILED]


def test_only_a_parcel_on_its_way_can_be_intercepted(carrier):
    sub_order = paid_sub_order(items=[({}, 1)])
    (packed,) = services.shipment_pack(
        sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=carrier.code
    )

    with pytest.raises(Conflict):
        services.shipment_intercept(shipment_id=packed.pk, actor=SYSTEM)
    assert fresh(packed).intercept_requested_at is None


def test_a_return_parcel_is_tracked_and_its_signing_reported_without_moving_the_sub_order(
    carrier,
):
    # given: a delivered sub-order
    sub_order = paid_sub_order(items=[({}, 2)])
    (parcel,) = ship_in_parcels(sub_order, carrier)
    push(carrier.code, parcel.tracking_no, "signed")
    line = sub_order.lines.get()

    # when: the shopper's parcel back is registered and signed for by the merchant
    returned = services.return_shipment_register(
        sub_order_id=sub_order.pk,
        carrier_code=carrier.code,
        tracking_no="tc00000099",
        lines=[(line.pk, 1)],
        actor=actor_for(sub_order.order.user),
    )
    with capture_domain_events() as events:
        push(carrier.code, returned.tracking_no, "in_transit")
        push(carrier.code, returned.tracking_no, "signed")

    # then
    returned = fresh(returned)
    assert returned.direction == Shipment.Direction.RETURN
    assert returned.tracking_no == "TC00000099"
    assert returned.status == Shipment.Status.DELIVERED
    assert list(returned.lines.values_list("order_line_id", "quantity")) == [(line.pk, 1)]
    assert [e.node for e in _outcomes(events)] == [nodes.SHIPMENT_RETURN_SIGNED]
    assert fresh(sub_order).status == SubOrder.Status.DELIVERED
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="deliver").count() == 1


def test_a_return_parcel_number_is_checked_like_any_tracking_number(carrier):
    sub_order = paid_sub_order(items=[({}, 1)])
    (parcel,) = ship_in_parcels(sub_order, carrier)
    line = sub_order.lines.get()

    def register(tracking_no):
        return services.return_shipment_register(
            sub_order_id=sub_order.pk,
            carrier_code=carrier.code,
            tracking_no=tracking_no,
            lines=[(line.pk, 1)],
            actor=SYSTEM,
        )

    with pytest.raises(InvalidInput):
        register("nope")
    with pytest.raises(Conflict) as taken:
        register(parcel.tracking_no)
    assert taken.value.code == "tracking_no_taken"
    assert not Shipment.objects.filter(direction=Shipment.Direction.RETURN).exists()


def test_a_replacement_parcel_consumes_stock_and_never_moves_the_sub_order(carrier):
    # given: a delivered sub-order of 1 unit, 9 left in stock
    sub_order = paid_sub_order(items=[({}, 1)], on_hand=10)
    (parcel,) = ship_in_parcels(sub_order, carrier)
    push(carrier.code, parcel.tracking_no, "signed")
    line = sub_order.lines.get()

    # when: a replacement ships and is refused
    replacement = services.replacement_shipment_ship(
        sub_order_id=sub_order.pk,
        lines=[(line.pk, 1)],
        carrier_code=carrier.code,
        tracking_no="TC00000077",
        actor=SYSTEM,
    )
    stock = _stock(sub_order)
    with capture_domain_events() as events:
        push(carrier.code, replacement.tracking_no, "refused")

    # then
    assert replacement.direction == Shipment.Direction.REPLACEMENT
    assert replacement.status == Shipment.Status.SHIPPED
    assert (stock.on_hand, stock.allocated) == (8, 0)
    assert fresh(replacement).status == Shipment.Status.REFUSED
    assert _outcomes(events) == []
    assert fresh(sub_order).status == SubOrder.Status.DELIVERED


def test_a_replacement_without_stock_is_out_of_stock_and_writes_nothing(carrier):
    sub_order = paid_sub_order(items=[({}, 1)], on_hand=1)
    (parcel,) = ship_in_parcels(sub_order, carrier)
    push(carrier.code, parcel.tracking_no, "signed")

    with pytest.raises(OutOfStock):
        services.replacement_shipment_ship(
            sub_order_id=sub_order.pk,
            lines=[(sub_order.lines.get().pk, 1)],
            carrier_code=carrier.code,
            tracking_no="TC00000078",
            actor=SYSTEM,
        )

    assert not Shipment.objects.filter(direction=Shipment.Direction.REPLACEMENT).exists()
    assert (_stock(sub_order).on_hand, _stock(sub_order).allocated) == (0, 0)


def test_the_tracking_page_labels_return_and_replacement_parcels(client, carrier):
    sub_order = paid_sub_order(items=[({}, 2)], on_hand=10)
    (parcel,) = ship_in_parcels(sub_order, carrier)
    push(carrier.code, parcel.tracking_no, "signed")
    line = sub_order.lines.get()
    services.return_shipment_register(
        sub_order_id=sub_order.pk,
        carrier_code=carrier.code,
        tracking_no="TC00000091",
        lines=[(line.pk, 1)],
        actor=SYSTEM,
    )
    services.replacement_shipment_ship(
        sub_order_id=sub_order.pk,
        lines=[(line.pk, 1)],
        carrier_code=carrier.code,
        tracking_no="TC00000092",
        actor=SYSTEM,
    )
    client.force_login(sub_order.order.user)

    page = client.get(reverse("orders:detail", args=[sub_order.order.order_no])).content.decode()

    assert "Your return parcel" in page and "Replacement parcel" in page
    assert "Parcel 1 of" not in page  # one parcel of the sub-order's own


def test_cod_collection_goes_through_payments_receiver(carrier):
    from payments.models import CodCollection

    sub_order = paid_sub_order(items=[({}, 1)], payment_method=PaymentMethod.COD)
    (parcel,) = ship_in_parcels(sub_order, carrier)

    with capture_domain_events() as events:
        push(carrier.code, parcel.tracking_no, "signed")

    assert nodes.SUBORDER_COD_SETTLED in events.nodes
    assert CodCollection.objects.get(sub_order=sub_order).amount == sub_order.payable_amount
