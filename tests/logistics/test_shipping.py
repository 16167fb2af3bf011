"""Shipping parcels: tracking numbers checked per carrier, the sub-order ships with its last
parcel (stock consumed, timeline, shopper told), bulk ship from a file with a row report."""

import pytest

from catalog.actors import SYSTEM, Role, actor_for
from catalog.models import StockRecord
from logistics import services
from logistics.models import Carrier, Shipment
from orders.models import OrderEvent, SubOrder
from shop import events as nodes
from shop.errors import Conflict, InvalidInput, NotFound
from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import CarrierFactory, merchant_staff, paid_sub_order
from tests.orders.factories import capture_domain_events

pytestmark = pytest.mark.django_db


def fresh(sub_order):
    return SubOrder.objects.get(pk=sub_order.pk)


@pytest.mark.parametrize(
    ("code", "tracking_no"),
    [
        ("SF", "SF1460123456789"),
        ("SF", "sf146012345678"),  # lower case is normalised
        ("ZTO", "75123456789012"),
        ("ZTO", "731234567890"),
        ("YTO", "YT6012345678901"),
        ("JD", "JDVA12345678901"),
        ("sandbox", "SBX2026112501"),
    ],
)
def test_real_carriers_accept_their_own_tracking_numbers(code, tracking_no):
    assert Carrier.objects.get(code=code).tracking_no_is_valid(tracking_no.upper())


@pytest.mark.parametrize(
    ("code", "tracking_no"),
    [
        ("SF", "SF123"),
        ("SF", "75123456789012"),
        ("ZTO", "SF1460123456789"),
        ("YTO", "YT123"),
        ("JD", "JD12"),
        ("sandbox", ""),
    ],
)
def test_a_tracking_number_of_the_wrong_format_is_refused(code, tracking_no):
    # given
    sub_order = paid_sub_order()
    (parcel,) = services.shipment_pack(sub_order_id=sub_order.pk, actor=SYSTEM)

    # when / then
    with pytest.raises(InvalidInput) as error:
        services.shipment_ship(
            shipment_id=parcel.pk, carrier_code=code, tracking_no=tracking_no, actor=SYSTEM
        )
    assert error.value.code == "invalid_tracking_no"
    assert fresh(sub_order).status == SubOrder.Status.AWAITING_SHIPMENT


def test_the_sub_order_ships_when_its_last_parcel_ships():
    # given: two parcels of 4 units of 1 kg each and 4 units in stock reserved
    carrier = CarrierFactory(max_weight_grams=2000)
    sub_order = paid_sub_order(items=[({"weight": 1000}, 4)], on_hand=10)
    line = sub_order.lines.get()
    first, second = services.shipment_pack(
        sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=carrier.code
    )
    staff = merchant_staff(sub_order.merchant)

    # when: the first parcel ships
    with capture_domain_events() as events:
        services.shipment_ship(
            shipment_id=first.pk,
            carrier_code="SF",
            tracking_no="SF1460000000001",
            actor=actor_for(staff),
        )

    # then: the sub-order still waits for the other parcel; the shopper hears of one parcel
    assert fresh(sub_order).status == SubOrder.Status.AWAITING_SHIPMENT
    assert events.nodes == [nodes.SHIPMENT_SHIPPED]
    shipped = events.events[0]
    assert shipped.shopper_id == sub_order.order.user_id
    assert shipped.merchant_id == sub_order.merchant_id
    assert shipped.data["tracking_no"] == "SF1460000000001"
    assert shipped.data["sub_order_no"] == sub_order.sub_order_no
    assert shipped.data["path"] == f"/orders/{sub_order.order.order_no}/"

    # when: the second ships
    with capture_domain_events() as events:
        services.shipment_ship(
            shipment_id=second.pk,
            carrier_code="ZTO",
            tracking_no="75000000000001",
            actor=actor_for(staff),
        )

    # then: shipped, stock consumed, one timeline row by the merchant
    shipped = fresh(sub_order)
    assert shipped.status == SubOrder.Status.SHIPPED
    assert shipped.auto_confirm_at is not None
    assert events.nodes == [nodes.SHIPMENT_SHIPPED, nodes.SUBORDER_SHIPPED]
    stock = StockRecord.objects.get(sku_id=line.sku_id)
    assert (stock.on_hand, stock.allocated) == (6, 0)
    event = OrderEvent.objects.get(sub_order=sub_order, transition="ship")
    assert event.actor == staff and event.actor_kind == Role.MERCHANT
    assert "SF1460000000001" in event.note and "75000000000001" in event.note


