"""Stock editing in the admin goes through the stock service and its ledger."""

import pytest
from django.urls import reverse

from catalog.models import StockMove, StockRecord
from tests.catalog.factories import SKUFactory, StockRecordFactory, WarehouseFactory
from tests.catalog.factories_admin import merchant_staff_user, ops_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    return StockRecordFactory(on_hand=20, allocated=5, location="A-01")


@pytest.fixture
def staff(record):
    return merchant_staff_user(record.sku.product.merchant)


def _change(client, record, **data):
    payload = {"location": record.location, "new_on_hand": "", "adjust_by": "", "reason": ""}
    payload.update({k: str(v) for k, v in data.items()})
    return client.post(
        reverse("admin:catalog_stockrecord_change", args=[record.pk]), payload, follow=True
    )


def test_setting_a_counted_figure_writes_a_ledger_row(client, record, staff):
    # given
    client.force_login(staff)

    # when
    response = _change(client, record, new_on_hand=32, reason="Cycle count")

    # then
    assert response.status_code == 200
    record.refresh_from_db()
    assert (record.on_hand, record.allocated) == (32, 5)
    move = StockMove.objects.filter(sku=record.sku, reason="Cycle count").get()
    assert move.on_hand_delta == 12
    assert move.kind == StockMove.Kind.ADJUST
    assert move.actor == staff


def test_adjusting_by_a_delta_writes_a_ledger_row(client, record, staff):
    # given
    client.force_login(staff)

    # when
    _change(client, record, adjust_by=-7, reason="Damaged in storage")

    # then
    record.refresh_from_db()
    assert record.on_hand == 13
    assert StockMove.objects.get(reason="Damaged in storage").on_hand_delta == -7


def test_stock_cannot_go_below_what_is_allocated(client, record, staff):
    # given
    client.force_login(staff)
    moves_before = StockMove.objects.count()

    # when
    response = _change(client, record, new_on_hand=3, reason="Miscount")

    # then: a clear form error, not a 500, and nothing changed
    assert response.status_code == 200
    assert "cannot go below the 5 allocated" in response.text
    record.refresh_from_db()
    assert record.on_hand == 20
    assert StockMove.objects.count() == moves_before


def test_a_stock_change_needs_a_reason(client, record, staff):
    # given
    client.force_login(staff)

    # when
    response = _change(client, record, adjust_by=4)

    # then
    assert "Say why the stock changes." in response.text
    record.refresh_from_db()
    assert record.on_hand == 20


def test_set_and_adjust_together_are_refused(client, record, staff):
    # given
    client.force_login(staff)

    # when
    response = _change(client, record, new_on_hand=30, adjust_by=2, reason="Both")

    # then
    assert "either a new on-hand figure or an adjustment" in response.text
    record.refresh_from_db()
    assert record.on_hand == 20


def test_allocated_is_read_only_even_if_posted(client, record, staff):
    # given
    client.force_login(staff)

    # when
    _change(client, record, allocated=0, on_hand=999, location="B-02")

    # then: only the location changed
    record.refresh_from_db()
    assert (record.on_hand, record.allocated, record.location) == (20, 5, "B-02")


def test_adding_stock_for_a_new_warehouse_goes_through_the_service(client):
    # given
    sku = SKUFactory()
    warehouse = WarehouseFactory(merchant=sku.product.merchant)
    staff = merchant_staff_user(sku.product.merchant)
    client.force_login(staff)

    # when
    response = client.post(
        reverse("admin:catalog_stockrecord_add"),
        {
            "sku": sku.pk,
            "warehouse": warehouse.pk,
            "location": "C-3",
            "new_on_hand": "15",
            "reason": "Opening stock",
        },
    )

    # then
    assert response.status_code == 302
    record = StockRecord.objects.get(sku=sku, warehouse=warehouse)
    assert (record.on_hand, record.location) == (15, "C-3")
    assert StockMove.objects.get(sku=sku, warehouse=warehouse).on_hand_delta == 15


def test_stock_cannot_be_added_in_another_merchants_warehouse(client):
    # given
    sku = SKUFactory()
    foreign = WarehouseFactory()
    client.force_login(merchant_staff_user(sku.product.merchant))

    # when
    response = client.post(
        reverse("admin:catalog_stockrecord_add"),
        {"sku": sku.pk, "warehouse": foreign.pk, "new_on_hand": "5", "reason": "x"},
    )

    # then
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not StockRecord.objects.filter(sku=sku).exists()


