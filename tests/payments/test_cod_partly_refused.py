"""Cash on delivery with two sub-orders: one parcel paid at the door, the other refused. The
cash that was collected is recorded (the payment succeeds at what was collected), whichever
happens first, so the collected part can be refunded."""

from decimal import Decimal

import pytest

from catalog.actors import actor_for
from logistics import services as logistics_services
from logistics.models import Shipment
from orders.models import PaymentMethod
from orders.services import order_cod_confirm
from payments import services
from payments.models import Payment, Refund
from tests.catalog.factories import MerchantFactory, StockRecordFactory, WarehouseFactory
from tests.logistics.factories import CarrierFactory, push, sku_of
from tests.orders.factories import place_order

pytestmark = pytest.mark.django_db


def _cod_order_of_two_merchants():
    items = []
    for price in ("60.00", "40.00"):
        merchant = MerchantFactory()
        warehouse = WarehouseFactory(merchant=merchant, region="上海")
        sku = sku_of(merchant=merchant, price=price)
        StockRecordFactory(sku=sku, warehouse=warehouse, on_hand=5, location="A-01-01")
        items.append((sku, 1))
    order = place_order(items=items, payment_method=PaymentMethod.COD)
    return order_cod_confirm(order_no=order.order_no, actor=actor_for(order.user))


def _ship(sub_order, carrier, tracking_no):
    [parcel] = logistics_services.shipment_pack(
        sub_order_id=sub_order.pk, actor=None, carrier_code=carrier.code
    )
    logistics_services.shipment_ship(
        shipment_id=parcel.pk, carrier_code=carrier.code, tracking_no=tracking_no, actor=None
    )
    return Shipment.objects.get(pk=parcel.pk)


@pytest.mark.parametrize("collected_first", [True, False])
def test_collected_cash_is_recorded_when_the_other_parcel_is_refused(collected_first):
    # given: two sub-orders on their way, 60.00 and 40.00
    order = _cod_order_of_two_merchants()
    carrier = CarrierFactory(tracking_pattern=r"TC\d{8}")
    kept, refused = sorted(order.sub_orders.all(), key=lambda s: -s.payable_amount)
    kept_parcel = _ship(kept, carrier, "TC00000001")
    refused_parcel = _ship(refused, carrier, "TC00000002")
    # when: one is paid for at the door, the other refused, in either order
    steps = [(kept_parcel, "signed"), (refused_parcel, "refused")]
    for parcel, status in steps if collected_first else reversed(steps):
        push(carrier.code, parcel.tracking_no, status)
    # then: the cash collected is a succeeded payment of 60.00
    payment = Payment.objects.get(order=order, method=PaymentMethod.COD)
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.amount == Decimal("60.00")
    # and the collected part can be refunded (by hand: cash on delivery)
    refund = services.payment_refund(
        order_line_id=kept.lines.get().pk, amount=Decimal("60.00"), reason="Returned"
    )
    assert refund.status == Refund.Status.PROCESSING and refund.manual_payout
