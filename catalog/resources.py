"""Bulk catalogue import (django-import-export): one row per SKU.

Columns (headers are case-sensitive; see docs/import-example.csv):

    product_title, category, brand, sku_code, attributes, price, market_price,
    weight_grams, volume_cm3, barcode, warehouse, on_hand

- A product is found by its title within the merchant (created when missing; `category` is then
  required). `category` and `brand` are matched by slug or name; both are shared lists that
  platform operations maintain, so an unknown one is an error, not a new entry.
- `attributes` is "Colour:Red;Size:M"; unknown attributes and values are created.
- `warehouse` is the code or name of one of the merchant's warehouses; `on_hand` is the counted
  stock there, set through the stock service (a StockMove of kind "import"). Blank `on_hand`
  leaves stock alone.
- The merchant comes from the user (merchant staff) or the import form (operations), never from
  the file. The whole file is one transaction: any bad row and nothing is saved; the dry run
  lists every row's problems.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from import_export import fields, resources
from import_export.formats.base_formats import CSV

from catalog.actors import Actor
from catalog.models import SKU, Brand, Category, Merchant, Product, StockMove, Warehouse
from catalog.services.products import (
    attribute_values_from_text,
    attribute_values_get_or_create,
    product_get_or_create_for_merchant,
    products_refresh_price_from,
)
from catalog.services.stock import stock_set_on_hand
from shop.errors import DomainError

REQUIRED_COLUMNS = ("product_title", "sku_code", "price")
COLUMNS = (
    "product_title",
    "category",
    "brand",
    "sku_code",
    "attributes",
    "price",
    "market_price",
    "weight_grams",
    "volume_cm3",
    "barcode",
    "warehouse",
    "on_hand",
)


class SpreadsheetCSV(CSV):
    """CSV in UTF-8 (with or without BOM) or in GB18030/GBK, which is what Excel on a Chinese
    Windows saves: read as bytes and decoded here instead of failing on the first 汉字."""

    ENCODINGS = ("utf-8-sig", "gb18030")

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            for encoding in self.ENCODINGS:
                try:
                    in_stream = in_stream.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ValueError("The file is neither UTF-8 nor GBK text.")
        return super().create_dataset(in_stream, **kwargs)


@dataclass
class _ParsedRow:
    title: str = ""
    category: Category | None = None
    brand: Brand | None = None
    attribute_pairs: list[tuple[str, str]] = field(default_factory=list)
    warehouse: Warehouse | None = None
    on_hand: int | None = None


def _text(row, column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets turn "123456" into 123456.0
    return str(value).strip()


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"“{text}” is not a number.")
    if not value.is_finite():
        raise ValueError(f"“{text}” is not a number.")
    if value < 0:
        raise ValueError("Must not be negative.")
    # Before quantize: "1e100000" would make it raise InvalidOperation instead of a row error.
    if value >= Decimal("10000000000"):
        raise ValueError("Too large.")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("At most two decimal places.")
    return value.quantize(Decimal("0.01"))


def _whole_number(text: str, *, minimum: int = 0) -> int:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not a whole number.")
    if not value.is_finite() or value != value.to_integral_value():
        raise ValueError(f"“{text}” is not a whole number.")
    if value < minimum:
        raise ValueError(f"Must be at least {minimum}.")
    if value > 2_000_000_000:
        raise ValueError("Too large.")
    return int(value)


class _PreviewDiff(resources.Diff):
    """The preview's row as the columns it will write. The library's diff reads each field's
    model attribute, and most columns here have none (they land on the product, its stock or
    its attribute values), so the preview showed only the SKU code: read them through the
    resource's dehydrate_* methods instead."""

    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.left = self._columns(resource, instance)

    def compare_with(self, resource, instance):
        self.right = self._columns(resource, instance)

    @staticmethod
    def _columns(resource, instance):
        return [resource.export_field(f, instance) for f in resource.get_import_fields()]


