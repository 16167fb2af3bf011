"""Stock: edited only through the stock service (a counted figure or a correction, always with
a reason); the ledger is read-only."""

from django import forms
from django.contrib import admin, messages
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.actors import actor_for
from catalog.admin_scope import MerchantScopedAdmin
from catalog.models import StockMove, StockRecord
from catalog.services.stock import stock_adjust, stock_set_on_hand
from shop.errors import DomainError


class StockLevelFilter(admin.SimpleListFilter):
    """Out of stock / running low / in stock, on the annotated `sellable_total`."""

    title = _("stock")
    parameter_name = "stock"
    LOW = 10

    def lookups(self, request, model_admin):
        return [
            ("out", _("Out of stock")),
            ("low", gettext("Low (1–%(low)d)") % {"low": self.LOW}),
            ("in", gettext("In stock (over %(low)d)") % {"low": self.LOW}),
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


# Quantities are PostgreSQL integers: a bigger figure is a typo, and must be a field error rather
# than the database's "integer out of range".
STOCK_QUANTITY_MAX = 2_147_483_647


class StockRecordForm(forms.ModelForm):
    """Counted figure ("new on hand") or a correction ("adjust by"), always with a reason."""

    new_on_hand = forms.IntegerField(
        label=_("New on hand"),
        required=False,
        min_value=0,
        max_value=STOCK_QUANTITY_MAX,
        help_text=_("The counted quantity now in the warehouse."),
    )
    adjust_by = forms.IntegerField(
        label=_("Adjust by"),
        required=False,
        min_value=-STOCK_QUANTITY_MAX,
        max_value=STOCK_QUANTITY_MAX,
        help_text=_("Or: add (positive) or remove (negative) this many."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        help_text=_("Why the stock changes (kept in the ledger)."),
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
            raise forms.ValidationError(
                gettext("Give either a new on-hand figure or an adjustment.")
            )
        changes_stock = new_on_hand is not None or adjust_by not in (None, 0)
        if changes_stock and not reason:
            self.add_error("reason", gettext("Say why the stock changes."))
        if self.instance.pk is None:
            sku, warehouse = cleaned.get("sku"), cleaned.get("warehouse")
            if sku and warehouse and sku.product.merchant_id != warehouse.merchant_id:
                self.add_error(
                    "warehouse", gettext("Choose a warehouse of the SKU's own merchant.")
                )
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
                gettext(
                    "On hand cannot go below the %(allocated)s allocated to orders "
                    "(this would make it %(target)s)."
                )
                % {"allocated": allocated, "target": target},
            )
        elif target is not None and target > STOCK_QUANTITY_MAX:
            self.add_error(
                field,
                gettext("On hand cannot exceed %(most)s (this would make it %(target)s).")
                % {"most": f"{STOCK_QUANTITY_MAX:,}", "target": f"{target:,}"},
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

    @admin.display(description=_("SKU"), ordering="sku__code")
    def sku_code(self, record):
        return record.sku.code

    @admin.display(description=_("Product"), ordering="sku__product__title")
    def product_title(self, record):
        return record.sku.product.title

    @admin.display(description=_("Sellable"), ordering="sellable_total")
    def sellable(self, record):
        return record.sellable

    @admin.display(description=_("Ledger"))
    def ledger_link(self, record):
        url = reverse("admin:catalog_stockmove_changelist")
        return format_html(
            '<a href="{}?sku__id__exact={}&amp;warehouse__id__exact={}">{}</a>',
            url,
            record.sku_id,
            record.warehouse_id,
            gettext("Stock moves"),
        )

    def save_model(self, request, obj, form, change):
        """Never a direct save of quantities: the stock service writes the ledger row."""
        data = form.cleaned_data
        reason = data.get("reason") or ("Opening stock" if not change else "")
        actor = actor_for(request.user)
        try:
            if not change:
                record = stock_set_on_hand(
                    sku=obj.sku,
                    warehouse=obj.warehouse,
                    on_hand=data.get("new_on_hand") or 0,
                    reason=reason,
                    actor=actor,
                )
            elif data.get("new_on_hand") is not None:
                record = stock_set_on_hand(
                    sku=obj.sku,
                    warehouse=obj.warehouse,
                    on_hand=data["new_on_hand"],
                    reason=reason,
                    actor=actor,
                )
            elif data.get("adjust_by"):
                record = stock_adjust(
                    sku=obj.sku,
                    warehouse=obj.warehouse,
                    on_hand_delta=data["adjust_by"],
                    reason=reason,
                    actor=actor,
                )
            else:
                record = StockRecord.objects.get(sku=obj.sku, warehouse=obj.warehouse)
        except DomainError as exc:
            # Raced with an order between the form check and the save: nothing changed.
            self.message_user(
                request,
                gettext("Stock not changed: %(why)s") % {"why": exc.detail},
                messages.ERROR,
            )
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

    @admin.display(description=_("SKU"), ordering="sku__code")
    def sku_code(self, move):
        return move.sku.code
