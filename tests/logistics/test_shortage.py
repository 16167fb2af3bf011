"""Out of stock found at picking: after-sales refunds the units (through orders/payments) and
then logistics records the shortage, releases the reservation, unpacks, tells the shopper of a
partial shortage, and closes the sub-order as out of stock when nothing is left to ship. No
money moves in logistics."""

from decimal import Decimal

import pytest

from catalog.actors import SYSTEM, actor_for
from catalog.models import StockRecord
from logistics import services
from logistics.models import Shipment, ShortageRecord
from notifications.models import OutboxMessage
from orders import services as order_services
from orders.models import OrderEvent, OrderLine, PaymentMethod, SubOrder
from payments.models import Refund
from shop import events as nodes
from shop.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import merchant_staff, paid_sub_order
from tests.orders.factories import capture_domain_events

pytestmark = pytest.mark.django_db


def _refunded_then_recorded(line, quantity, *, amount, reference="R-TEST", actor=None):
    """What after-sales does: the line's refund record first, then the shortage."""
    order_services.order_line_record_refund(line_id=line.pk, amount=amount, quantity=quantity)
    return services.line_record_shortage(
        line_id=line.pk,
        quantity=quantity,
        reason="Damaged on the shelf",
        actor=actor_for(actor) if actor is not None else SYSTEM,
        refund_amount=amount,
        refund_reference=reference,
    )


def test_part_of_a_line_short_releases_it_unpacks_and_tells_the_shopper():
    # given: 3 units, packed
    sub_order = paid_sub_order(items=[({}, 3)])
    line = sub_order.lines.get()
    staff = merchant_staff(sub_order.merchant)
    services.shipment_pack(sub_order_id=sub_order.pk, actor=actor_for(staff))
    stock_before = StockRecord.objects.get(sku_id=line.sku_id)

    # when
    with capture_domain_events() as events:
        shortage = _refunded_then_recorded(line, 1, amount=Decimal("100.00"), actor=staff)

    # then: recorded as after-sales refunded it, no refund made by logistics
    assert (shortage.quantity, shortage.refund_amount, shortage.refund_reference) == (
        1,
        Decimal("100.00"),
        "R-TEST",
    )
    assert shortage.staff == staff
    assert not Refund.objects.exists()
    stock = StockRecord.objects.get(pk=stock_before.pk)
    assert stock.allocated == stock_before.allocated - 1
    assert events.nodes == [nodes.SUBORDER_OUT_OF_STOCK]
    assert events.events[0].data["amount"] == "100.00"
    message = OutboxMessage.objects.get(
        node=nodes.SUBORDER_OUT_OF_STOCK, recipient=sub_order.order.user, channel="inbox"
    )
    assert sub_order.sub_order_no in message.title
    # the sub-order still ships the rest; its old parcels are packed again
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.AWAITING_SHIPMENT
    assert not Shipment.objects.filter(sub_order=sub_order).exists()


def test_every_line_short_closes_the_sub_order_as_out_of_stock():
    # given: two lines
    sub_order = paid_sub_order(items=[({}, 2), ({}, 1)])
    first, second = sub_order.lines.order_by("pk")

    # when
    _refunded_then_recorded(first, 2, amount=first.paid_amount)
    with capture_domain_events() as events:
        _refunded_then_recorded(second, 1, amount=second.paid_amount)

    # then: closed once, with one timeline row, every reservation released
    closed = SubOrder.objects.get(pk=sub_order.pk)
    assert closed.status == SubOrder.Status.CLOSED
    assert events.nodes == [nodes.SUBORDER_OUT_OF_STOCK]
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="out_of_stock").count() == 1
    for record in StockRecord.objects.filter(sku_id__in=[first.sku_id, second.sku_id]):
        assert record.allocated == 0
    assert ShortageRecord.objects.count() == 2
    assert not Refund.objects.exists()


