"""Products with their SKUs and images: the page a merchant edits a product on, its list with
the stock at a glance, and the on-sale / featured actions."""

from django.contrib import admin, messages
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin

from catalog.actors import actor_for, is_platform_staff
from catalog.admin_scope import MerchantScopedAdmin, MerchantScopedInline
from catalog.models import SKU, Product, ProductImage, StockRecord
from catalog.selectors import product_sellable_expression, sku_sellable_expression
from catalog.services.products import (
    product_refresh_price_from,
    product_set_active,
    product_set_featured,
)

from .imports import ProductImportPage
from .stock import StockLevelFilter


def _thumbnail(image: ProductImage | None, size: int = 48):
    if image is None or not image.image:
        return format_html(
            '<span style="color:var(--body-quiet-color)">{}</span>', gettext("no image")
        )
    try:
        url = image.thumbnail.url
    except (OSError, ValueError):  # source file missing or unreadable: show nothing broken
        return format_html(
            '<span style="color:var(--error-fg)">{}</span>', gettext("image missing")
        )
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" style="object-fit:cover;border-radius:4px">',
        url,
        image.alt,
        size,
        size,
    )


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

    @admin.display(description=_("Sellable"))
    def sellable(self, sku):
        return getattr(sku, "sellable_total", "—") if sku.pk else "—"


class ProductImageInline(MerchantScopedInline, admin.TabularInline):
    model = ProductImage
    fields = ("preview", "image", "alt", "position")
    readonly_fields = ("preview",)
    extra = 1

    @admin.display(description=_("Preview"))
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

    @admin.display(description=_("Preview"))
    def preview(self, image):
        return _thumbnail(image, size=80) if image.pk else "—"


@admin.register(Product)
class ProductAdmin(ProductImportPage, ImportMixin, MerchantScopedAdmin, admin.ModelAdmin):
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
    search_help_text = _("Title, SKU code or barcode.")
    autocomplete_fields = ("category", "brand")
    readonly_fields = ("price_from", "sales_count", "stock", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("merchant", "title", "subtitle", "category", "brand")}),
        (_("Description"), {"fields": ("description",)}),
        (_("On sale"), {"fields": ("is_active", "is_featured", "price_from", "sales_count")}),
        (_("Stock"), {"fields": ("stock",)}),
        (_("After-sales"), {"fields": ("no_reason_return",)}),
        (_("History"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = [SKUInline, ProductImageInline]
    actions = ["put_on_sale", "take_off_sale", "feature", "unfeature"]

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

    @admin.display(description=_("Stock per warehouse"))
    def stock(self, product):
        """Each SKU's stock per warehouse, each linking to its stock form (count, adjust), and
        a link to stock a SKU in another warehouse: stock is changed from the product page."""
        if product.pk is None:
            return gettext("Save the product first, then stock its SKUs here.")
        records = StockRecord.objects.filter(sku__product=product).select_related(
            "sku", "warehouse"
        )
        skus = list(product.skus.order_by("code"))
        change = "admin:catalog_stockrecord_change"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            '<td><a href="{}">{}</a></td></tr>',
            (
                (
                    r.sku.code,
                    r.warehouse.name,
                    r.on_hand,
                    r.allocated,
                    r.sellable,
                    reverse(change, args=[r.pk]),
                    gettext("Change stock"),
                )
                for r in records
            ),
        )
        add = reverse("admin:catalog_stockrecord_add")
        add_links = format_html_join(
            " ",
            '<a class="addlink" href="{}?sku={}">{}</a>',
            (
                (add, sku.pk, gettext("Stock %(sku)s in a warehouse") % {"sku": sku.code})
                for sku in skus
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>{}</th><th></th></tr></thead><tbody>{}</tbody></table><p>{}</p>",
            gettext("SKU"),
            gettext("Warehouse"),
            gettext("On hand"),
            gettext("Allocated"),
            gettext("Sellable"),
            rows,
            add_links,
        )

    @admin.display(description="")
    def thumbnail(self, product):
        images = getattr(product, "ordered_images", None)
        return _thumbnail(images[0] if images else None)

    @admin.display(description=_("Sellable"), ordering="sellable_total")
    def sellable_stock(self, product):
        return product.sellable_total

    @admin.display(description=_("On sale"), boolean=True, ordering="is_active")
    def on_sale(self, product):
        return product.is_active

    @admin.display(description=_("Featured"), boolean=True, ordering="is_featured")
    def featured(self, product):
        return product.is_featured

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product_refresh_price_from(product_id=form.instance.pk)

    # actions
    @admin.action(description=_("Put selected products on sale"), permissions=["change"])
    def put_on_sale(self, request, queryset):
        result = product_set_active(
            product_ids=queryset.values_list("pk", flat=True),
            is_active=True,
            actor=actor_for(request.user),
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d product put on sale.", "%(count)d products put on sale.", result.changed
            )
            % {"count": result.changed},
            messages.SUCCESS,
        )
        if result.skipped:
            self.message_user(
                request,
                gettext("Not put on sale, no active SKU: %(products)s")
                % {"products": ", ".join(result.skipped)},
                messages.WARNING,
            )

    @admin.action(description=_("Take selected products off sale"), permissions=["change"])
    def take_off_sale(self, request, queryset):
        result = product_set_active(
            product_ids=queryset.values_list("pk", flat=True),
            is_active=False,
            actor=actor_for(request.user),
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d product taken off sale.",
                "%(count)d products taken off sale.",
                result.changed,
            )
            % {"count": result.changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Feature selected products"), permissions=["change"])
    def feature(self, request, queryset):
        changed = product_set_featured(
            product_ids=queryset.values_list("pk", flat=True),
            is_featured=True,
            actor=actor_for(request.user),
        )
        self.message_user(
            request,
            ngettext("%(count)d product featured.", "%(count)d products featured.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Stop featuring selected products"), permissions=["change"])
    def unfeature(self, request, queryset):
        changed = product_set_featured(
            product_ids=queryset.values_list("pk", flat=True),
            is_featured=False,
            actor=actor_for(request.user),
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d product no longer featured.",
                "%(count)d products no longer featured.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )


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

    @admin.display(description=_("Sellable"), ordering="sellable_total")
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
