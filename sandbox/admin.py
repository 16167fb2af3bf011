"""The sandbox gateway's ledger in the admin, read-only, for platform operations: what the
"gateway" recorded (trades, refunds) and how its notifications to the shop went."""

from django.contrib import admin

from catalog.actors import is_platform_staff
from shop.admin_inlines import ReadOnlyTabularInline

from .models import SandboxNotification, SandboxRefund, SandboxTrade


class SandboxLedgerAdmin(admin.ModelAdmin):
    """The gateway's side of the story: looked at, never edited (it is the other party)."""

    def has_module_permission(self, request):
        return is_platform_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_platform_staff(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SandboxNotificationInline(ReadOnlyTabularInline):
    model = SandboxNotification
    fields = ["created_at", "attempts", "next_attempt_at", "acknowledged_at", "last_response"]


@admin.register(SandboxTrade)
class SandboxTradeAdmin(SandboxLedgerAdmin):
    list_display = ["trade_no", "gateway", "payment_no", "amount", "status", "created_at"]
    list_filter = ["gateway", "status", "created_at"]
    search_fields = ["trade_no", "payment_no"]
    fields = readonly_fields = list_display
    inlines = [SandboxNotificationInline]


@admin.register(SandboxRefund)
class SandboxRefundAdmin(SandboxLedgerAdmin):
    list_display = ["refund_id", "gateway", "out_refund_no", "trade_no", "amount", "created_at"]
    list_filter = ["gateway", "created_at"]
    search_fields = ["refund_id", "out_refund_no", "trade_no"]
    fields = readonly_fields = list_display
