"""The admin's own texts written in Python (list column titles, filters, actions, the messages
after an action) speak Chinese to a merchant or operator whose browser asks for it, and English
otherwise (the suite's default)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.actors import SYSTEM, actor_for
from catalog.models import Product, StockRecord
from orders.models import Order
from payments import services as payment_services
from reviews.services import review_create, review_reply
from tests.catalog.factories import MerchantFactory, ProductFactory, SKUFactory, StockRecordFactory
from tests.catalog.factories_admin import merchant_staff_user, ops_user
from tests.orders.factories import paid_order, place_order, stocked_sku
from tests.payments.factories import pending_order
from tests.reviews.factories import received_line

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def column_titles(page: str) -> list[str]:
    """The visible titles of a change list's columns (the checkbox column has none)."""
    cells = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', page, re.S)
    titles = (re.sub(r"<[^>]+>", " ", cell) for cell in cells)
    return [" ".join(title.split()) for title in titles if title.strip()]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_merchant_reads_the_product_list_in_chinese(client):
    merchant = MerchantFactory()
    SKUFactory(product=ProductFactory(merchant=merchant, title="青瓷茶杯"))
    client.force_login(merchant_staff_user(merchant))

    page = client.get(reverse("admin:catalog_product_changelist"), **ZH).content.decode()

    titles = column_titles(page)
    assert {"可售", "在售", "精选推荐"} <= set(titles)
    assert not {"Sellable", "On sale", "Featured"} & set(titles)
    # the stock filter and its choices, the actions of the list
    assert "缺货" in page and "库存紧张（1–10）" in page and "有货（10 以上）" in page
    assert "上架所选商品" in page and "取消推荐所选商品" in page
    assert "Put selected products on sale" not in page
    english = client.get(reverse("admin:catalog_product_changelist"), **EN).content.decode()
    assert {"Sellable", "On sale"} <= set(column_titles(english))


def test_putting_products_on_sale_is_reported_in_chinese(client):
    merchant = MerchantFactory()
    with_sku = ProductFactory(merchant=merchant, title="青瓷茶杯", is_active=False)
    SKUFactory(product=with_sku, price=Decimal("35.00"))
    without_sku = ProductFactory(merchant=merchant, title="空壳商品", is_active=False)
    client.force_login(merchant_staff_user(merchant))

    response = client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "put_on_sale", "_selected_action": [with_sku.pk, without_sku.pk]},
        follow=True,
        **ZH,
    )

    assert messages_of(response) == [
        "1 件商品已上架。",
        "以下商品没有启用的 SKU，未上架：空壳商品",
    ]
    assert Product.objects.get(pk=with_sku.pk).is_active
    assert not Product.objects.get(pk=without_sku.pk).is_active


def test_the_stock_filter_in_chinese_lists_only_what_it_says(client):
    merchant = MerchantFactory()
    in_stock = stocked_sku(merchant=merchant, on_hand=3).product
    Product.objects.filter(pk=in_stock.pk).update(title="有货的杯子")
    SKUFactory(product=ProductFactory(merchant=merchant, title="卖光的杯子"))
    client.force_login(merchant_staff_user(merchant))

    page = client.get(
        reverse("admin:catalog_product_changelist"), {"stock": "out"}, **ZH
    ).content.decode()

    assert "卖光的杯子" in page and "有货的杯子" not in page
    assert 'class="selected"' in page and "缺货" in page


def test_operations_read_and_cancel_orders_in_chinese(client):
    unpaid = place_order(items=[(stocked_sku(on_hand=3), 1)])
    client.force_login(ops_user())
    orders = reverse("admin:orders_order_changelist")

    page = client.get(orders, **ZH).content.decode()
    response = client.post(
        orders,
        {"action": "cancel_unpaid", "_selected_action": [unpaid.pk]},
        follow=True,
        **ZH,
    )

    assert "买家看到的状态" in column_titles(page)
    assert "Shopper sees" not in page
    assert "取消所选未付款订单（退回库存和优惠券）" in page
    assert "已取消 1 个订单。" in messages_of(response)
    assert Order.objects.get(pk=unpaid.pk).status == Order.Status.CANCELLED


def test_a_merchant_reads_its_orders_money_in_chinese(client):
    merchant = MerchantFactory()
    paid_order(items=[(stocked_sku(merchant=merchant, on_hand=5), 1)])
    client.force_login(merchant_staff_user(merchant))

    page = client.get(reverse("admin:orders_order_changelist"), **ZH).content.decode()

    assert "应付金额（您的）" in column_titles(page)
    assert "Payable (yours)" not in page


