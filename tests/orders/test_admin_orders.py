"""The orders admin through its real URLs: who sees which orders, read-only records, and the
actions that go through the services."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.actors import actor_for
from orders import services
from orders.models import Order, OrderEvent, PaymentMethod, SubOrder
from tests.catalog.factories import MerchantFactory
from tests.catalog.factories_admin import merchant_staff_user, ops_user
from tests.orders.factories import paid_order, place_order, stock_of, stocked_sku

pytestmark = pytest.mark.django_db

ORDERS = reverse("admin:orders_order_changelist")
SUB_ORDERS = reverse("admin:orders_suborder_changelist")


@pytest.fixture
def shops():
    """Two merchants and an order with a parcel from each, plus an order only from B."""
    a, b = MerchantFactory(name="Shop A"), MerchantFactory(name="Shop B")
    sku_a, sku_b = stocked_sku(merchant=a, on_hand=10), stocked_sku(merchant=b, on_hand=10)
    both = paid_order(items=[(sku_a, 1), (sku_b, 2)])
    only_b = paid_order(items=[(sku_b, 1)])
    return {"a": a, "b": b, "sku_a": sku_a, "sku_b": sku_b, "both": both, "only_b": only_b}


def _client_for(client, user):
    client.force_login(user)
    return client


def test_ops_see_every_order(client, shops):
    # when
    response = _client_for(client, ops_user()).get(ORDERS)

    # then
    assert response.status_code == 200
    content = response.content.decode()
    assert shops["both"].order_no in content
    assert shops["only_b"].order_no in content


def test_merchant_staff_see_only_orders_with_their_parcels(client, shops):
    # given
    staff = merchant_staff_user(merchant=shops["a"])
    client = _client_for(client, staff)

    # when
    listing = client.get(ORDERS).content.decode()
    other = client.get(reverse("admin:orders_order_change", args=[shops["only_b"].pk]))
    own = client.get(reverse("admin:orders_order_change", args=[shops["both"].pk]))

    # then
    assert shops["both"].order_no in listing
    assert shops["only_b"].order_no not in listing
    assert other.status_code in (302, 404)
    assert own.status_code == 200
    page = own.content.decode()
    # of the shared order, only their own parcel and lines
    a_sub = shops["both"].sub_orders.get(merchant=shops["a"])
    b_sub = shops["both"].sub_orders.get(merchant=shops["b"])
    assert a_sub.sub_order_no in page
    assert b_sub.sub_order_no not in page
    assert shops["sku_a"].code in page
    assert shops["sku_b"].code not in page


def test_the_order_page_is_read_only_with_lines_bill_and_timeline(client, shops):
    # given
    order = shops["both"]
    client = _client_for(client, ops_user())
    url = reverse("admin:orders_order_change", args=[order.pk])

    # when
    page = client.get(url)
    post = client.post(url, {"recipient": "Someone else"})

    # then
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="_save"' not in content
    assert 'name="status"' not in content
    assert "timeline" in content.lower()
    assert "pay_succeeded" in content
    assert shops["sku_a"].code in content and shops["sku_b"].code in content
    assert post.status_code == 403
    assert Order.objects.get(pk=order.pk).recipient != "Someone else"


def test_order_list_queries_do_not_grow_with_orders(client, shops):
    # given
    client = _client_for(client, ops_user())
    client.get(ORDERS)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(ORDERS)
    for _ in range(5):
        paid_order(items=[(shops["sku_a"], 1), (shops["sku_b"], 1)])

    # when
    with CaptureQueriesContext(connection) as many:
        response = client.get(ORDERS)

    # then
    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_sub_order_list_offers_no_out_of_stock_close(client, shops):
    # given: closing a parcel as out of stock is after-sales' job now (a refund-only case for
    # the shopper), so the sub-order admin has no action of its own for it
    staff = merchant_staff_user(merchant=shops["a"])
    cod = place_order(items=[(shops["sku_a"], 1)], payment_method=PaymentMethod.COD)
    services.order_cod_confirm(order_no=cod.order_no, actor=actor_for(cod.user))
    sub_order = cod.sub_orders.get()
    client = _client_for(client, staff)

    # when
    listing = client.get(SUB_ORDERS).content.decode()
    client.post(
        SUB_ORDERS,
        {"action": "close_out_of_stock", "_selected_action": [sub_order.pk], "reason": "x"},
        follow=True,
    )

    # then
    assert sub_order.sub_order_no in listing
    assert "close_out_of_stock" not in listing
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.AWAITING_SHIPMENT
    assert stock_of(shops["sku_a"]).allocated == 2  # this parcel's unit and the shared order's
    assert not OrderEvent.objects.filter(sub_order=sub_order, transition="out_of_stock").exists()


def test_sub_order_list_is_scoped_and_filterable_by_status(client, shops):
    # given
    client = _client_for(client, merchant_staff_user(merchant=shops["b"]))
    mine = SubOrder.objects.filter(merchant=shops["b"])

    # when
    listing = client.get(SUB_ORDERS, {"status__exact": "awaiting_shipment"}).content.decode()

    # then
    assert all(s.sub_order_no in listing for s in mine)
    assert shops["both"].sub_orders.get(merchant=shops["a"]).sub_order_no not in listing


def test_ops_cancel_unpaid_orders_and_merchants_cannot(client, shops):
    # given
    sku = stocked_sku(on_hand=3)
    unpaid = place_order(items=[(sku, 2)])

    # when: a merchant's staff does not even get the action
    merchant_page = _client_for(client, merchant_staff_user(merchant=shops["a"])).get(ORDERS)
    assert "cancel_unpaid" not in merchant_page.content.decode()
    client.logout()
    response = _client_for(client, ops_user()).post(
        ORDERS,
        {"action": "cancel_unpaid", "_selected_action": [unpaid.pk, shops["both"].pk]},
        follow=True,
    )

    # then: the unpaid one is cancelled, the paid one refused with a message
    content = response.content.decode()
    assert "1 order cancelled." in content
    assert shops["both"].order_no in content
    assert Order.objects.get(pk=unpaid.pk).status == Order.Status.CANCELLED
    assert Order.objects.get(pk=shops["both"].pk).status == Order.Status.PAID
    assert stock_of(sku).allocated == 0


def test_ops_filter_orders_by_merchant(client, shops):
    # given
    client = _client_for(client, ops_user())

    # when
    page = client.get(ORDERS)
    only_a = client.get(ORDERS, {"sub_orders__merchant__id__exact": shops["a"].pk})

    # then: the filter lists the merchants, and keeps orders with one of A's parcels
    assert page.status_code == 200 and only_a.status_code == 200
    assert f"sub_orders__merchant__id__exact={shops['a'].pk}" in page.content.decode()
    content = only_a.content.decode()
    assert shops["both"].order_no in content
    assert shops["only_b"].order_no not in content
    assert list(only_a.context["cl"].result_list) == [shops["both"]]


def test_merchant_staff_get_no_merchant_filter_naming_other_merchants(client, shops):
    # given
    client = _client_for(client, merchant_staff_user(merchant=shops["a"]))

    # when
    page = client.get(ORDERS)
    tampered = client.get(ORDERS, {"sub_orders__merchant__id__exact": shops["b"].pk})

    # then: no merchant filter (and so no "Shop B"); a hand-made filter stays in their scope
    assert page.status_code == 200
    content = page.content.decode()
    assert "sub_orders__merchant__id__exact" not in content
    assert "Shop B" not in content
    assert tampered.status_code == 200
    assert list(tampered.context["cl"].result_list) == [shops["both"]]


def test_sub_orders_filter_by_payment_method(client, shops):
    # given: a cash-on-delivery parcel from A next to the fixture's paid ones
    cod = place_order(items=[(shops["sku_a"], 1)], payment_method=PaymentMethod.COD)
    services.order_cod_confirm(order_no=cod.order_no, actor=actor_for(cod.user))
    cod_sub = cod.sub_orders.get()
    a_paid = shops["both"].sub_orders.get(merchant=shops["a"])

    for user in (ops_user(), merchant_staff_user(merchant=shops["a"])):
        client = _client_for(client, user)

        # when
        cash = client.get(SUB_ORDERS, {"order__payment_method__exact": "cod"})
        online = client.get(SUB_ORDERS, {"order__payment_method__exact": "alipay"})

        # then
        assert cash.status_code == 200 and online.status_code == 200
        assert "order__payment_method__exact=cod" in client.get(SUB_ORDERS).content.decode()
        assert list(cash.context["cl"].result_list) == [cod_sub]
        assert cod_sub not in list(online.context["cl"].result_list)
        assert a_paid in list(online.context["cl"].result_list)
        client.logout()


def test_filtered_lists_cost_the_same_queries_for_more_rows(client, shops):
    # given
    client = _client_for(client, ops_user())
    merchant_a = {"sub_orders__merchant__id__exact": shops["a"].pk}
    alipay = {"order__payment_method__exact": "alipay"}
    client.get(ORDERS, merchant_a)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few_orders:
        client.get(ORDERS, merchant_a)
    with CaptureQueriesContext(connection) as few_sub_orders:
        client.get(SUB_ORDERS, alipay)
    for _ in range(5):
        paid_order(items=[(shops["sku_a"], 1), (shops["sku_b"], 1)])

    # when
    with CaptureQueriesContext(connection) as many_orders:
        orders = client.get(ORDERS, merchant_a)
    with CaptureQueriesContext(connection) as many_sub_orders:
        sub_orders = client.get(SUB_ORDERS, alipay)

    # then
    assert orders.status_code == 200 and sub_orders.status_code == 200
    assert len(orders.context["cl"].result_list) == 6
    assert len(sub_orders.context["cl"].result_list) == 2 + 1 + 5 * 2
    assert len(many_orders) == len(few_orders)
    assert len(many_sub_orders) == len(few_sub_orders)


def _money_order(shops):
    """A shared order whose totals differ from each merchant's share: A 1 x 99, B 2 x 99,
    19.80 off and 12.00 shipping apportioned over both."""
    return paid_order(
        items=[(shops["sku_a"], 1), (shops["sku_b"], 2)],
        discount=Decimal("19.80"),
        shipping_fee=Decimal("12.00"),
    )


def test_merchant_staff_see_only_their_own_sub_orders_money_on_a_shared_order(client, shops):
    # given
    order = _money_order(shops)
    own = order.sub_orders.get(merchant=shops["a"])
    assert own.payable_amount != order.payable_amount
    client = _client_for(client, merchant_staff_user(merchant=shops["a"]))

    # when
    listing = client.get(ORDERS)
    page = client.get(reverse("admin:orders_order_change", args=[order.pk]))

    # then: their share, never the whole order's goods, discounts, payable
    assert listing.status_code == 200 and page.status_code == 200
    row = next(o for o in listing.context["cl"].result_list if o.pk == order.pk)
    assert row.own_payable == own.payable_amount
    assert "Payable (yours)" in listing.content.decode()
    content = page.content.decode()
    for amount in (own.goods_amount, own.discount_amount, own.shipping_fee, own.payable_amount):
        assert str(amount) in content
    for whole in (order.payable_amount, order.goods_amount, order.promotion_discount):
        assert str(whole) not in content
    assert "held_coupon" not in content and "Coupon used" not in content
    assert "Money (your sub-orders)" in content


def test_ops_still_see_the_whole_orders_money(client, shops):
    # given
    order = _money_order(shops)
    client = _client_for(client, ops_user())

    # when
    listing = client.get(ORDERS)
    page = client.get(reverse("admin:orders_order_change", args=[order.pk]))

    # then
    assert listing.status_code == 200 and page.status_code == 200
    assert str(order.payable_amount) in listing.content.decode()
    content = page.content.decode()
    for whole in (order.payable_amount, order.goods_amount, order.promotion_discount):
        assert str(whole) in content
    assert "Coupon used" in content


def test_merchant_order_list_queries_do_not_grow_with_orders(client, shops):
    # given
    client = _client_for(client, merchant_staff_user(merchant=shops["a"]))
    client.get(ORDERS)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(ORDERS)
    for _ in range(5):
        paid_order(items=[(shops["sku_a"], 1), (shops["sku_b"], 1)])

    # when
    with CaptureQueriesContext(connection) as many:
        response = client.get(ORDERS)

    # then
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1 + 5
    assert len(many) == len(few)
