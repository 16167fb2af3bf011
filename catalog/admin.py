"""The catalogue admin where merchants and platform operations work all day.

Every admin of merchant data is scoped with catalog.admin_scope: a merchant's staff see and edit
only their own merchant's rows, operations see all. Stock is never saved directly: the stock
record form calls catalog.services.stock, and the ledger (StockMove) is read-only.
"""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Prefetch,
    Value,
    When,
)
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import ConfirmImportForm, ImportForm

from catalog.actors import is_platform_staff, staff_merchant
from catalog.admin_scope import MerchantScopedAdmin, MerchantScopedInline
from catalog.models import (
    SKU,
    Attribute,
    AttributeValue,
    Brand,
    Category,
    LimitedTimePrice,
    Merchant,
    MerchantStaff,
    Product,
    ProductImage,
    Promotion,
    PromotionTier,
    ShippingRegionRate,
    ShippingTemplate,
    StockMove,
    StockRecord,
    Warehouse,
)
from catalog.resources import SKUImportResource, SpreadsheetCSV
from catalog.selectors import product_sellable_expression, sku_sellable_expression
from catalog.services.products import (
    product_refresh_price_from,
    product_set_active,
    product_set_featured,
)
from catalog.services.stock import stock_adjust, stock_set_on_hand
from shop.errors import DomainError
from shop.roles import grant_merchant_staff_role


def _thumbnail(image: ProductImage | None, size: int = 48):
    if image is None or not image.image:
        return format_html('<span style="color:var(--body-quiet-color)">{}</span>', "no image")
    try:
        url = image.thumbnail.url
    except (OSError, ValueError):  # source file missing or unreadable: show nothing broken
        return format_html('<span style="color:var(--error-fg)">{}</span>', "image missing")
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" style="object-fit:cover;border-radius:4px">',
        url,
        image.alt,
        size,
        size,
    )