def test_the_review_reply_filter_and_its_columns_in_chinese(client):
    merchant = MerchantFactory()
    staff = merchant_staff_user(merchant)
    waiting = review_create(
        actor=actor_for((line := received_line(merchant=merchant)).order.user),
        order_line_id=line.pk,
        rating=5,
        text="杯子很好看",
    )
    answered = review_create(
        actor=actor_for((line := received_line(merchant=merchant)).order.user),
        order_line_id=line.pk,
        rating=4,
        text="发货有点慢",
    )
    review_reply(review_id=answered.pk, actor=actor_for(staff), text="抱歉，已加快")
    client.force_login(staff)

    page = client.get(
        reverse("admin:reviews_review_changelist"), {"replied": "no"}, **ZH
    ).content.decode()

    assert "待回复" in page and "已回复" in page and "商家回复" in page
    assert {"评分", "内容", "晒图", "已回复"} <= set(column_titles(page))
    assert not {"rating", "text", "pictures", "replied"} & set(column_titles(page))
    assert waiting.text in page and answered.text not in page


def test_operations_read_refunds_and_parcels_in_chinese(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PAYMENT_SANDBOX_DIR = str(tmp_path)
    # a cash-on-delivery order collected at the door, then refunded: paid out by hand
    order = pending_order(price="45.00")
    payment_services.payment_start(
        order_no=order.order_no, actor=actor_for(order.user), method="cod"
    )
    payment_services.cod_collect(sub_order_id=order.sub_orders.get().pk, actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_refund(
            order_line_id=order.lines.get().pk, amount=Decimal("45.00"), reason="退货", actor=SYSTEM
        )
    client.force_login(ops_user())

    refunds = client.get(reverse("admin:payments_refund_changelist"), **ZH).content.decode()
    parcels = client.get(reverse("admin:logistics_shipment_changelist"), **ZH).content.decode()

    assert {"支付单", "退款方式"} <= set(column_titles(refunds))
    assert '<td class="field-payout">待人工打款</td>' in refunds
    assert "重试退款" in refunds and "Retry refund" not in refunds
    assert "丢件，待处理" in parcels and "丢件，已处理" in parcels
    assert "Lost, to settle" not in parcels


def test_a_merchant_reads_a_product_page_and_an_order_page_in_chinese(client):
    merchant = MerchantFactory()
    sku = stocked_sku(merchant=merchant, on_hand=5)
    order = paid_order(items=[(sku, 1)])
    client.force_login(merchant_staff_user(merchant))

    product = client.get(
        reverse("admin:catalog_product_change", args=[sku.product_id]), **ZH
    ).content.decode()
    order_page = client.get(
        reverse("admin:orders_order_change", args=[order.pk]), **ZH
    ).content.decode()

    assert "各仓库存" in product and "实物库存" in product and "已占用" in product
    assert "修改库存" in product and f"将 {sku.code} 入库到仓库" in product
    assert "Stock per warehouse" not in product and "On hand" not in product
    assert "金额（您的子订单）" in order_page and "收货地址（下单时）" in order_page
    assert "Money (your sub-orders)" not in order_page


def test_the_stock_form_asks_and_refuses_in_chinese(client):
    record = StockRecordFactory(on_hand=20, allocated=5, location="A-01")
    client.force_login(merchant_staff_user(record.sku.product.merchant))
    url = reverse("admin:catalog_stockrecord_change", args=[record.pk])
    form = {"location": "A-01", "new_on_hand": "", "adjust_by": "", "reason": ""}

    page = client.get(url, **ZH).content.decode()
    no_reason = client.post(url, {**form, "adjust_by": "3"}, **ZH).content.decode()
    too_low = client.post(
        url, {**form, "new_on_hand": "2", "reason": "盘点"}, **ZH
    ).content.decode()

    assert "盘点后实物库存" in page and "调整数量" in page and "库存流水" in page
    assert "盘点后仓库中现有的数量。" in page
    assert "请说明库存变动的原因。" in no_reason
    assert "实物库存不能低于订单已占用的 5 件（按此修改将变为 2）。" in too_low
    assert StockRecord.objects.get(pk=record.pk).on_hand == 20