def test_the_check_raises_what_recording_would_and_changes_nothing():
    sub_order = paid_sub_order(items=[({}, 2)])
    line = sub_order.lines.get()

    # when / then
    assert services.line_shortage_check(line_id=line.pk, quantity=2, actor=SYSTEM) == line
    with pytest.raises(InvalidInput):
        services.line_shortage_check(line_id=line.pk, quantity=3, actor=SYSTEM)
    with pytest.raises(InvalidInput):
        services.line_shortage_check(line_id=line.pk, quantity=0, actor=SYSTEM)
    with pytest.raises(NotFound):
        services.line_shortage_check(line_id=0, quantity=1, actor=SYSTEM)
    with pytest.raises(InvalidInput):
        services.line_record_shortage(
            line_id=line.pk,
            quantity=1,
            reason=" ",
            actor=SYSTEM,
            refund_amount=Decimal("0"),
            refund_reference="",
        )
    assert not ShortageRecord.objects.exists()
    assert OrderLine.objects.get(pk=line.pk).refunded_quantity == 0


def test_a_shipped_sub_order_cannot_be_short():
    sub_order = paid_sub_order()
    services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000300",
        actor=SYSTEM,
    )

    with pytest.raises(TransitionNotAllowed):
        services.line_shortage_check(line_id=sub_order.lines.get().pk, quantity=1, actor=SYSTEM)


def test_a_sub_order_with_a_parcel_shipped_cannot_be_short():
    # given: two parcels, one shipped (the sub-order still awaits its last parcel)
    from tests.logistics.factories import CarrierFactory

    carrier = CarrierFactory(max_weight_grams=1000, tracking_pattern=r"TC\d{8}")
    sub_order = paid_sub_order(items=[({}, 3)])
    first, _ = services.shipment_pack(
        sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=carrier.code
    )
    services.shipment_ship(
        shipment_id=first.pk, carrier_code=carrier.code, tracking_no="TC00000001", actor=SYSTEM
    )

    with pytest.raises(Conflict) as error:
        services.line_shortage_check(line_id=sub_order.lines.get().pk, quantity=1, actor=SYSTEM)
    assert error.value.code == "shipped"


def test_another_merchants_staff_cannot_mark_it_short():
    sub_order = paid_sub_order()
    stranger = merchant_staff(MerchantFactory())

    with pytest.raises(NotFound):
        services.line_shortage_check(
            line_id=sub_order.lines.get().pk, quantity=1, actor=actor_for(stranger)
        )
    with pytest.raises(NotFound):
        services.line_record_shortage(
            line_id=sub_order.lines.get().pk,
            quantity=1,
            reason="x",
            actor=actor_for(stranger),
            refund_amount=Decimal("0"),
            refund_reference="",
        )
    assert not ShortageRecord.objects.exists()


def test_a_cash_on_delivery_line_short_is_recorded_as_the_caller_says():
    sub_order = paid_sub_order(items=[({}, 2)], payment_method=PaymentMethod.COD)
    line = sub_order.lines.get()

    shortage = _refunded_then_recorded(
        line, 1, amount=Decimal("100.00"), reference="COD: not collected"
    )

    assert shortage.refund_reference == "COD: not collected"
    assert not Refund.objects.exists()
    assert OrderLine.objects.get(pk=line.pk).refunded_quantity == 1


def test_unpacking_removes_packed_parcels_and_refuses_once_one_shipped():
    # given: a packed sub-order
    sub_order = paid_sub_order(items=[({}, 2)])
    services.shipment_pack(sub_order_id=sub_order.pk, actor=SYSTEM)

    # when / then
    assert services.sub_order_unpack(sub_order_id=sub_order.pk, actor=SYSTEM) == 1
    assert not Shipment.objects.filter(sub_order=sub_order).exists()
    assert services.sub_order_unpack(sub_order_id=sub_order.pk, actor=SYSTEM) == 0

    # given: shipped
    services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000301",
        actor=SYSTEM,
    )
    with pytest.raises(Conflict) as error:
        services.sub_order_unpack(sub_order_id=sub_order.pk, actor=SYSTEM)
    assert error.value.code == "shipped"


def test_recording_a_shortage_whose_refund_was_not_recorded_is_refused():
    sub_order = paid_sub_order(items=[({}, 2)])
    line = sub_order.lines.get()

    with pytest.raises(Conflict) as error:
        services.line_record_shortage(
            line_id=line.pk,
            quantity=1,
            reason="Sold out",
            actor=SYSTEM,
            refund_amount=Decimal("100.00"),
            refund_reference="R1",
        )

    assert error.value.code == "refund_not_recorded"
    assert not ShortageRecord.objects.exists()
