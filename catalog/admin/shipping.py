"""Shipping templates: a merchant's fee by weight, per region, free above a threshold."""

from django.contrib import admin

from catalog.admin_scope import MerchantScopedAdmin, MerchantScopedInline
from catalog.models import ShippingRegionRate, ShippingTemplate


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
