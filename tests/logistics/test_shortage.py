"""Out of stock found at picking: the shortage is recorded, the line's paid share refunded
through payments, the reservation released, the shopper told; the sub-order closes when nothing
is left to ship."""

from decimal import Decimal

import pytest

from catalog.models import StockRecord
from logistics import services
from logistics.models import Shipment, ShortageRecord
from notifications.models import OutboxMessage
from orders.models import OrderEvent, OrderLine, SubOrder
from payments.models import Refund
from shop import events as nodes
from shop.errors import InvalidInput, NotFound, TransitionNotAllowed
from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import merchant_staff, paid_sub_order
from tests.orders.factories import capture_domain_events

pytestmark = pytest.mark.django_db


def test_part_of_a_line_short_refunds_its_share_and_tells_the_shopper(sandbox_paid_sub_order):
    # given: 3 units at 100 with a 30 discount: the line paid 270
    sub_order = sandbox_paid_sub_order(quantities=(3,), discount="30.00")
    line = sub_order.lines.get()
    assert line.paid_amount == Decimal("270.00")
    staff = merchant_staff(sub_order.merchant)
    services.shipment_pack(sub_order_id=sub_order.pk, actor=staff)
    stock_before = StockRecord.objects.get(sku_id=line.sku_id)

    # when
    with capture_domain_events() as events:
        shortage = services.line_mark_out_of_stock(
            line_id=line.pk, quantity=1, reason="Damaged on the shelf", actor=staff
        )

    # then: one unit's paid share (90, not the 100 list price) goes back through the gateway
    refund = Refund.objects.get(refund_no=shortage.refund_reference)
    assert refund.amount == shortage.refund_amount == Decimal("90.00")
    assert refund.order_line_id == line.pk and refund.quantity == 1
    line = OrderLine.objects.get(pk=line.pk)
    assert (line.refunded_amount, line.refunded_quantity) == (Decimal("90.00"), 1)
    assert line.refunded_amount <= line.paid_amount
    stock = StockRecord.objects.get(pk=stock_before.pk)
    assert stock.allocated == stock_before.allocated - 1
    assert events.nodes == [nodes.SUBORDER_OUT_OF_STOCK]
    assert events.events[0].shopper_id == sub_order.order.user_id
    message = OutboxMessage.objects.get(
        node=nodes.SUBORDER_OUT_OF_STOCK, recipient=sub_order.order.user, channel="inbox"
    )
    assert sub_order.sub_order_no in message.title
    # the sub-order still ships the rest; its old parcels are packed again
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.AWAITING_SHIPMENT
    assert not Shipment.objects.filter(sub_order=sub_order).exists()
    assert ShortageRecord.objects.get().staff == staff


def test_every_line_short_closes_the_sub_order_as_out_of_stock(sandbox_paid_sub_order):
    # given: two lines
    sub_order = sandbox_paid_sub_order(quantities=(2, 1), shipping_fee="10.00")
    first, second = sub_order.lines.order_by("pk")

    # when
    services.line_mark_out_of_stock(line_id=first.pk, quantity=2, reason="Sold out", actor=None)
    with capture_domain_events() as events:
        services.line_mark_out_of_stock(
            line_id=second.pk, quantity=1, reason="Sold out", actor=None
        )

    # then: closed once, with one timeline row; the shopper got back every cent paid
    closed = SubOrder.objects.get(pk=sub_order.pk)
    assert closed.status == SubOrder.Status.CLOSED
    assert events.nodes == [nodes.SUBORDER_OUT_OF_STOCK]
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="out_of_stock").count() == 1
    refunded = sum(Refund.objects.values_list("amount", flat=True), Decimal("0"))
    assert refunded == closed.order.payable_amount
    for record in StockRecord.objects.filter(sku_id__in=[first.sku_id, second.sku_id]):
        assert record.allocated == 0


def test_more_units_than_are_left_is_bad_input(sandbox_paid_sub_order):
    sub_order = sandbox_paid_sub_order(quantities=(2,))
    line = sub_order.lines.get()

    with pytest.raises(InvalidInput):
        services.line_mark_out_of_stock(line_id=line.pk, quantity=3, reason="x", actor=None)
    with pytest.raises(InvalidInput):
        services.line_mark_out_of_stock(line_id=line.pk, quantity=1, reason=" ", actor=None)
    assert not Refund.objects.exists()


def test_a_shipped_sub_order_cannot_be_short():
    sub_order = paid_sub_order()
    services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000300",
        actor=None,
    )

    with pytest.raises(TransitionNotAllowed):
        services.line_mark_out_of_stock(
            line_id=sub_order.lines.get().pk, quantity=1, reason="x", actor=None
        )


def test_another_merchants_staff_cannot_mark_it_short(sandbox_paid_sub_order):
    sub_order = sandbox_paid_sub_order()
    stranger = merchant_staff(MerchantFactory())

    with pytest.raises(NotFound):
        services.line_mark_out_of_stock(
            line_id=sub_order.lines.get().pk, quantity=1, reason="x", actor=stranger
        )
    assert not ShortageRecord.objects.exists()


def test_a_cash_on_delivery_line_short_is_simply_no_longer_owed():
    from orders.models import PaymentMethod

    sub_order = paid_sub_order(items=[({}, 2)], payment_method=PaymentMethod.COD)
    line = sub_order.lines.get()

    shortage = services.line_mark_out_of_stock(
        line_id=line.pk, quantity=1, reason="Sold out", actor=None
    )

    assert shortage.refund_reference == "COD: not collected"
    assert not Refund.objects.exists()
    assert OrderLine.objects.get(pk=line.pk).refunded_quantity == 1
