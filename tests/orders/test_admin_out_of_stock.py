"""The admin's "Close as out of stock" on a sub-order: the shopper gets back what each line paid
(through the gateway they paid with), the stock goes back, the sub-order closes. Cash on delivery
not yet collected is simply no longer owed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import StockRecord
from logistics.models import ShortageRecord
from orders.models import OrderEvent, OrderLine, PaymentMethod, SubOrder
from payments import services as payment_services
from payments.models import Refund
from tests.catalog.factories import MerchantFactory, WarehouseFactory
from tests.catalog.factories_admin import merchant_staff_user, ops_user
from tests.orders.factories import place_order, stocked_sku
from tests.payments.factories import pay_on_cashier

pytestmark = pytest.mark.django_db

SUB_ORDERS = reverse("admin:orders_suborder_changelist")


@pytest.fixture(autouse=True)
def _sandbox_keys_in_tmp(settings, tmp_path_factory):
    """The payments sandbox keeps its keys outside the repository; tests share one set."""
    settings.PAYMENT_SANDBOX_DIR = str(tmp_path_factory.getbasetemp() / "payments-sandbox")


@pytest.fixture
def merchant():
    return MerchantFactory(name="Shop A")


def _two_line_order(merchant, **kwargs):
    warehouse = WarehouseFactory(merchant=merchant, region="上海")
    first = stocked_sku(merchant=merchant, warehouse=warehouse, on_hand=10, price="100.00")
    second = stocked_sku(merchant=merchant, warehouse=warehouse, on_hand=10, price="50.00")
    order = place_order(
        items=[(first, 3), (second, 1)],
        discount=Decimal("30.00"),
        shipping_fee=Decimal("12.00"),
        **kwargs,
    )
    return order, (first, second)


def _close_in_admin(client, user, sub_order, capture, reason="Sold out in this warehouse"):
    client.force_login(user)
    with capture(execute=True):
        return client.post(
            SUB_ORDERS,
            {"action": "close_out_of_stock", "_selected_action": [sub_order.pk], "reason": reason},
            follow=True,
        )


def test_closing_a_paid_sub_order_refunds_every_line_what_it_paid(
    client, merchant, django_capture_on_commit_callbacks
):
    # given: paid through the sandbox gateway, two lines with a discount and shipping
    order, skus = _two_line_order(merchant)
    payment = payment_services.payment_start(
        order_no=order.order_no, user=order.user, method="alipay"
    )
    with django_capture_on_commit_callbacks(execute=True):
        pay_on_cashier(payment)
    sub_order = order.sub_orders.get()
    paid = {line.pk: line.paid_amount for line in sub_order.lines.all()}
    assert sum(paid.values()) == order.payable_amount
    staff = merchant_staff_user(merchant=merchant)

    # when
    response = _close_in_admin(client, staff, sub_order, django_capture_on_commit_callbacks)

    # then: one refund per line for exactly its paid share, confirmed by the gateway
    assert response.status_code == 200
    assert "1 sub-order(s) closed as out of stock" in response.content.decode()
    refunds = {r.order_line_id: r for r in Refund.objects.all()}
    assert set(refunds) == set(paid)
    for line_id, amount in paid.items():
        assert refunds[line_id].amount == amount
        assert refunds[line_id].status == Refund.Status.SUCCEEDED
        line = OrderLine.objects.get(pk=line_id)
        assert line.refunded_amount == line.paid_amount
        assert line.refunded_quantity == line.quantity
    closed = SubOrder.objects.get(pk=sub_order.pk)
    assert closed.status == SubOrder.Status.CLOSED
    assert "Sold out in this warehouse" in closed.close_reason
    event = OrderEvent.objects.get(sub_order=sub_order, transition="out_of_stock")
    assert event.actor == staff
    assert ShortageRecord.objects.filter(sub_order=sub_order).count() == 2
    for sku in skus:
        stock = StockRecord.objects.get(sku=sku)
        assert stock.allocated == 0 and stock.on_hand == 10


def test_closing_a_cod_sub_order_refunds_nothing_and_closes(
    client, merchant, django_capture_on_commit_callbacks
):
    # given: cash on delivery, confirmed, nothing collected yet
    from orders import services as order_services

    order, skus = _two_line_order(merchant, payment_method=PaymentMethod.COD)
    order_services.order_cod_confirm(order_no=order.order_no, actor=order.user)
    sub_order = order.sub_orders.get()

    # when
    response = _close_in_admin(client, ops_user(), sub_order, django_capture_on_commit_callbacks)

    # then
    assert "1 sub-order(s) closed as out of stock" in response.content.decode()
    assert not Refund.objects.exists()
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.CLOSED
    for sku in skus:
        assert StockRecord.objects.get(sku=sku).allocated == 0


def test_a_shipped_sub_order_is_refused_with_a_message_and_nothing_changes(
    client, merchant, django_capture_on_commit_callbacks
):
    # given: a paid sub-order already handed to the carrier
    from orders import services as order_services

    order, skus = _two_line_order(merchant, payment_method=PaymentMethod.COD)
    order_services.order_cod_confirm(order_no=order.order_no, actor=order.user)
    sub_order = order.sub_orders.get()
    order_services.sub_order_ship(sub_order_id=sub_order.pk, actor=None)

    # when
    response = _close_in_admin(client, ops_user(), sub_order, django_capture_on_commit_callbacks)

    # then
    content = response.content.decode()
    assert sub_order.sub_order_no in content
    assert "closed as out of stock" not in content
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.SHIPPED
    assert not ShortageRecord.objects.exists()
    assert not OrderLine.objects.filter(sub_order=sub_order, refunded_quantity__gt=0).exists()
