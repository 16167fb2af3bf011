"""Shortages found at picking, as after-sales recorded them (read only)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalog.admin_scope import MerchantScopedAdmin, register_merchant_lookup

from ..models import ShortageRecord
from .forms import may_fulfil

register_merchant_lookup("logistics.shortagerecord", "sub_order__merchant")


@admin.register(ShortageRecord)
class ShortageRecordAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "sub_order__merchant"
    list_display = (
        "created_at",
        "sub_order",
        "item",
        "quantity",
        "reason",
        "refund_amount",
        "refund_reference",
        "staff",
    )
    list_select_related = ("sub_order", "order_line", "staff")
    search_fields = ("sub_order__sub_order_no", "order_line__sku_code", "refund_reference")
    fields = list_display
    readonly_fields = list_display

    @admin.display(description=_("Item"))
    def item(self, shortage):
        return f"{shortage.order_line.sku_code} {shortage.order_line.product_title}"

    def has_module_permission(self, request):
        return may_fulfil(request)

    def has_view_permission(self, request, obj=None):
        return may_fulfil(request) and self.in_scope(request, obj)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
