"""Carrier pushes: signatures, de-duplication, order, and what 'signed', 'refused' and 'lost'
do to the parcel and the sub-order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.actors import Role
from logistics import services
from logistics.carriers import ParsedEvent
from logistics.models import Shipment, TrackingEvent
from orders.models import OrderEvent, PaymentMethod, SubOrder
from payments.models import CodCollection, Payment
from shop import events as nodes
from tests.logistics.factories import kuaidi100_push, paid_sub_order, sandbox_push
from tests.orders.factories import capture_domain_events

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/logistics/webhook/{}/"


def shipped(tracking_no="SBX0000000100", carrier="sandbox", **kwargs):
    sub_order = paid_sub_order(**kwargs)
    shipment = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code=carrier,
        tracking_no=tracking_no,
        actor=None,
    )
    return SubOrder.objects.get(pk=sub_order.pk), shipment


def post_push(client, carrier, body, headers):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    content_type = (
        "application/json" if carrier == "sandbox" else ("application/x-www-form-urlencoded")
    )
    return client.post(WEBHOOK.format(carrier), data=body, content_type=content_type, **extra)


def test_a_signed_push_is_stored_and_answered_in_the_carriers_format(client):
    # given
    _, shipment = shipped()
    at = timezone.now()
    body, headers = sandbox_push(tracking_no=shipment.tracking_no, events=[("e1", "collected", at)])

    # when
    response = post_push(client, "sandbox", body, headers)

    # then
    assert response.status_code == 200 and response.json() == {"ok": True}
    event = TrackingEvent.objects.get(shipment=shipment)
    assert event.status == "collected" and event.location == "上海"
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.IN_TRANSIT


def test_a_push_with_a_bad_signature_is_refused_and_stores_nothing(client):
    _, shipment = shipped()
    body, headers = sandbox_push(
        tracking_no=shipment.tracking_no,
        events=[("e1", "signed", timezone.now())],
        secret=b"not the carrier's secret",
    )

    response = post_push(client, "sandbox", body, headers)

    assert response.status_code == 403
    assert response.json()["ok"] is False
    assert not TrackingEvent.objects.exists()


def test_an_unsigned_or_malformed_push_is_refused(client):
    response = client.post(WEBHOOK.format("sandbox"), data=b"{}", content_type="application/json")
    assert response.status_code == 403

    body = b"not json"
    _, headers = sandbox_push(tracking_no="x", events=[])
    from logistics.carriers.sandbox import SIGNATURE_HEADER, sign

    response = post_push(client, "sandbox", body, {SIGNATURE_HEADER: sign(body)})
    assert response.status_code == 400


def test_an_unknown_carrier_webhook_is_404(client):
    response = client.post(WEBHOOK.format("dhl"), data=b"{}", content_type="application/json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_same_push_twice_is_stored_once_and_pushed_to_the_shopper_once(client):
    # given
    _, shipment = shipped()
    body, headers = sandbox_push(
        tracking_no=shipment.tracking_no, events=[("e1", "in_transit", timezone.now())]
    )

    # when
    with capture_domain_events() as events:
        first = post_push(client, "sandbox", body, headers)
        second = post_push(client, "sandbox", body, headers)

    # then
    assert first.status_code == second.status_code == 200
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 1
    assert events.nodes == [nodes.SHIPMENT_TRACKING]
    assert events.events[0].data["tracking_no"] == shipment.tracking_no


def test_events_arriving_out_of_order_are_shown_in_the_order_they_happened(client):
    # given: "signed" arrives before "collected" and "in transit"
    sub_order, shipment = shipped()
    t0 = timezone.now() - timedelta(hours=5)
    for event_id, status, at in [
        ("e3", "signed", t0 + timedelta(hours=4)),
        ("e1", "collected", t0),
        ("e2", "in_transit", t0 + timedelta(hours=2)),
    ]:
        body, headers = sandbox_push(
            tracking_no=shipment.tracking_no, events=[(event_id, status, at)]
        )
        assert post_push(client, "sandbox", body, headers).status_code == 200

    # then: oldest first in storage, newest first in the shopper's API, and the late
    # "in transit" did not move the delivered parcel back
    stored = list(TrackingEvent.objects.filter(shipment=shipment).values_list("status", flat=True))
    assert stored == ["collected", "in_transit", "signed"]
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.DELIVERED
    client.force_login(sub_order.order.user)
    api = client.get(f"/api/sub-orders/{sub_order.sub_order_no}/tracking/").json()
    assert [e["status"] for e in api["shipments"][0]["events"]] == [
        "signed",
        "in_transit",
        "collected",
    ]


def test_signed_for_delivers_the_sub_order_with_its_timeline_row():
    # given
    sub_order, shipment = shipped()

    # when
    body, headers = sandbox_push(
        tracking_no=shipment.tracking_no, events=[("e9", "signed", timezone.now())]
    )
    services.tracking_push_receive(adapter_key="sandbox", body=body, headers=headers)

    # then
    delivered = SubOrder.objects.get(pk=sub_order.pk)
    assert delivered.status == SubOrder.Status.DELIVERED
    assert OrderEvent.objects.filter(
        sub_order=sub_order, transition="deliver", actor_kind=Role.SYSTEM
    ).exists()


def test_signed_for_a_cash_on_delivery_parcel_records_the_cash_collected():
    sub_order, shipment = shipped(payment_method=PaymentMethod.COD)

    body, headers = sandbox_push(
        tracking_no=shipment.tracking_no, events=[("e9", "signed", timezone.now())]
    )
    services.tracking_push_receive(adapter_key="sandbox", body=body, headers=headers)

    collection = CodCollection.objects.get(sub_order=sub_order)
    assert collection.amount == sub_order.payable_amount
    assert collection.payment.status == Payment.Status.SUCCEEDED
    assert Shipment.objects.get(pk=shipment.pk).cod_collected_at is not None


def test_a_sub_order_of_two_parcels_is_delivered_when_both_are_signed_for():
    from tests.logistics.factories import CarrierFactory

    carrier = CarrierFactory(max_weight_grams=1000, tracking_pattern=r"TC\d{8}")
    sub_order = paid_sub_order(items=[({"weight": 800}, 2)])
    one, two = services.shipment_pack(
        sub_order_id=sub_order.pk, actor=None, carrier_code=carrier.code
    )
    for parcel, number in ((one, "TC00000001"), (two, "TC00000002")):
        services.shipment_ship(
            shipment_id=parcel.pk, carrier_code=carrier.code, tracking_no=number, actor=None
        )

    def sign_for(number):
        services.tracking_event_record(
            carrier_code=carrier.code,
            events=[
                ParsedEvent(
                    tracking_no=number,
                    dedupe_key=f"{number}-s",
                    status="signed",
                    carrier_status="signed",
                    description="Signed",
                    location="",
                    occurred_at=timezone.now(),
                )
            ],
        )

    sign_for("TC00000001")
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.SHIPPED
    sign_for("TC00000002")
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.DELIVERED


def test_a_refused_parcel_closes_the_sub_order_through_the_refusal_path():
    sub_order, shipment = shipped()

    with capture_domain_events() as events:
        body, headers = sandbox_push(
            tracking_no=shipment.tracking_no, events=[("r1", "refused", timezone.now())]
        )
        services.tracking_push_receive(adapter_key="sandbox", body=body, headers=headers)

    closed = SubOrder.objects.get(pk=sub_order.pk)
    assert closed.status == SubOrder.Status.CLOSED
    assert "refused" in closed.close_reason
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.REFUSED
    assert nodes.SUBORDER_REFUSED in events.nodes
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="refuse").count() == 1


def test_a_lost_parcel_is_marked_lost_for_operations_and_the_sub_order_waits(caplog):
    sub_order, shipment = shipped()

    body, headers = sandbox_push(
        tracking_no=shipment.tracking_no, events=[("l1", "lost", timezone.now())]
    )
    services.tracking_push_receive(adapter_key="sandbox", body=body, headers=headers)

    lost = Shipment.objects.get(pk=shipment.pk)
    assert lost.status == Shipment.Status.LOST and lost.closed_at is not None
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.SHIPPED
    assert "reported lost" in caplog.text


def test_a_push_for_a_parcel_we_do_not_know_is_acknowledged_and_ignored(client):
    body, headers = sandbox_push(
        tracking_no="SBX9999999999", events=[("x", "collected", timezone.now())]
    )

    response = post_push(client, "sandbox", body, headers)

    assert response.status_code == 200
    assert not TrackingEvent.objects.exists()


# Kuaidi100


def kuaidi100_data(*rows):
    return [
        {
            "context": text,
            "time": at,
            "ftime": at,
            "status": word,
            "statusCode": code,
            "areaName": "上海市",
        }
        for text, at, word, code in rows
    ]


def test_a_kuaidi100_push_signed_with_our_salt_moves_the_parcel(client, settings):
    # given: an SF parcel and the push Kuaidi100 sends, newest first
    settings.KUAIDI100_SALT = "salt-for-tests"
    sub_order, shipment = shipped(tracking_no="SF1460000000777", carrier="SF")
    body = kuaidi100_push(
        company="shunfeng",
        tracking_no="SF1460000000777",
        state="3",
        salt="salt-for-tests",
        data=kuaidi100_data(
            ("[上海市]已签收，感谢使用顺丰", "2026-11-25 18:00:00", "签收", "301"),
            ("[上海市]快件交给张三，正在派送途中", "2026-11-25 09:00:00", "派件", "5"),
            ("[深圳市]顺丰速运 已收取快件", "2026-11-24 10:00:00", "揽收", "1"),
        ),
    )

    # when
    response = post_push(client, "kuaidi100", body, {})

    # then: the answer Kuaidi100 expects, three events oldest first, sub-order delivered
    assert response.status_code == 200
    assert response.json() == {"result": True, "returnCode": "200", "message": "成功"}
    events = list(TrackingEvent.objects.filter(shipment=shipment))
    assert [e.status for e in events] == ["collected", "out_for_delivery", "signed"]
    assert events[0].occurred_at.isoformat() == "2026-11-24T02:00:00+00:00"  # Beijing time
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.DELIVERED

    # when: Kuaidi100 pushes the same history again
    assert post_push(client, "kuaidi100", body, {}).status_code == 200

    # then
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 3


def test_a_kuaidi100_push_with_a_wrong_sign_is_refused(client, settings):
    settings.KUAIDI100_SALT = "salt-for-tests"
    _, shipment = shipped(tracking_no="SF1460000000778", carrier="SF")
    body = kuaidi100_push(
        company="shunfeng",
        tracking_no="SF1460000000778",
        state="3",
        salt="someone-elses-salt",
        data=kuaidi100_data(("已签收", "2026-11-25 18:00:00", "签收", "3")),
    )

    response = post_push(client, "kuaidi100", body, {})

    assert response.status_code == 403
    assert response.json()["result"] is False
    assert not TrackingEvent.objects.exists()


def test_without_a_salt_a_kuaidi100_push_is_refused_however_it_is_signed(client, settings):
    # given: no salt configured (the default), so md5(param) alone would "verify"
    settings.KUAIDI100_SALT = ""
    sub_order, _ = shipped(tracking_no="SF1460000000779", carrier="SF")
    forged = kuaidi100_push(
        company="shunfeng",
        tracking_no="SF1460000000779",
        state="3",
        salt="",
        data=kuaidi100_data(("已签收", "2026-11-25 18:00:00", "签收", "301")),
    )

    # when: someone who read the tracking number off an order page posts "signed for"
    response = post_push(client, "kuaidi100", forged, {})

    # then: refused, nothing recorded, the parcel is still on its way
    assert response.status_code == 403
    assert not TrackingEvent.objects.exists()
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.SHIPPED


@pytest.mark.parametrize(
    ("code", "word", "status"),
    [
        ("0", "在途", "in_transit"),
        ("1002", "在途", "in_transit"),
        ("1", "揽收", "collected"),
        ("5", "派件", "out_for_delivery"),
        ("3", "签收", "signed"),
        ("301", "签收", "signed"),
        ("4", "退签", "returned"),  # back with the sender, signed for
        ("14", "拒签", "refused"),
        ("203", "疑难", "refused"),
        ("2", "疑难", "exception"),
        ("6", "退回", "returning"),
        ("", "派件", "out_for_delivery"),
    ],
)
def test_kuaidi100_state_codes_map_to_tracking_statuses(code, word, status):
    from logistics.carriers.kuaidi100 import Kuaidi100Adapter

    events = Kuaidi100Adapter().parse_result(
        {
            "nu": "SF1",
            "com": "shunfeng",
            "state": "0",
            "data": kuaidi100_data(("x", "2026-11-25 10:00:00", word, code)),
        }
    )

    assert [e.status for e in events] == [status]


def test_a_refused_parcel_back_in_the_warehouse_returns_its_goods_to_stock_once():
    # given: 2 units shipped (stock consumed), then refused
    from catalog.models import StockRecord

    sub_order, shipment = shipped(items=[({}, 2)], on_hand=10)
    sku_id = sub_order.lines.get().sku_id
    assert StockRecord.objects.get(sku_id=sku_id).on_hand == 8
    body, headers = sandbox_push(
        tracking_no=shipment.tracking_no, events=[("r1", "refused", timezone.now())]
    )
    services.tracking_push_receive(adapter_key="sandbox", body=body, headers=headers)

    # when: back in the warehouse, reported twice
    services.shipment_return_received(shipment_id=shipment.pk, actor=None)
    services.shipment_return_received(shipment_id=shipment.pk, actor=None)

    # then
    stock = StockRecord.objects.get(sku_id=sku_id)
    assert (stock.on_hand, stock.allocated) == (10, 0)
    assert Shipment.objects.get(pk=shipment.pk).returned_at is not None


def test_a_parcel_on_its_way_cannot_be_returned_to_stock():
    from shop.errors import TransitionNotAllowed

    _, shipment = shipped()

    with pytest.raises(TransitionNotAllowed):
        services.shipment_return_received(shipment_id=shipment.pk, actor=None)


def test_a_push_of_many_events_for_one_parcel_looks_the_parcel_up_once():
    # given: a carrier pushes a parcel's whole history at once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, shipment = shipped()
    t0 = timezone.now() - timedelta(hours=6)
    statuses = ["collected", "in_transit", "in_transit", "in_transit", "out_for_delivery"]
    events = [
        ParsedEvent(
            tracking_no=shipment.tracking_no.lower(),
            status=status,
            occurred_at=t0 + timedelta(hours=i),
            description=status,
            location="上海",
            carrier_status=status,
            dedupe_key=f"e{i}",
        )
        for i, status in enumerate(statuses)
    ]
    # when
    with CaptureQueriesContext(connection) as queries:
        result = services.tracking_event_record(carrier_code="sandbox", events=events)
    # then: every event stored, the parcel found with one query rather than one per event
    assert result.stored == len(statuses) and result.unknown == 0
    lookups = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "logistics_shipment"' in q["sql"] and "tracking_no" in q["sql"].split("WHERE")[-1]
    ]
    assert len(lookups) == 1
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.IN_TRANSIT


def test_a_push_repeating_the_parcels_history_reads_its_stored_events_once():
    # given: a parcel's history already stored, then pushed again with one new event
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, shipment = shipped()
    t0 = timezone.now() - timedelta(hours=6)

    def event(i, status):
        return ParsedEvent(
            tracking_no=shipment.tracking_no,
            status=status,
            occurred_at=t0 + timedelta(hours=i),
            description=status,
            location="上海",
            carrier_status=status,
            dedupe_key=f"e{i}",
        )

    history = [event(i, "in_transit") for i in range(5)]
    services.tracking_event_record(carrier_code="sandbox", events=history)

    # when: the whole history again, the newest event twice, and one new event
    with CaptureQueriesContext(connection) as queries:
        result = services.tracking_event_record(
            carrier_code="sandbox", events=[*history, history[-1], event(5, "out_for_delivery")]
        )

    # then: one stored, six duplicates, and the stored events read in one query
    assert (result.stored, result.duplicates) == (1, 6)
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "logistics_trackingevent"' in q["sql"]
    ]
    assert len(reads) == 1
    assert shipment.events.count() == 6
