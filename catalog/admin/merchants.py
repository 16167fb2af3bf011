"""Merchants, their staff and their warehouses (platform operations set them up)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext

from catalog.actors import is_platform_staff
from catalog.admin_scope import MerchantScopedAdmin
from catalog.models import Merchant, MerchantStaff, Warehouse
from shop.roles import grant_merchant_staff_role


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
            self.add_error(
                "warehouses",
                gettext("Not warehouses of %(merchant)s: %(names)s.")
                % {"merchant": merchant, "names": names},
            )
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