def test_shipping_the_same_parcel_twice_with_the_same_number_changes_nothing():
    sub_order = paid_sub_order()
    (parcel,) = services.shipment_pack(sub_order_id=sub_order.pk, actor=SYSTEM)
    services.shipment_ship(
        shipment_id=parcel.pk, carrier_code="sandbox", tracking_no="SBX0000000001", actor=SYSTEM
    )

    with capture_domain_events() as events:
        services.shipment_ship(
            shipment_id=parcel.pk, carrier_code="sandbox", tracking_no="SBX0000000001", actor=SYSTEM
        )

    assert events.nodes == []
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="ship").count() == 1


def test_a_tracking_number_already_used_by_another_parcel_is_a_conflict():
    one, two = paid_sub_order(), paid_sub_order()
    services.sub_order_ship_next_parcel(
        sub_order_no=one.sub_order_no,
        carrier_code="SF",
        tracking_no="SF1460000000009",
        actor=SYSTEM,
    )

    with pytest.raises(Conflict) as error:
        services.sub_order_ship_next_parcel(
            sub_order_no=two.sub_order_no,
            carrier_code="SF",
            tracking_no="SF1460000000009",
            actor=SYSTEM,
        )
    assert error.value.code == "tracking_no_taken"
    assert fresh(two).status == SubOrder.Status.AWAITING_SHIPMENT


def test_another_merchants_staff_cannot_ship_it():
    sub_order = paid_sub_order()
    stranger = merchant_staff(MerchantFactory())

    with pytest.raises(NotFound):
        services.sub_order_ship_next_parcel(
            sub_order_no=sub_order.sub_order_no,
            carrier_code="sandbox",
            tracking_no="SBX0000000002",
            actor=actor_for(stranger),
        )


def test_bulk_ship_ships_every_row_when_all_are_good():
    # given
    merchant = MerchantFactory()
    staff = merchant_staff(merchant)
    one, two = paid_sub_order(merchant=merchant), paid_sub_order(merchant=merchant)
    rows = [
        {"sub_order_no": one.sub_order_no, "carrier": "SF", "tracking_no": "SF1460000000101"},
        {"sub_order_no": two.sub_order_no, "carrier": "yto", "tracking_no": "yt6000000000102"},
    ]

    # when
    report = services.shipments_bulk_ship(rows=rows, actor=actor_for(staff))

    # then
    assert report.applied and not report.errors
    assert fresh(one).status == fresh(two).status == SubOrder.Status.SHIPPED
    assert Shipment.objects.get(sub_order=two).tracking_no == "YT6000000000102"


def test_bulk_ship_with_bad_rows_reports_each_and_ships_nothing():
    # given: a good row, a bad number, an unknown sub-order, another merchant's sub-order
    merchant = MerchantFactory()
    staff = merchant_staff(merchant)
    good, bad_number = paid_sub_order(merchant=merchant), paid_sub_order(merchant=merchant)
    foreign = paid_sub_order()
    rows = [
        {"sub_order_no": good.sub_order_no, "carrier": "SF", "tracking_no": "SF1460000000201"},
        {"sub_order_no": bad_number.sub_order_no, "carrier": "SF", "tracking_no": "12345"},
        {"sub_order_no": "S-NOPE", "carrier": "SF", "tracking_no": "SF1460000000203"},
        {"sub_order_no": foreign.sub_order_no, "carrier": "SF", "tracking_no": "SF1460000000204"},
        {"sub_order_no": good.sub_order_no, "carrier": "DHL", "tracking_no": "1"},
    ]

    # when
    report = services.shipments_bulk_ship(rows=rows, actor=actor_for(staff))

    # then: every bad row is named with its line in the file; nothing shipped
    assert not report.applied
    assert [(r.number, r.ok) for r in report.rows] == [
        (2, True),
        (3, False),
        (4, False),
        (5, False),
        (6, False),
    ]
    assert "not a SF Express" in report.rows[1].message
    assert report.rows[2].message == report.rows[3].message == "Sub-order not found."
    assert "Unknown carrier" in report.rows[4].message
    assert fresh(good).status == SubOrder.Status.AWAITING_SHIPMENT
    assert not Shipment.objects.filter(sub_order=good).exists()


