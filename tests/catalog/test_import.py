"""Bulk import of products, SKUs and stock through the admin's preview-and-confirm screens."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from catalog.actors import SYSTEM
from catalog.models import SKU, Product, StockMove, StockRecord
from catalog.resources import COLUMNS, SKUImportResource
from tests.catalog.factories import (
    AttributeFactory,
    AttributeValueFactory,
    BrandFactory,
    CategoryFactory,
    MerchantFactory,
    SKUFactory,
    StockRecordFactory,
    WarehouseFactory,
)
from tests.catalog.factories_admin import merchant_staff_user, ops_user

pytestmark = pytest.mark.django_db

CSV_FORMAT = "0"  # position of CSV in ProductAdmin.import_formats
XLSX_FORMAT = "1"
HEADER = ",".join(COLUMNS)


@pytest.fixture
def merchant():
    return MerchantFactory(name="Teahouse")


@pytest.fixture
def catalogue(merchant):
    return {
        "category": CategoryFactory(name="Tea ware", slug="tea-ware"),
        "brand": BrandFactory(name="Longquan", slug="longquan"),
        "warehouse": WarehouseFactory(merchant=merchant, code="hz-1", name="Hangzhou"),
    }


GOOD_ROWS = [
    "Celadon teapot,tea-ware,Longquan,TP-CEL-S,Colour:Green;Size:S,199.00,259.00,600,2000,"
    "6900000000011,hz-1,12",
    "Celadon teapot,tea-ware,Longquan,TP-CEL-L,Colour:Green;Size:L,249.00,299.00,800,3000,"
    "6900000000028,hz-1,5",
    "Tea towel,Tea ware,,TOWEL-1,,19.90,,100,500,,Hangzhou,40",
]


def _csv(rows) -> SimpleUploadedFile:
    text = "\n".join([HEADER, *rows]) + "\n"
    return SimpleUploadedFile("catalogue.csv", text.encode("utf-8"), content_type="text/csv")


def _preview(client, upload, merchant, fmt=CSV_FORMAT):
    return client.post(
        reverse("admin:catalog_product_import"),
        {"import_file": upload, "format": fmt, "resource": "0", "merchant": merchant.pk},
    )


def _confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse("admin:catalog_product_process_import"), data, follow=True)


def test_a_good_file_creates_products_skus_and_stock(client, merchant, catalogue):
    # given
    staff = merchant_staff_user(merchant)
    client.force_login(staff)

    # when: preview, then confirm
    preview = _preview(client, _csv(GOOD_ROWS), merchant)
    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    assert not Product.objects.exists()  # the preview saved nothing
    done = _confirm(client, preview)

    # then
    assert "Import finished" in done.text
    teapot = Product.objects.get(title="Celadon teapot")
    assert teapot.merchant == merchant
    assert teapot.category == catalogue["category"]
    assert teapot.brand == catalogue["brand"]
    assert teapot.price_from == Decimal("199.00")
    assert teapot.skus.count() == 2
    small = SKU.objects.get(code="TP-CEL-S")
    assert {str(v) for v in small.attribute_values.all()} == {"Colour: Green", "Size: S"}
    assert (small.weight_grams, small.volume_cm3, small.barcode) == (600, 2000, "6900000000011")
    stock = StockRecord.objects.get(sku=small, warehouse=catalogue["warehouse"])
    assert stock.on_hand == 12
    move = StockMove.objects.get(sku=small)
    assert (move.kind, move.on_hand_delta, move.actor) == (StockMove.Kind.IMPORT, 12, staff)
    assert SKU.objects.get(code="TOWEL-1").stock_records.get().on_hand == 40


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(client, merchant, catalogue):
    # given: the second row has an unknown category and a bad price
    rows = [
        GOOD_ROWS[0],
        "Mystery cup,no-such-category,,CUP-1,,abc,,,,,hz-1,3",
        GOOD_ROWS[2],
    ]
    client.force_login(merchant_staff_user(merchant))

    # when
    preview = _preview(client, _csv(rows), merchant)

    # then: the preview reports the row, offers no confirmation, and nothing is saved
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None
    result = preview.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    assert "Unknown category “no-such-category”." in preview.text
    assert "“abc” is not a number." in preview.text
    assert not Product.objects.exists()
    assert not SKU.objects.exists()
    assert not StockMove.objects.exists()


def test_the_confirm_step_is_all_or_nothing_too(merchant, catalogue):
    # given a file whose last row fails only when it is saved (stock below allocated)
    existing = SKUFactory(product__merchant=merchant, code="OLD-1")
    StockRecordFactory(sku=existing, warehouse=catalogue["warehouse"], on_hand=10, allocated=8)
    dataset = tablib.Dataset(headers=list(COLUMNS))
    for line in GOOD_ROWS:
        dataset.append(line.split(","))
    dataset.append(
        [existing.product.title, "", "", "OLD-1", "", "10.00", "", "", "", "", "hz-1", "2"]
    )
    resource = SKUImportResource(merchant=merchant, actor=SYSTEM)

    # when
    result = resource.import_data(dataset, dry_run=False, rollback_on_validation_errors=True)

    # then
    assert result.has_validation_errors()
    assert "allocated" in str(result.invalid_rows[0].error)
    assert not Product.objects.filter(title="Celadon teapot").exists()
    assert StockRecord.objects.get(sku=existing).on_hand == 10


def test_merchant_staff_import_lands_in_their_merchant_whatever_the_form_says(
    client, merchant, catalogue
):
    # given
    other = MerchantFactory(name="Someone else")
    client.force_login(merchant_staff_user(merchant))

    # when: the form is tampered with to name another merchant
    tampered = _preview(client, _csv(GOOD_ROWS), other)
    preview = _preview(client, _csv(GOOD_ROWS), merchant)
    _confirm(client, preview)

    # then
    assert "Select a valid choice" in tampered.text
    assert not Product.objects.filter(merchant=other).exists()
    assert Product.objects.filter(merchant=merchant).count() == 2


def test_ops_choose_the_merchant_to_import_into(client, merchant, catalogue):
    # given
    client.force_login(ops_user())

    # when
    _confirm(client, _preview(client, _csv(GOOD_ROWS), merchant))

    # then
    assert set(Product.objects.values_list("merchant", flat=True)) == {merchant.pk}
    assert SKU.objects.count() == 3


def test_a_warehouse_of_another_merchant_is_refused(client, merchant, catalogue):
    # given
    WarehouseFactory(code="foreign-1")
    client.force_login(merchant_staff_user(merchant))
    row = "Cup,tea-ware,,CUP-9,,9.00,,,,,foreign-1,3"

    # when
    preview = _preview(client, _csv([row]), merchant)

    # then
    assert "“foreign-1” is not one of your warehouses." in preview.text
    assert not SKU.objects.exists()


def test_an_sku_code_of_another_merchant_is_refused(client, merchant, catalogue):
    # given
    theirs = SKUFactory(code="TAKEN-1")
    client.force_login(merchant_staff_user(merchant))
    row = "Cup,tea-ware,,TAKEN-1,,9.00,,,,,,"

    # when
    preview = _preview(client, _csv([row]), merchant)

    # then
    assert "already used by another merchant" in preview.text
    theirs.refresh_from_db()
    assert theirs.price == Decimal("99.00")


def test_reimporting_updates_price_and_stock_through_the_ledger(client, merchant, catalogue):
    # given a first import
    client.force_login(merchant_staff_user(merchant))
    _confirm(client, _preview(client, _csv(GOOD_ROWS), merchant))

    # when the same SKU comes again cheaper and counted at 20
    row = "Celadon teapot,,,TP-CEL-S,,179.00,,,,,hz-1,20"
    _confirm(client, _preview(client, _csv([row]), merchant))

    # then
    small = SKU.objects.get(code="TP-CEL-S")
    assert small.price == Decimal("179.00")
    assert small.stock_records.get().on_hand == 20
    assert list(StockMove.objects.filter(sku=small).values_list("on_hand_delta", flat=True)) == [
        8,
        12,
    ]
    assert Product.objects.get(title="Celadon teapot").price_from == Decimal("179.00")


def test_an_excel_file_imports_like_a_csv(client, merchant, catalogue):
    # given
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    sheet.append(
        [
            "Tea tray",
            "tea-ware",
            "",
            "TRAY-1",
            "Material:Bamboo",
            88.5,
            None,
            900,
            4000,
            6900000000035,
            "hz-1",
            7,
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("catalogue.xlsx", buffer.getvalue())
    client.force_login(merchant_staff_user(merchant))

    # when
    _confirm(client, _preview(client, upload, merchant, fmt=XLSX_FORMAT))

    # then
    tray = SKU.objects.get(code="TRAY-1")
    assert tray.price == Decimal("88.50")
    assert tray.barcode == "6900000000035"
    assert tray.stock_records.get().on_hand == 7


def test_a_file_without_the_required_columns_is_refused(client, merchant, catalogue):
    # given
    upload = SimpleUploadedFile("bad.csv", b"title,cost\nCup,3\n", content_type="text/csv")
    client.force_login(merchant_staff_user(merchant))

    # when
    preview = _preview(client, upload, merchant)

    # then
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None
    assert not SKU.objects.exists()


def test_the_example_file_in_the_docs_imports(merchant):
    # given what the example names
    CategoryFactory(slug="menswear", name="Menswear")
    CategoryFactory(slug="kitchen", name="Kitchen")
    BrandFactory(name="Hailan", slug="hailan")
    WarehouseFactory(merchant=merchant, code="self-sh")
    WarehouseFactory(merchant=merchant, code="self-gz")
    colour = AttributeFactory(code="colour", name="颜色 Colour")
    red = AttributeValueFactory(attribute=colour, value="红 Red")
    path = Path(__file__).resolve().parents[2] / "docs" / "import-example.csv"
    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")

    # when
    result = SKUImportResource(merchant=merchant, actor=SYSTEM).import_data(
        dataset, dry_run=False, rollback_on_validation_errors=True
    )

    # then
    assert not result.has_errors() and not result.has_validation_errors()
    assert Product.objects.filter(merchant=merchant).count() == 2
    assert SKU.objects.count() == 4
    # bilingual attribute values of the demo ("红 Red") are matched by their English word
    assert red in SKU.objects.get(code="TS-CREW-RED-M").attribute_values.all()


def test_the_import_page_is_reachable_from_the_product_list(client, merchant):
    # given
    client.force_login(merchant_staff_user(merchant))

    # when
    listing = client.get(reverse("admin:catalog_product_changelist"))
    page = client.get(reverse("admin:catalog_product_import"))

    # then
    assert reverse("admin:catalog_product_import") in listing.text
    assert page.status_code == 200
    assert "Colour:Red;Size:M" in page.text


def test_a_confirm_that_fails_after_a_clean_preview_saves_nothing_and_says_so(
    client, merchant, catalogue
):
    # given a clean preview, after which the warehouse is switched to another merchant's code
    client.force_login(merchant_staff_user(merchant))
    preview = _preview(client, _csv(GOOD_ROWS), merchant)
    catalogue["warehouse"].code = "moved"
    catalogue["warehouse"].name = "Moved"
    catalogue["warehouse"].save()

    # when
    done = _confirm(client, preview)

    # then
    assert "Nothing was imported" in done.text
    assert "row 1" in done.text
    assert not Product.objects.exists()
    assert not StockMove.objects.exists()


def test_the_example_file_can_be_downloaded_from_the_import_page(client, merchant):
    # given
    client.force_login(merchant_staff_user(merchant))

    # when
    response = client.get(reverse("admin:catalog_product_import_example"))

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert b"product_title,category" in response.content


def test_a_gbk_csv_saved_by_excel_on_chinese_windows_imports(client, merchant, catalogue):
    # given
    text = "\n".join([HEADER, "青瓷茶壶,tea-ware,,TP-QC-1,颜色:青,199.00,,,,,hz-1,3"]) + "\n"
    upload = SimpleUploadedFile("商品.csv", text.encode("gbk"), content_type="text/csv")
    client.force_login(merchant_staff_user(merchant))

    # when
    _confirm(client, _preview(client, upload, merchant))

    # then
    sku = SKU.objects.get(code="TP-QC-1")
    assert sku.product.title == "青瓷茶壶"
    assert [str(v) for v in sku.attribute_values.all()] == ["颜色: 青"]


def test_an_absurd_price_is_a_row_error_not_a_crash(merchant, catalogue):
    # given: a price with a huge exponent, which Decimal cannot quantize
    dataset = tablib.Dataset(headers=list(COLUMNS))
    dataset.append(["Cup", "tea-ware", "", "CUP-9", "", "1e100000", "", "", "", "", "", ""])
    resource = SKUImportResource(merchant=merchant, actor=SYSTEM)

    # when
    result = resource.import_data(dataset, dry_run=True)

    # then
    assert not result.has_errors()
    assert "Too large." in str(result.invalid_rows[0].error)


def test_categories_brands_and_warehouses_are_looked_up_once_per_file(merchant, catalogue):
    # given: twenty rows naming the same category, brand and warehouse
    dataset = tablib.Dataset(headers=list(COLUMNS))
    for n in range(20):
        dataset.append(
            [f"Cup {n}", "tea-ware", "Longquan", f"CUP-{n}", "", "9.90", "", "", "", "", "hz-1", ""]
        )
    resource = SKUImportResource(merchant=merchant, actor=SYSTEM)

    # when
    result = resource.import_data(dataset, dry_run=True)

    # then
    assert not result.has_errors() and not result.has_validation_errors()
    assert resource._named == {
        ("category", "tea-ware"): catalogue["category"],
        ("brand", "longquan"): catalogue["brand"],
        ("warehouse", "hz-1"): catalogue["warehouse"],
    }


def test_the_preview_shows_every_column_it_will_write(client, merchant, catalogue):
    # given
    client.force_login(merchant_staff_user(merchant))

    # when
    preview = _preview(client, _csv(GOOD_ROWS[:1]), merchant)

    # then: title, category, brand, price, stock... not only the SKU code
    row = preview.context["result"].rows[0]
    shown = " ".join(str(cell) for cell in row.diff)
    for value in ("Celadon teapot", "Tea ware", "Longquan", "TP-CEL-S", "199.00", "hz-1", "12"):
        assert value in shown
