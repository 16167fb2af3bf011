"""Promotions: full reductions with their tiers, percentage discounts, limited-time prices."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext

from catalog.actors import is_platform_staff
from catalog.admin_scope import MerchantScopedAdmin, MerchantScopedInline
from catalog.models import LimitedTimePrice, Promotion, PromotionTier


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
                form.add_error("sku", gettext("Choose an SKU of this promotion's merchant."))


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