def test_ops_adding_stock_in_a_warehouse_of_another_merchant_get_a_form_error(client):
    # given
    sku = SKUFactory()
    foreign = WarehouseFactory()
    client.force_login(ops_user())

    # when
    response = client.post(
        reverse("admin:catalog_stockrecord_add"),
        {"sku": sku.pk, "warehouse": foreign.pk, "new_on_hand": "5", "reason": "x"},
    )

    # then
    assert response.status_code == 200
    assert "warehouse of the SKU" in response.text
    assert not StockRecord.objects.filter(sku=sku).exists()


def test_the_ledger_is_read_only(client, record, staff):
    # given
    client.force_login(staff)
    move = StockMove.objects.filter(sku=record.sku).first()
    url = reverse("admin:catalog_stockmove_change", args=[move.pk])

    # when
    page = client.get(url)
    post = client.post(url, {"on_hand_delta": 1000, "reason": "edited"})
    delete = client.post(reverse("admin:catalog_stockmove_delete", args=[move.pk]), {"post": "yes"})

    # then
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert post.status_code == 403
    assert delete.status_code == 403
    move.refresh_from_db()
    assert move.on_hand_delta == 20


def test_an_order_racing_the_edit_gives_a_message_not_a_500(client, record, staff, monkeypatch):
    # given an order allocates between the form check and the save (the service refuses)
    from catalog.admin import stock as stock_admin
    from shop.errors import OutOfStock

    def refuse(**kwargs):
        raise OutOfStock("Stock would go below what is allocated (18).")

    monkeypatch.setattr(stock_admin, "stock_set_on_hand", refuse)
    client.force_login(staff)

    # when
    response = _change(client, record, new_on_hand=10, reason="Count")

    # then
    assert response.status_code == 200
    assert "Stock not changed: Stock would go below what is allocated (18)." in response.text
    assert "changed successfully" not in response.text
    record.refresh_from_db()
    assert record.on_hand == 20


@pytest.mark.parametrize(
    ("level", "expected"), [("out", {"EMPTY"}), ("low", {"LOW"}), ("in", {"FULL"})]
)
def test_stock_records_filter_by_stock_level(client, level, expected):
    # given
    empty = StockRecordFactory(sku__code="EMPTY", on_hand=4, allocated=4)
    merchant = empty.sku.product.merchant
    StockRecordFactory(sku__code="LOW", sku__product__merchant=merchant, on_hand=3)
    StockRecordFactory(sku__code="FULL", sku__product__merchant=merchant, on_hand=50)
    client.force_login(merchant_staff_user(merchant))

    # when
    response = client.get(reverse("admin:catalog_stockrecord_changelist"), {"stock": level})
    products = client.get(reverse("admin:catalog_product_changelist"), {"stock": level})

    # then
    assert {r.sku.code for r in response.context["cl"].result_list} == expected
    assert len(products.context["cl"].result_list) == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("new_on_hand", "99999999999999"),
        ("adjust_by", "99999999999999"),
        ("adjust_by", "-99999999999999"),
        ("adjust_by", "2147483640"),  # within a form's range, but on hand would overflow
    ],
)
def test_a_huge_quantity_is_a_field_error_not_a_500(client, record, staff, field, value):
    # given
    client.force_login(staff)

    # when
    response = _change(client, record, **{field: value, "reason": "Typo"})

    # then: the form comes back with the field's error, stock unchanged
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert StockRecord.objects.get(pk=record.pk).on_hand == 20


def test_stock_is_changed_from_the_product_page(client, record, staff):
    # given
    client.force_login(staff)
    product = record.sku.product

    # when
    page = client.get(reverse("admin:catalog_product_change", args=[product.pk])).text

    # then: each warehouse's stock links to its stock form, and a SKU can be stocked elsewhere
    assert reverse("admin:catalog_stockrecord_change", args=[record.pk]) in page
    assert f"{reverse('admin:catalog_stockrecord_add')}?sku={record.sku_id}" in page
    assert str(record) == f"{record.sku.code} in {record.warehouse.name}"