class SKUImportResource(resources.ModelResource):
    """Creates or updates products and SKUs of one merchant, and sets their stock."""

    product_title = fields.Field(column_name="product_title")
    category = fields.Field(column_name="category")
    brand = fields.Field(column_name="brand")
    sku_code = fields.Field(attribute="code", column_name="sku_code")
    attributes = fields.Field(column_name="attributes")
    price = fields.Field(column_name="price")
    market_price = fields.Field(column_name="market_price")
    weight_grams = fields.Field(column_name="weight_grams")
    volume_cm3 = fields.Field(column_name="volume_cm3")
    barcode = fields.Field(column_name="barcode")
    warehouse = fields.Field(column_name="warehouse")
    on_hand = fields.Field(column_name="on_hand")

    class Meta:
        model = SKU
        fields = COLUMNS
        import_order = COLUMNS
        import_id_fields = ("sku_code",)
        use_transactions = True
        skip_unchanged = False
        report_skipped = True

    def get_diff_class(self):
        return _PreviewDiff

    def __init__(self, *, actor: Actor, merchant: Merchant | None = None, **kwargs):
        super().__init__(**kwargs)
        self.merchant = merchant
        self.actor = actor
        self._seen_codes: dict[str, int] = {}
        self._touched_products: set[int] = set()
        # Category, brand and warehouse by the text a row names them with: a file names the same
        # few again and again, so each is looked up once per file, not once per row.
        self._named: dict[tuple[str, str], object] = {}

    def _find(self, kind: str, text: str):
        key = (kind, text.lower())
        if key not in self._named:
            if kind == "warehouse":
                found = Warehouse.objects.filter(
                    Q(code__iexact=text) | Q(name__iexact=text), merchant=self.merchant
                )
            else:
                model = Category if kind == "category" else Brand
                found = model.objects.filter(Q(slug__iexact=text) | Q(name__iexact=text))
            self._named[key] = found.first()
        return self._named[key]

    @classmethod
    def get_display_name(cls):
        return "Products and SKUs (one row per SKU)"

    # -- whole file ---------------------------------------------------------------------------
    def before_import(self, dataset, **kwargs):
        if self.merchant is None:
            raise ValueError("Choose the merchant to import into.")
        headers = [str(h).strip() for h in (dataset.headers or [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in headers]
        if missing:
            raise ValueError(f"The file lacks the column(s): {', '.join(missing)}.")
        dataset.headers = headers

    def after_import(self, dataset, result, **kwargs):
        # No sequence reset needed on PostgreSQL; keep listings' price_from current.
        products_refresh_price_from(product_ids=self._touched_products)

    # -- one row ------------------------------------------------------------------------------
    def import_instance(self, instance, row, **kwargs):
        """Parse and check the whole row before anything is written; all problems at once."""
        errors: dict[str, list[str]] = {}

        def error(column: str, message: str) -> None:
            errors.setdefault(column, []).append(message)

        parsed = _ParsedRow()
        code = _text(row, "sku_code")
        row_number = kwargs.get("row_number", 0)
        if not code:
            error("sku_code", "An SKU code is required.")
        elif len(code) > 64:
            error("sku_code", "At most 64 characters.")
        elif code.lower() in self._seen_codes:
            error("sku_code", f"Also on row {self._seen_codes[code.lower()]} of this file.")
        else:
            self._seen_codes[code.lower()] = row_number
        if instance.pk and instance.product.merchant_id != self.merchant.pk:
            error("sku_code", f"The SKU code “{code}” is already used by another merchant.")

        parsed.title = _text(row, "product_title")
        if not parsed.title:
            error("product_title", "A product title is required.")
        elif len(parsed.title) > 200:
            error("product_title", "At most 200 characters.")

        category_text = _text(row, "category")
        if category_text:
            parsed.category = self._find("category", category_text)
            if parsed.category is None:
                error("category", f"Unknown category “{category_text}”.")
        elif (
            parsed.title
            and not Product.objects.filter(
                merchant=self.merchant, title__iexact=parsed.title
            ).exists()
        ):
            error("category", "A category is required for a new product.")

        brand_text = _text(row, "brand")
        if brand_text:
            parsed.brand = self._find("brand", brand_text)
            if parsed.brand is None:
                error("brand", f"Unknown brand “{brand_text}”.")

        try:
            parsed.attribute_pairs = attribute_values_from_text(_text(row, "attributes"))
        except DomainError as exc:
            error("attributes", exc.detail)

        price_text = _text(row, "price")
        if not price_text:
            error("price", "A price is required.")
        else:
            try:
                instance.price = _decimal(price_text)
            except ValueError as exc:
                error("price", str(exc))
        market_text = _text(row, "market_price")
        if market_text:
            try:
                instance.market_price = _decimal(market_text)
            except ValueError as exc:
                error("market_price", str(exc))
        for column, attribute in (("weight_grams", "weight_grams"), ("volume_cm3", "volume_cm3")):
            text = _text(row, column)
            if text:
                try:
                    setattr(instance, attribute, _whole_number(text, minimum=1))
                except ValueError as exc:
                    error(column, str(exc))
        barcode = _text(row, "barcode")
        if len(barcode) > 32:
            error("barcode", "At most 32 characters.")
        elif barcode or "barcode" in row:
            instance.barcode = barcode

        warehouse_text = _text(row, "warehouse")
        on_hand_text = _text(row, "on_hand")
        if on_hand_text:
            try:
                parsed.on_hand = _whole_number(on_hand_text, minimum=0)
            except ValueError as exc:
                error("on_hand", str(exc))
            if not warehouse_text:
                error("warehouse", "Say which warehouse holds this stock.")
        if warehouse_text:
            parsed.warehouse = self._find("warehouse", warehouse_text)
            if parsed.warehouse is None:
                error("warehouse", f"“{warehouse_text}” is not one of your warehouses.")
        if instance.pk and parsed.warehouse and parsed.on_hand is not None:
            record = instance.stock_records.filter(warehouse=parsed.warehouse).first()
            if record and parsed.on_hand < record.allocated:
                error(
                    "on_hand",
                    f"{record.allocated} are allocated to orders; on hand cannot go below that.",
                )

        if errors:
            raise ValidationError(errors)
        instance.code = code
        instance._import_row = parsed

    def save_instance(self, instance, is_create, row, **kwargs):
        if not self._is_using_transactions(kwargs) and self._is_dry_run(kwargs):
            return
        parsed: _ParsedRow = instance._import_row
        try:
            product, _ = product_get_or_create_for_merchant(
                merchant=self.merchant,
                title=parsed.title,
                category=parsed.category,
                brand=parsed.brand,
                actor=self.actor,
            )
            if instance.product_id and instance.product_id != product.pk:
                self._touched_products.add(instance.product_id)
            instance.product = product
            instance.save()
            if parsed.attribute_pairs:
                instance.attribute_values.set(
                    attribute_values_get_or_create(pairs=parsed.attribute_pairs)
                )
            if parsed.warehouse is not None and parsed.on_hand is not None:
                stock_set_on_hand(
                    sku=instance,
                    warehouse=parsed.warehouse,
                    on_hand=parsed.on_hand,
                    reason="Bulk import",
                    actor=self.actor,
                    kind=StockMove.Kind.IMPORT,
                )
                instance._import_on_hand = parsed.on_hand
        except DomainError as exc:
            raise ValidationError(exc.detail)
        self._touched_products.add(product.pk)

    # -- what the preview shows ---------------------------------------------------------------
    def dehydrate_product_title(self, sku):
        return (
            sku.product.title if sku.product_id else getattr(sku, "_import_row", _ParsedRow()).title
        )

    def dehydrate_category(self, sku):
        return sku.product.category.name if sku.product_id else ""

    def dehydrate_brand(self, sku):
        brand = sku.product.brand if sku.product_id else None
        return brand.name if brand else ""

    def dehydrate_attributes(self, sku):
        if not sku.pk:
            return ""
        return "; ".join(f"{v.attribute.name}:{v.value}" for v in sku.attribute_values.all())

    def dehydrate_price(self, sku):
        return sku.price

    def dehydrate_market_price(self, sku):
        return sku.market_price if sku.market_price is not None else ""

    def dehydrate_weight_grams(self, sku):
        return sku.weight_grams

    def dehydrate_volume_cm3(self, sku):
        return sku.volume_cm3

    def dehydrate_barcode(self, sku):
        return sku.barcode

    def dehydrate_warehouse(self, sku):
        parsed = getattr(sku, "_import_row", None)
        return parsed.warehouse.code if parsed and parsed.warehouse else ""

    def dehydrate_on_hand(self, sku):
        return getattr(sku, "_import_on_hand", "")
