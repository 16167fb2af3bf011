"""Close reasons and timeline notes are stored in English (orders/wording.py) and shown in the
reader's language: a note stored before the translation reads the same as one stored after."""

import pytest

from catalog.actors import actor_for
from orders import services as order_services
from orders import wording
from orders.models import Order, OrderEvent
from tests.accounts.factories import CustomerProfileFactory
from tests.orders.factories import paid_order, place_order, stocked_sku

pytestmark = pytest.mark.django_db


def test_the_order_page_shows_stored_notes_in_chinese_on_a_chinese_page(client):
    # given a shopper's paid order (its timeline note stored in English) and one they cancelled
    shopper = CustomerProfileFactory().user
    paid = paid_order(user=shopper, items=[(stocked_sku(), 1)])
    pending = place_order(user=shopper, items=[(stocked_sku(), 1)])
    order_services.order_cancel(order_no=pending.order_no, actor=actor_for(shopper))
    assert OrderEvent.objects.filter(order=paid, note="Payment received").exists()
    assert Order.objects.get(pk=pending.pk).close_reason == "Cancelled by shopper"
    client.force_login(shopper)

    # when the shopper reads both orders on Chinese pages
    paid_page = client.get(f"/orders/{paid.order_no}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    closed_page = client.get(f"/orders/{pending.order_no}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    # then the notes read in Chinese, while the stored values stay English
    assert "· 已付款" in paid_page.content.decode()
    assert "Payment received" not in paid_page.content.decode()
    assert "买家已取消" in closed_page.content.decode()
    assert "Cancelled by shopper" not in closed_page.content.decode()
    assert Order.objects.get(pk=pending.pk).close_reason == wording.CANCELLED_BY_SHOPPER


def test_a_note_a_person_typed_shows_as_written_and_english_pages_read_english(client):
    # given an order ops closed with their own words
    shopper = CustomerProfileFactory().user
    pending = place_order(user=shopper, items=[(stocked_sku(), 1)])
    order_services.order_cancel(order_no=pending.order_no, actor=actor_for(shopper))
    Order.objects.filter(pk=pending.pk).update(close_reason="顾客来电要求取消")
    client.force_login(shopper)
    paid = paid_order(user=shopper, items=[(stocked_sku(), 1)])

    # when the pages are read
    typed = client.get(f"/orders/{pending.order_no}/", HTTP_ACCEPT_LANGUAGE="en")
    english = client.get(f"/orders/{paid.order_no}/", HTTP_ACCEPT_LANGUAGE="en")

    # then ops' words show as written, and an English page reads the English note
    assert "顾客来电要求取消" in typed.content.decode()
    assert "· Payment received" in english.content.decode()


def test_the_admin_timeline_reads_stored_notes_in_the_admins_language(client):
    # given a paid order and a member of operations
    from django.urls import reverse

    from tests.catalog.factories_admin import ops_user

    order = paid_order(user=CustomerProfileFactory().user, items=[(stocked_sku(), 1)])
    client.force_login(ops_user())

    # when they open the order in a Chinese admin
    page = client.get(
        reverse("admin:orders_order_change", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    # then the timeline's note is in Chinese
    assert "已付款" in page
    assert "Payment received" not in page
