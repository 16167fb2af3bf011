"""The admin's landing page per role: what merchant staff and operations see first."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import InboxMessage
from payments.models import ReconciliationMismatch, ReconciliationRun
from tests.catalog.factories import MerchantFactory
from tests.catalog.factories_admin import merchant_staff_user, ops_user
from tests.orders.factories import paid_order, stocked_sku

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


@pytest.fixture
def merchant():
    return MerchantFactory(name="鲜果铺")


def test_merchant_staff_land_on_their_merchant_with_orders_to_ship_overdue_first(
    client, merchant, django_assert_max_num_queries
):
    # given: one sub-order paid three days ago (overdue), one paid now, and another merchant's
    sku = stocked_sku(merchant=merchant, on_hand=100, price="50.00")
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        old = paid_order(items=[(sku, 1)])
    old.buyer_note = "请周末送货"
    old.save(update_fields=["buyer_note"])
    new = paid_order(items=[(sku, 2)])
    other = paid_order(items=[(stocked_sku(price="10.00"), 1)])
    client.force_login(merchant_staff_user(merchant))

    # when
    with django_assert_max_num_queries(20):
        response = client.get(ADMIN)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "鲜果铺" in page
    board = response.context["merchant_board"]
    assert [s.sub_order_no for s in board.to_ship] == [
        old.sub_orders.get().sub_order_no,
        new.sub_orders.get().sub_order_no,
    ]
    assert board.to_ship_count == 2 and board.overdue_count == 1
    assert "(overdue)" in page and "请周末送货" in page
    assert other.sub_orders.get().sub_order_no not in page
    # today's sales are the new order's only; the week counts both
    assert board.sales.today_amount == Decimal("100.00")
    assert board.sales.week_amount == Decimal("150.00")
    assert "<svg" in page  # the chart is drawn on the server


def test_merchant_landing_page_lists_low_stock(client, merchant):
    # given
    low = stocked_sku(merchant=merchant, on_hand=3)
    stocked_sku(merchant=merchant, on_hand=80)
    client.force_login(merchant_staff_user(merchant))

    # when
    board = client.get(ADMIN).context["merchant_board"]

    # then
    assert [record.sku_id for record in board.low_stock] == [low.pk]


def test_ops_land_on_the_exceptions_and_per_merchant_figures(
    client, merchant, django_assert_max_num_queries
):
    # given: a sale today and a reconciliation run with a mismatch
    paid_order(items=[(stocked_sku(merchant=merchant, price="30.00"), 1)])
    run = ReconciliationRun.objects.create(day=timezone.localdate(), mismatch_count=1)
    ReconciliationMismatch.objects.create(
        run=run, kind=ReconciliationMismatch.Kind.AMOUNT, subject="payment", reference="P123"
    )
    client.force_login(ops_user())

    # when
    with django_assert_max_num_queries(25):
        response = client.get(ADMIN)

    # then
    board = response.context["ops_board"]
    assert board.mismatches_count == 1 and "P123" in response.content.decode()
    row = next(m for m in board.merchant_rows if m.pk == merchant.pk)
    assert row.sales_today == Decimal("30.00") and row.orders_today == 1 and row.to_ship == 1
    assert "merchant_board" not in response.context


def test_the_bell_counts_unread_messages_and_opens_the_inbox(client, merchant):
    # given
    staff = merchant_staff_user(merchant)
    InboxMessage.objects.create(user=staff, title="新订单", body="请发货")
    InboxMessage.objects.create(user=staff, title="旧消息", body="", is_read=True)
    client.force_login(staff)

    # when
    page = client.get(reverse("admin:catalog_product_changelist")).content.decode()

    # then
    assert 'class="count">1<' in page
    assert f'href="{reverse("notifications:inbox")}"' in page
