"""Accounting exports: orders, sub-orders, payments and refunds to CSV / Excel, with the list's
filters, and only what the staff may see."""

import io

import pytest
from django import forms
from django.urls import reverse
from openpyxl import load_workbook

from orders.models import SubOrder
from tests.catalog.factories import MerchantFactory
from tests.catalog.factories_admin import merchant_staff_user, ops_user
from tests.orders.factories import paid_order, place_order, stocked_sku

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"  # positions in export_formats


def _export(client, admin_name: str, fmt: str, query: str = ""):
    """Open the Export form of the list (with its filters in the query) and submit it with
    every column ticked, as its defaults are."""
    url = reverse(f"admin:{admin_name}_export") + query
    form = client.get(url)
    assert form.status_code == 200
    columns = {
        name: "on"
        for name, field in form.context["form"].fields.items()
        if isinstance(field, forms.BooleanField)
    }
    return client.post(url, {"format": fmt, "resource": "0", **columns})


def test_ops_export_the_orders_as_filtered_to_csv(client):
    # given a paid order and an unpaid one
    paid = paid_order(items=[(stocked_sku(price="88.00"), 1)])
    unpaid = place_order(items=[(stocked_sku(), 1)])
    client.force_login(ops_user())

    # when the list is filtered to paid orders and exported
    response = _export(client, "orders_order", CSV, "?status__exact=paid")

    # then
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert "order_no" in header and "payable_amount" in header
    assert paid.order_no in text and "88.00" in text
    assert unpaid.order_no not in text


def test_merchant_staff_export_only_their_sub_orders_to_excel(client):
    # given
    mine = MerchantFactory()
    own = paid_order(items=[(stocked_sku(merchant=mine), 1)]).sub_orders.get()
    theirs = paid_order(items=[(stocked_sku(), 1)]).sub_orders.get()
    client.force_login(merchant_staff_user(mine))

    # when
    response = _export(client, "orders_suborder", XLSX)

    # then
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {own.sub_order_no}
    assert theirs.sub_order_no not in numbers
    assert SubOrder.objects.count() == 2


@pytest.mark.parametrize("admin_name", ["payments_payment", "payments_refund", "orders_order"])
def test_merchant_staff_cannot_export_money_rows(client, admin_name):
    client.force_login(merchant_staff_user(MerchantFactory()))

    response = client.get(reverse(f"admin:{admin_name}_export"))

    assert response.status_code == 403


def test_ops_export_payments(client):
    order = paid_order(items=[(stocked_sku(price="12.00"), 1)])
    client.force_login(ops_user())

    response = _export(client, "payments_payment", CSV)

    assert response.status_code == 200
    assert "payment_no" in response.content.decode("utf-8-sig").splitlines()[0]
    assert order.order_no is not None
