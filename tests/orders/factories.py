"""Orders built for tests: stocked SKUs, placed (stock-reserving) orders, paid orders and a
recorder of domain events."""

import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import factory
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from catalog.actors import SYSTEM
from catalog.models import StockRecord
from catalog.services.stock import stock_allocate
from orders import services
from orders.models import Order, OrderLine, PaymentMethod
from shop.events import domain_event
from shop.ids import new_business_number
from shop.money import ZERO, apportion
from tests.accounts.factories import AddressFactory, UserFactory
from tests.catalog.factories import (
    MerchantFactory,
    ProductFactory,
    SKUFactory,
    StockRecordFactory,
    WarehouseFactory,
)


class OrderFactory(factory.django.DjangoModelFactory):
    """A bare order row (no lines, no stock): for selectors and admin lists."""

    class Meta:
        model = Order

    order_no = factory.LazyFunction(lambda: new_business_number("O"))
    user = factory.SubFactory(UserFactory)
    payment_method = PaymentMethod.ALIPAY
    recipient = "张三"
    phone = "13800138000"
    province = "上海"
    city = "上海市"
    district = "浦东新区"
    address_detail = "世纪大道 100 号"
    goods_amount = Decimal("99.00")
    payable_amount = Decimal("99.00")
    payment_due_at = factory.LazyFunction(lambda: timezone.now() + settings.ORDER_PAYMENT_TIMEOUT)


def stocked_sku(*, merchant=None, warehouse=None, on_hand=100, price="99.00", region="上海"):
    """A SKU with stock in one warehouse of its merchant (the ledger explains the stock)."""
    merchant = merchant or MerchantFactory()
    sku = SKUFactory(product=ProductFactory(merchant=merchant), price=Decimal(price))
    warehouse = warehouse or WarehouseFactory(merchant=merchant, region=region)
    StockRecordFactory(sku=sku, warehouse=warehouse, on_hand=on_hand)
    return sku


def add_stock(*, sku, warehouse, on_hand):
    return StockRecordFactory(sku=sku, warehouse=warehouse, on_hand=on_hand)


def place_order(
    *,
    user=None,
    items,
    province="上海",
    payment_method=PaymentMethod.ALIPAY,
    shipping_fee=Decimal("0.00"),
    discount=Decimal("0.00"),
    due_at=None,
) -> Order:
    """A pending order made the way order_create makes one, without pricing: SKU prices,
    an optional discount and shipping fee apportioned over lines, stock reserved."""
    user = user or UserFactory()
    goods = [sku.price * quantity for sku, quantity in items]
    goods_total = sum(goods, ZERO)
    discounts = apportion(discount, goods)
    shipping = apportion(shipping_fee, goods)
    payable = goods_total - discount + shipping_fee
    order = OrderFactory(
        user=user,
        payment_method=payment_method,
        province=province,
        goods_amount=goods_total,
        promotion_discount=discount,
        shipping_fee=shipping_fee,
        payable_amount=payable,
        payment_due_at=due_at or timezone.now() + settings.ORDER_PAYMENT_TIMEOUT,
    )
    allocations = stock_allocate(
        lines=[(sku.pk, quantity) for sku, quantity in items],
        region=province,
        order_no=order.order_no,
        actor=SYSTEM,
    )
    by_sku = {sku.pk: (sku, i) for i, (sku, _) in enumerate(items)}
    for allocation in allocations:
        sku, i = by_sku[allocation.sku_id]
        share = Decimal(allocation.quantity) / items[i][1]
        line_goods = (goods[i] * share).quantize(Decimal("0.01"))
        line_discount = (discounts[i] * share).quantize(Decimal("0.01"))
        line_shipping = (shipping[i] * share).quantize(Decimal("0.01"))
        OrderLine.objects.create(
            order=order,
            merchant_id=sku.product.merchant_id,
            warehouse_id=allocation.warehouse_id,
            sku=sku,
            product_title=sku.product.title,
            sku_code=sku.code,
            unit_price=sku.price,
            quantity=allocation.quantity,
            goods_amount=line_goods,
            promotion_discount=line_discount,
            shipping_share=line_shipping,
            paid_amount=line_goods - line_discount + line_shipping,
        )
    return order


def paid_order(**kwargs) -> Order:
    order = place_order(**kwargs)
    return services.order_pay_succeeded(order_id=order.pk, paid_at=timezone.now(), actor=SYSTEM)


def shipped_sub_order(**kwargs):
    order = paid_order(**kwargs)
    sub_order = order.sub_orders.get()
    return services.sub_order_ship(sub_order_id=sub_order.pk, actor=SYSTEM)


def received_sub_order(**kwargs):
    sub_order = shipped_sub_order(**kwargs)
    return services.sub_order_confirm_receipt(sub_order_no=sub_order.sub_order_no, actor=SYSTEM)


def stock_of(sku, warehouse=None) -> StockRecord:
    records = StockRecord.objects.filter(sku=sku)
    if warehouse is not None:
        records = records.filter(warehouse=warehouse)
    return records.get()


def lines_total(order) -> Decimal:
    return order.lines.aggregate(total=Sum("paid_amount"))["total"] or ZERO


@dataclass
class RecordedEvents:
    events: list = field(default_factory=list)

    @property
    def nodes(self) -> list[str]:
        return [event.node for event in self.events]

    def clear(self) -> None:
        self.events.clear()


@contextlib.contextmanager
def capture_domain_events():
    """Record every DomainEvent emitted inside the block, as notifications would receive it."""
    recorded = RecordedEvents()

    def receiver(sender, event, **kwargs):
        recorded.events.append(event)

    domain_event.connect(receiver, weak=False, dispatch_uid="tests.orders.capture")
    try:
        yield recorded
    finally:
        domain_event.disconnect(dispatch_uid="tests.orders.capture")


def shopper_with_address(**kwargs):
    user = UserFactory(**kwargs)
    return user, AddressFactory(user=user, is_default=True)


def due_past(minutes=1):
    return timezone.now() - timedelta(minutes=minutes)