class StockLevelFilter(admin.SimpleListFilter):
    """Out of stock / running low / in stock, on the annotated `sellable_total`."""

    title = "stock"
    parameter_name = "stock"
    LOW = 10

    def lookups(self, request, model_admin):
        return [
            ("out", "Out of stock"),
            ("low", f"Low (1–{self.LOW})"),
            ("in", f"In stock (over {self.LOW})"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "out":
            return queryset.filter(sellable_total__lte=0)
        if value == "low":
            return queryset.filter(sellable_total__gte=1, sellable_total__lte=self.LOW)
        if value == "in":
            return queryset.filter(sellable_total__gt=self.LOW)
        return queryset


# ---------------------------------------------------------------------------------------------
# Merchants and staff (platform operations)
# ---------------------------------------------------------------------------------------------


@admin.register(Merchant)
class MerchantAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "pk"
    list_display = ("name", "slug", "kind", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def has_add_permission(self, request, *args):
        return is_platform_staff(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_platform_staff(request.user) and super().has_change_permission(request, obj)


class MerchantStaffForm(forms.ModelForm):
    class Meta:
        model = MerchantStaff
        fields = ("user", "merchant", "role", "warehouses")

    def clean(self):
        cleaned = super().clean()
        merchant = cleaned.get("merchant")
        warehouses = cleaned.get("warehouses") or []
        foreign = [w for w in warehouses if merchant and w.merchant_id != merchant.pk]
        if foreign:
            names = ", ".join(str(w) for w in foreign)
            self.add_error("warehouses", f"Not warehouses of {merchant}: {names}.")
        return cleaned


@admin.register(MerchantStaff)
class MerchantStaffAdmin(admin.ModelAdmin):
    """Who works for which merchant. Operations only (merchant staff hold no permission)."""

    form = MerchantStaffForm
    list_display = ("user", "merchant", "role")
    list_filter = ("role", "merchant")
    list_select_related = ("user", "merchant")
    search_fields = ("user__username", "user__email", "merchant__name")
    raw_id_fields = ("user",)
    filter_horizontal = ("warehouses",)

    def _ops(self, request):
        return is_platform_staff(request.user)

    def has_module_permission(self, request):
        return self._ops(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._ops(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._ops(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._ops(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._ops(request) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        grant_merchant_staff_role(user=obj.user)


@admin.register(Warehouse)
class WarehouseAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "merchant"
    list_display = ("code", "name", "merchant", "region", "is_active")
    list_filter = ("is_active", "region", "merchant")
    list_select_related = ("merchant",)
    search_fields = ("code", "name", "address")

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if not is_platform_staff(request.user):
            columns.remove("merchant")
        return columns


# ---------------------------------------------------------------------------------------------
# Shared reference data: categories, brands, attributes
# ---------------------------------------------------------------------------------------------


def _category_tree() -> tuple[list[int], dict[int, int]]:
    """Category ids in depth-first order (siblings by position, name) and each one's depth."""
    rows = list(Category.objects.values_list("pk", "parent_id", "position", "name"))
    children: dict[int | None, list] = {}
    for pk, parent_id, position, name in rows:
        children.setdefault(parent_id, []).append((position, name.lower(), pk))
    order, depth = [], {}
    known = {pk for pk, *_ in rows}
    roots = [row for parent, kids in children.items() if parent not in known for row in kids]
    stack = [(entry, 0) for entry in sorted(roots, reverse=True)]
    while stack:
        (_, _, pk), level = stack.pop()
        if pk in depth:
            continue
        order.append(pk)
        depth[pk] = level
        stack.extend((kid, level + 1) for kid in sorted(children.get(pk, []), reverse=True))
    return order, depth


class CategoryTreeChangeList(ChangeList):
    """Categories listed as a tree unless the user sorts by a column."""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        return ["tree_order", "pk"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "tree_name",
        "slug",
        "parent",
        "position",
        "product_count",
        "is_active",
        "no_reason_return",
    )
    list_filter = ("is_active", "no_reason_return")
    list_select_related = ("parent",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        order, depth = _category_tree()
        self._depth = depth
        return (
            super()
            .get_queryset(request)
            .annotate(
                products_total=Count("products"),
                tree_order=Case(
                    *[When(pk=pk, then=Value(i)) for i, pk in enumerate(order)],
                    default=Value(len(order)),
                    output_field=IntegerField(),
                ),
            )
        )

    def get_changelist(self, request, **kwargs):
        return CategoryTreeChangeList

    @admin.display(description="Category", ordering="tree_order")
    def tree_name(self, category):
        level = getattr(self, "_depth", {}).get(category.pk, 0)
        return format_html(
            '<span style="padding-left:{}em">{}{}</span>',
            level * 1.5,
            "└ " if level else "",
            category.name,
        )

    @admin.display(description="Products", ordering="products_total")
    def product_count(self, category):
        return category.products_total


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 3


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "value_list")
    search_fields = ("name", "code")
    inlines = [AttributeValueInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("values")

    @admin.display(description="Values")
    def value_list(self, attribute):
        return ", ".join(v.value for v in attribute.values.all())


@admin.register(AttributeValue)
class AttributeValueAdmin(admin.ModelAdmin):
    """Registered for the SKU form's autocomplete; edited through Attribute."""

    list_display = ("attribute", "value")
    list_select_related = ("attribute",)
    search_fields = ("attribute__name", "attribute__code", "value")

    def has_module_permission(self, request):
        return False


# ---------------------------------------------------------------------------------------------
# Products, SKUs, images, bulk import
# ---------------------------------------------------------------------------------------------


class SKUInline(MerchantScopedInline, admin.TabularInline):
    model = SKU
    fields = (
        "code",
        "attribute_values",
        "price",
        "market_price",
        "weight_grams",
        "volume_cm3",
        "barcode",
        "is_active",
        "sellable",
    )
    readonly_fields = ("sellable",)
    autocomplete_fields = ("attribute_values",)
    extra = 1
    show_change_link = True
    _narrow = {"code": "10em", "barcode": "9em", "price": "6em", "market_price": "6em"}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        width = self._narrow.get(db_field.name)
        if formfield is not None and width:
            formfield.widget.attrs["style"] = f"width:{width}"
        return formfield

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sellable_total=sku_sellable_expression())

    @admin.display(description="Sellable")
    def sellable(self, sku):
        return getattr(sku, "sellable_total", "—") if sku.pk else "—"


class ProductImageInline(MerchantScopedInline, admin.TabularInline):
    model = ProductImage
    fields = ("preview", "image", "alt", "position")
    readonly_fields = ("preview",)
    extra = 1

    @admin.display(description="Preview")
    def preview(self, image):
        return _thumbnail(image, size=80) if image.pk else "—"


@admin.register(ProductImage)
class ProductImageAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "product__merchant"
    list_display = ("preview", "product", "position", "alt")
    list_select_related = ("product",)
    search_fields = ("product__title", "alt")
    autocomplete_fields = ("product",)
    fields = ("product", "image", "preview", "alt", "position")
    readonly_fields = ("preview",)

    @admin.display(description="Preview")
    def preview(self, image):
        return _thumbnail(image, size=80) if image.pk else "—"


class CatalogImportForm(ImportForm):
    merchant = forms.ModelChoiceField(
        queryset=Merchant.objects.filter(is_active=True),
        help_text="Products, SKUs and stock are imported into this merchant.",
    )


class CatalogConfirmImportForm(ConfirmImportForm):
    merchant = forms.ModelChoiceField(queryset=Merchant.objects.all(), widget=forms.HiddenInput)


@admin.register(Product)
class ProductAdmin(ImportMixin, MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "merchant"
    list_display = (
        "thumbnail",
        "title",
        "merchant",
        "category",
        "price_from",
        "sellable_stock",
        "on_sale",
        "featured",
    )
    list_display_links = ("thumbnail", "title")
    list_filter = (
        "is_active",
        "is_featured",
        StockLevelFilter,
        "no_reason_return",
        "category",
        "brand",
        "merchant",
    )
    list_select_related = ("merchant", "category")
    list_per_page = 50
    search_fields = ("title", "skus__code", "skus__barcode")
    search_help_text = "Title, SKU code or barcode."
    autocomplete_fields = ("category", "brand")
    readonly_fields = ("price_from", "sales_count", "stock", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("merchant", "title", "subtitle", "category", "brand")}),
        ("Description", {"fields": ("description",)}),
        ("On sale", {"fields": ("is_active", "is_featured", "price_from", "sales_count")}),
        ("Stock", {"fields": ("stock",)}),
        ("After-sales", {"fields": ("no_reason_return",)}),
        ("History", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = [SKUInline, ProductImageInline]
    actions = ["put_on_sale", "take_off_sale", "feature", "unfeature"]

    # import
    resource_classes = [SKUImportResource]
    import_formats = [SpreadsheetCSV, XLSX]
    import_form_class = CatalogImportForm
    confirm_form_class = CatalogConfirmImportForm
    import_template_name = "admin/catalog/product/import.html"
    import_error_display = ("message",)

    def get_queryset(self, request):
        images = ProductImage.objects.order_by("position", "id")
        return (
            super()
            .get_queryset(request)
            .annotate(sellable_total=product_sellable_expression())
            .prefetch_related(Prefetch("images", queryset=images, to_attr="ordered_images"))
        )

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if not is_platform_staff(request.user):
            columns.remove("merchant")
        return columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if not is_platform_staff(request.user):
            filters = [f for f in filters if (f[0] if isinstance(f, tuple) else f) != "merchant"]
        return filters

    def view_on_site(self, product):
        return reverse("catalog:product", args=[product.pk])

    @admin.display(description="Stock per warehouse")
    def stock(self, product):
        """Each SKU's stock per warehouse, each linking to its stock form (count, adjust), and
        a link to stock a SKU in another warehouse: stock is changed from the product page."""
        if product.pk is None:
            return "Save the product first, then stock its SKUs here."
        records = StockRecord.objects.filter(sku__product=product).select_related(
            "sku", "warehouse"
        )
        skus = list(product.skus.order_by("code"))
        change = "admin:catalog_stockrecord_change"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            '<td><a href="{}">Change stock</a></td></tr>',
            (
                (
                    r.sku.code,
                    r.warehouse.name,
                    r.on_hand,
                    r.allocated,
                    r.sellable,
                    reverse(change, args=[r.pk]),
                )
                for r in records
            ),
        )
        add = reverse("admin:catalog_stockrecord_add")
        add_links = format_html_join(
            " ",
            '<a class="addlink" href="{}?sku={}">Stock {} in a warehouse</a>',
            ((add, sku.pk, sku.code) for sku in skus),
        )
        return format_html(
            "<table><thead><tr><th>SKU</th><th>Warehouse</th><th>On hand</th><th>Allocated</th>"
            "<th>Sellable</th><th></th></tr></thead><tbody>{}</tbody></table><p>{}</p>",
            rows,
            add_links,
        )

    @admin.display(description="")
    def thumbnail(self, product):
        images = getattr(product, "ordered_images", None)
        return _thumbnail(images[0] if images else None)

    @admin.display(description="Sellable", ordering="sellable_total")
    def sellable_stock(self, product):
        return product.sellable_total

    @admin.display(description="On sale", boolean=True, ordering="is_active")
    def on_sale(self, product):
        return product.is_active

    @admin.display(description="Featured", boolean=True, ordering="is_featured")
    def featured(self, product):
        return product.is_featured

    def get_urls(self):
        example = path(
            "import/example.csv",
            self.admin_site.admin_view(self.import_example_view),
            name="catalog_product_import_example",
        )
        return [example, *super().get_urls()]

    def import_example_view(self, request):
        """The example file of docs/, to start a spreadsheet from."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        example = Path(settings.BASE_DIR) / "docs" / "import-example.csv"
        response = HttpResponse(example.read_bytes(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="import-example.csv"'
        return response

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product_refresh_price_from(product_id=form.instance.pk)

    # actions
    @admin.action(description="Put selected products on sale", permissions=["change"])
    def put_on_sale(self, request, queryset):
        result = product_set_active(
            product_ids=queryset.values_list("pk", flat=True), is_active=True, actor=request.user
        )
        self.message_user(request, f"{result.changed} product(s) put on sale.", messages.SUCCESS)
        if result.skipped:
            self.message_user(
                request,
                "Not put on sale, no active SKU: " + ", ".join(result.skipped),
                messages.WARNING,
            )

    @admin.action(description="Take selected products off sale", permissions=["change"])
    def take_off_sale(self, request, queryset):
        result = product_set_active(
            product_ids=queryset.values_list("pk", flat=True), is_active=False, actor=request.user
        )
        self.message_user(request, f"{result.changed} product(s) taken off sale.", messages.SUCCESS)

    @admin.action(description="Feature selected products", permissions=["change"])
    def feature(self, request, queryset):
        changed = product_set_featured(
            product_ids=queryset.values_list("pk", flat=True), is_featured=True, actor=request.user
        )
        self.message_user(request, f"{changed} product(s) featured.", messages.SUCCESS)

    @admin.action(description="Stop featuring selected products", permissions=["change"])
    def unfeature(self, request, queryset):
        changed = product_set_featured(
            product_ids=queryset.values_list("pk", flat=True), is_featured=False, actor=request.user
        )
        self.message_user(request, f"{changed} product(s) no longer featured.", messages.SUCCESS)

    # import: merchant from the user (staff) or the form (operations), never from the file
    def has_import_permission(self, request):
        user = request.user
        if not (user.has_perm("catalog.add_product") and user.has_perm("catalog.add_sku")):
            return False
        return is_platform_staff(user) or staff_merchant(user) is not None

    def _scope_import_merchant_field(self, form, request):
        field = form.fields["merchant"]
        if not is_platform_staff(request.user):
            merchant = staff_merchant(request.user)
            field.queryset = Merchant.objects.filter(pk=merchant.pk if merchant else None)
            field.empty_label = None
            field.initial = merchant.pk if merchant else None
        return form

    def create_import_form(self, request):
        return self._scope_import_merchant_field(super().create_import_form(request), request)

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        return self._scope_import_merchant_field(form, request)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["merchant"] = import_form.cleaned_data["merchant"].pk
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        if is_platform_staff(request.user):
            form = kwargs.get("form")
            merchant = getattr(form, "cleaned_data", {}).get("merchant") if form else None
        else:
            merchant = staff_merchant(request.user)
        return {"merchant": merchant, "actor": request.user}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # One transaction for the file: a row that fails validation undoes every row.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The data changed between the preview and the confirmation: nothing was saved.
            problems = [
                f"row {row.number}: {'; '.join(str(m) for m in row.error.messages)}"
                for row in result.invalid_rows
            ] + [f"row {number}: {errors[0].error}" for number, errors in result.row_errors()]
            problems += [str(error.error) for error in result.base_errors]
            self.message_user(
                request,
                "Nothing was imported: " + " | ".join(problems[:10]),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:catalog_product_import"))
        return super().process_result(result, request)


@admin.register(SKU)
class SKUAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "product__merchant"
    list_display = ("code", "product", "price", "market_price", "barcode", "sellable", "is_active")
    list_filter = ("is_active", "product__category")
    list_select_related = ("product",)
    search_fields = ("code", "barcode", "product__title")
    autocomplete_fields = ("product", "attribute_values")
    fields = (
        "product",
        "code",
        "attribute_values",
        "price",
        "market_price",
        "weight_grams",
        "volume_cm3",
        "barcode",
        "is_active",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sellable_total=sku_sellable_expression())

    @admin.display(description="Sellable", ordering="sellable_total")
    def sellable(self, sku):
        return sku.sellable_total

    def save_model(self, request, obj, form, change):
        previous_product_id = None
        if change and obj.pk:
            previous_product_id = SKU.objects.filter(pk=obj.pk).values_list(
                "product_id", flat=True
            )[0]
        super().save_model(request, obj, form, change)
        self._refresh = {obj.product_id, previous_product_id} - {None}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for product_id in getattr(self, "_refresh", ()):
            product_refresh_price_from(product_id=product_id)


# ---------------------------------------------------------------------------------------------
# Stock: edited only through the stock service; the ledger is read-only
# ---------------------------------------------------------------------------------------------


# Quantities are PostgreSQL integers: a bigger figure is a typo, and must be a field error rather
# than the database's "integer out of range".
STOCK_QUANTITY_MAX = 2_147_483_647


class StockRecordForm(forms.ModelForm):
    """Counted figure ("new on hand") or a correction ("adjust by"), always with a reason."""

    new_on_hand = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=STOCK_QUANTITY_MAX,
        help_text="The counted quantity now in the warehouse.",
    )
    adjust_by = forms.IntegerField(
        required=False,
        min_value=-STOCK_QUANTITY_MAX,
        max_value=STOCK_QUANTITY_MAX,
        help_text="Or: add (positive) or remove (negative) this many.",
    )
    reason = forms.CharField(
        required=False, max_length=200, help_text="Why the stock changes (kept in the ledger)."
    )

    class Meta:
        model = StockRecord
        fields = ("sku", "warehouse", "location")

    def clean(self):
        cleaned = super().clean()
        new_on_hand = cleaned.get("new_on_hand")
        adjust_by = cleaned.get("adjust_by")
        reason = (cleaned.get("reason") or "").strip()
        if new_on_hand is not None and adjust_by not in (None, 0):
            raise forms.ValidationError("Give either a new on-hand figure or an adjustment.")
        changes_stock = new_on_hand is not None or adjust_by not in (None, 0)
        if changes_stock and not reason:
            self.add_error("reason", "Say why the stock changes.")
        if self.instance.pk is None:
            sku, warehouse = cleaned.get("sku"), cleaned.get("warehouse")
            if sku and warehouse and sku.product.merchant_id != warehouse.merchant_id:
                self.add_error("warehouse", "Choose a warehouse of the SKU's own merchant.")
            current_on_hand, allocated = 0, 0
        else:
            current = StockRecord.objects.get(pk=self.instance.pk)
            current_on_hand, allocated = current.on_hand, current.allocated
        target = None
        if new_on_hand is not None:
            target, field = new_on_hand, "new_on_hand"
        elif adjust_by:
            target, field = current_on_hand + adjust_by, "adjust_by"
        if target is not None and target < allocated:
            self.add_error(
                field,
                f"On hand cannot go below the {allocated} allocated to orders "
                f"(this would make it {target}).",
            )
        elif target is not None and target > STOCK_QUANTITY_MAX:
            self.add_error(
                field,
                f"On hand cannot exceed {STOCK_QUANTITY_MAX:,} (this would make it {target:,}).",
            )
        cleaned["reason"] = reason
        return cleaned


@admin.register(StockRecord)
class StockRecordAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "sku__product__merchant"
    form = StockRecordForm
    list_display = (
        "sku_code",
        "product_title",
        "warehouse",
        "on_hand",
        "allocated",
        "sellable",
        "location",
    )
    list_select_related = ("sku__product", "warehouse")
    list_filter = (StockLevelFilter, "warehouse")
    search_fields = ("sku__code", "sku__barcode", "sku__product__title", "location")
    autocomplete_fields = ("sku",)

    def get_fields(self, request, obj=None):
        stock = ("on_hand", "allocated", "sellable", "new_on_hand", "adjust_by", "reason")
        if obj is None:
            return ("sku", "warehouse", "location", "new_on_hand", "reason")
        return ("sku", "warehouse", "location", *stock, "ledger_link")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("sku", "warehouse", "on_hand", "allocated", "sellable", "ledger_link")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sellable_total=F("on_hand") - F("allocated"))

    @admin.display(description="SKU", ordering="sku__code")
    def sku_code(self, record):
        return record.sku.code

    @admin.display(description="Product", ordering="sku__product__title")
    def product_title(self, record):
        return record.sku.product.title

    @admin.display(description="Sellable", ordering="sellable_total")
    def sellable(self, record):
        return record.sellable

    @admin.display(description="Ledger")
    def ledger_link(self, record):
        url = reverse("admin:catalog_stockmove_changelist")
        return format_html(
            '<a href="{}?sku__id__exact={}&amp;warehouse__id__exact={}">Stock moves</a>',
            url,
            record.sku_id,
            record.warehouse_id,
        )

    def save_model(self, request, obj, form, change):
        """Never a direct save of quantities: the stock service writes the ledger row."""
        data = form.cleaned_data
        reason = data.get("reason") or ("Opening stock" if not change else "")
        try:
            if not change:
                record = stock_set_on_hand(
                    sku=obj.sku,
                    warehouse=obj.warehouse,
                    on_hand=data.get("new_on_hand") or 0,
                    reason=reason,
                    actor=request.user,
                )
            elif data.get("new_on_hand") is not None:
                record = stock_set_on_hand(
                    sku=obj.sku,
                    warehouse=obj.warehouse,
                    on_hand=data["new_on_hand"],
                    reason=reason,
                    actor=request.user,
                )
            elif data.get("adjust_by"):
                record = stock_adjust(
                    sku=obj.sku,
                    warehouse=obj.warehouse,
                    on_hand_delta=data["adjust_by"],
                    reason=reason,
                    actor=request.user,
                )
            else:
                record = StockRecord.objects.get(sku=obj.sku, warehouse=obj.warehouse)
        except DomainError as exc:
            # Raced with an order between the form check and the save: nothing changed.
            self.message_user(request, f"Stock not changed: {exc.detail}", messages.ERROR)
            request._stock_refused = True
            record = StockRecord.objects.get(pk=obj.pk) if obj.pk else None
            if record is None:
                return
        if "location" in form.changed_data or not change:
            StockRecord.objects.filter(pk=record.pk).update(location=obj.location)
        obj.pk = record.pk
        obj.on_hand, obj.allocated = record.on_hand, record.allocated

    def save_related(self, request, form, formsets, change):
        if form.instance.pk:
            super().save_related(request, form, formsets, change)

    def response_change(self, request, obj):
        if getattr(request, "_stock_refused", False):
            return HttpResponseRedirect(request.path)  # back to the form, no "changed" banner
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "_stock_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)


@admin.register(StockMove)
class StockMoveAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    """The stock ledger: append-only, nobody edits or deletes it."""

    merchant_lookup = "sku__product__merchant"
    list_display = (
        "created_at",
        "kind",
        "sku_code",
        "warehouse",
        "on_hand_delta",
        "allocated_delta",
        "order_no",
        "reason",
        "actor",
    )
    list_filter = ("kind", "warehouse")
    list_select_related = ("sku", "warehouse", "actor")
    search_fields = ("sku__code", "order_no", "reason")
    date_hierarchy = "created_at"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="SKU", ordering="sku__code")
    def sku_code(self, move):
        return move.sku.code


# ---------------------------------------------------------------------------------------------
# Promotions and shipping
# ---------------------------------------------------------------------------------------------


class PromotionTierInline(MerchantScopedInline, admin.TabularInline):
    model = PromotionTier
    extra = 1


class LimitedTimePriceFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        merchant_id = self.instance.merchant_id
        for form in self.forms:
            sku = form.cleaned_data.get("sku") if hasattr(form, "cleaned_data") else None
            if sku and merchant_id and sku.product.merchant_id != merchant_id:
                form.add_error("sku", "Choose an SKU of this promotion's merchant.")


class LimitedTimePriceInline(MerchantScopedInline, admin.TabularInline):
    model = LimitedTimePrice
    formset = LimitedTimePriceFormSet
    autocomplete_fields = ("sku",)
    extra = 1


@admin.register(Promotion)
class PromotionAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "merchant"
    list_display = ("name", "merchant", "kind", "starts_at", "ends_at", "is_active")
    list_filter = ("kind", "is_active", "merchant")
    list_select_related = ("merchant",)
    search_fields = ("name",)
    date_hierarchy = "starts_at"
    autocomplete_fields = ("products",)
    inlines = [PromotionTierInline, LimitedTimePriceInline]

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if not is_platform_staff(request.user):
            columns.remove("merchant")
        return columns


class ShippingRegionRateInline(MerchantScopedInline, admin.TabularInline):
    model = ShippingRegionRate
    extra = 1


@admin.register(ShippingTemplate)
class ShippingTemplateAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "merchant"
    list_display = (
        "merchant",
        "first_weight_grams",
        "first_fee",
        "additional_weight_grams",
        "additional_fee",
        "free_over",
    )
    list_select_related = ("merchant",)
    inlines = [ShippingRegionRateInline]


from catalog import admin_flash_sales  # noqa: E402, F401
