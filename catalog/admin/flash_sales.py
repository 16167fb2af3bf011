"""Flash sales (秒杀) in the admin: a merchant's staff mark sales of their own SKUs, operations
see and edit all of them. The list shows what the admission gate holds next to the database's
sellable stock, so a counter that drifted is visible (the reconcile task repairs it)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.actors import is_platform_staff
from catalog.admin_scope import MerchantScopedAdmin
from catalog.models import FlashSale
from catalog.services import flash_gate


@admin.register(FlashSale)
class FlashSaleAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "sku__product__merchant"
    list_display = (
        "name",
        "sku",
        "merchant",
        "price",
        "starts_at",
        "ends_at",
        "per_shopper_limit",
        "is_active",
        "running",
        "gate",
    )
    list_filter = ("is_active",)
    list_select_related = ("sku__product__merchant",)
    search_fields = ("name", "sku__code", "sku__product__title")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("sku",)
    fields = ("sku", "name", "price", "starts_at", "ends_at", "per_shopper_limit", "is_active")

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if not is_platform_staff(request.user):
            columns.remove("merchant")
        return columns

    @admin.display(description=_("Merchant"), ordering="sku__product__merchant__name")
    def merchant(self, sale):
        return sale.sku.product.merchant

    @admin.display(description=_("Running now"), boolean=True)
    def running(self, sale):
        return sale.runs_at(timezone.now())

    @admin.display(description=_("Gate / sellable"))
    def gate(self, sale):
        sellable = flash_gate.sellable_in_database(sale.sku_id)
        try:
            counter = flash_gate.gate_read(sku_id=sale.sku_id)
        except flash_gate.GateUnavailable:
            return gettext("Redis unavailable / %(sellable)s") % {"sellable": sellable}
        gate = gettext("not built") if counter is None else counter
        return f"{gate} / {sellable}"