def test_bulk_ship_says_when_a_row_leaves_parcels_of_its_sub_order_packed():
    # given: a sub-order packed as two parcels, and a file with one row for it
    carrier = CarrierFactory(max_weight_grams=1000, tracking_pattern=r"TC\d{8}")
    merchant = MerchantFactory()
    staff = merchant_staff(merchant)
    sub_order = paid_sub_order(merchant=merchant, items=[({"weight": 800}, 2)])
    services.shipment_pack(
        sub_order_id=sub_order.pk, actor=actor_for(staff), carrier_code=carrier.code
    )
    rows = [
        {
            "sub_order_no": sub_order.sub_order_no,
            "carrier": carrier.code,
            "tracking_no": "TC00000011",
        }
    ]

    # when
    report = services.shipments_bulk_ship(rows=rows, actor=actor_for(staff))

    # then: shipped, but the row says the sub-order is still waiting for its other parcel
    assert report.applied and report.notes == report.rows
    assert "1 of 2 parcels shipped; 1 still packed: add a row for it" in report.rows[0].note
    assert fresh(sub_order).status == SubOrder.Status.AWAITING_SHIPMENT

    # when: the next file ships the other parcel
    rows[0]["tracking_no"] = "TC00000012"
    report = services.shipments_bulk_ship(rows=rows, actor=actor_for(staff))

    # then
    assert report.applied and not report.notes
    assert fresh(sub_order).status == SubOrder.Status.SHIPPED


def test_bulk_ship_takes_the_order_number_when_the_order_has_one_sub_order_of_the_merchant():
    merchant = MerchantFactory()
    staff = merchant_staff(merchant)
    sub_order = paid_sub_order(merchant=merchant)
    rows = [
        {
            "sub_order_no": sub_order.order.order_no,
            "carrier": "SF",
            "tracking_no": "SF1460000000301",
        }
    ]

    report = services.shipments_bulk_ship(rows=rows, actor=actor_for(staff))

    assert report.applied, report.rows
    assert sub_order.sub_order_no in report.rows[0].message
    assert fresh(sub_order).status == SubOrder.Status.SHIPPED


def test_bulk_ship_refuses_an_order_number_with_several_sub_orders_of_the_merchant():
    # given: one order, two warehouses of the same merchant, so two sub-orders
    from tests.catalog.factories import StockRecordFactory, WarehouseFactory
    from tests.logistics.factories import sku_of
    from tests.orders.factories import paid_order

    merchant = MerchantFactory()
    staff = merchant_staff(merchant)
    items = []
    for _ in range(2):
        sku = sku_of(merchant=merchant)
        StockRecordFactory(sku=sku, warehouse=WarehouseFactory(merchant=merchant), on_hand=5)
        items.append((sku, 1))
    order = paid_order(items=items)
    assert order.sub_orders.count() == 2
    rows = [{"sub_order_no": order.order_no, "carrier": "SF", "tracking_no": "SF1460000000302"}]

    # when
    report = services.shipments_bulk_ship(rows=rows, actor=actor_for(staff))

    # then: a clear row error naming the sub-orders, nothing shipped
    assert not report.applied
    assert "has 2 sub-orders" in report.rows[0].message
    assert "use the sub-order number" in report.rows[0].message
    assert not Shipment.objects.filter(sub_order__order=order).exclude(status="packed").exists()


def test_bulk_ship_page_warns_about_parcels_left_packed(client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    carrier = CarrierFactory(max_weight_grams=1000, tracking_pattern=r"TC\d{8}")
    merchant = MerchantFactory()
    staff = merchant_staff(merchant)
    sub_order = paid_sub_order(merchant=merchant, items=[({"weight": 800}, 2)])
    services.shipment_pack(
        sub_order_id=sub_order.pk, actor=actor_for(staff), carrier_code=carrier.code
    )
    client.force_login(staff)
    content = (
        f"sub_order_no,carrier,tracking_no\n{sub_order.sub_order_no},{carrier.code},TC00000021\n"
    )

    response = client.post(
        reverse("admin:logistics_shipment_bulk_ship"),
        {"file": SimpleUploadedFile("ship.csv", content.encode(), content_type="text/csv")},
        follow=True,
    )

    html = response.content.decode()
    assert "1 still packed: add a row for it" in html
    assert "1 row leaves parcels of its sub-order packed" in html
