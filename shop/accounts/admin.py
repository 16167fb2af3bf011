"""Ops-only admin of customers, membership tiers, addresses and coupons."""

from django.contrib import admin

from shop.accounts.models import Address, Coupon, CustomerProfile, HeldCoupon, MembershipTier


@admin.register(MembershipTier)
class MembershipTierAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "discount_percent", "position"]
    list_editable = ["position"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(CustomerProfile)
class CustomerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "tier", "is_new_customer", "created_at"]
    list_filter = ["tier", "is_new_customer"]
    search_fields = ["user__username", "user__email", "phone"]
    list_select_related = ["user", "tier"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["recipient", "user", "phone", "province", "city", "is_default"]
    list_filter = ["province", "is_default"]
    search_fields = ["recipient", "phone", "user__username", "city", "detail"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


class HeldCouponInline(admin.TabularInline):
    model = HeldCoupon
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["granted_at", "used_at", "used_on_order_no"]


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "kind",
        "value",
        "min_spend",
        "merchant",
        "valid_from",
        "valid_until",
        "for_new_customers",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "for_new_customers", "merchant"]
    list_select_related = ["merchant"]
    search_fields = ["code", "name"]
    date_hierarchy = "valid_from"
    inlines = [HeldCouponInline]


@admin.register(HeldCoupon)
class HeldCouponAdmin(admin.ModelAdmin):
    list_display = ["coupon", "user", "granted_at", "used_at", "used_on_order_no"]
    list_filter = ["coupon", ("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "coupon__code", "used_on_order_no"]
    list_select_related = ["coupon", "user"]
    raw_id_fields = ["user"]
    readonly_fields = ["granted_at"]
