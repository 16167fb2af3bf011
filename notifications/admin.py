"""Admin for platform operations: push rules, the delivery log (outbox) and inboxes.

Not scoped by merchant: these are ops tools; merchant staff have no permissions on them. The one
exception is MerchantWebhook, scoped so that a merchant's staff may manage their own.
"""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.text import Truncator

from catalog.admin_scope import MerchantScopedAdmin
from notifications.models import (
    InboxMessage,
    MerchantWebhook,
    NotificationPreference,
    OutboxMessage,
    PushRule,
)
from notifications.services import outbox_retry
from shop.errors import DomainError


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PushRule)
class PushRuleAdmin(admin.ModelAdmin):
    list_display = [
        "node",
        "target",
        "channel",
        "is_active",
        "title_template",
        "render_problem",
        "updated_at",
    ]
    list_editable = ["is_active", "title_template"]
    list_filter = ["is_active", "target", "channel", "node"]
    search_fields = ["node", "title_template", "body_template"]
    readonly_fields = ["last_render_error", "last_render_error_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["node", "target", "channel", "is_active"]}),
        (
            "Templates",
            {
                "fields": ["title_template", "body_template"],
                "description": (
                    "Placeholders in braces come from the event: {order_no}, {sub_order_no}, "
                    "{payment_no}, {refund_no}, {case_no}, {amount}, {tracking_no}, {carrier}, "
                    "{status_text}; {link} is the page as a full URL (for SMS, push, WeChat)."
                ),
            },
        ),
        ("Last rendering problem", {"fields": ["last_render_error", "last_render_error_at"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="Problem", boolean=False)
    def render_problem(self, obj):
        if not obj.last_render_error:
            return ""
        return format_html(
            '<span style="color:#b26a00" title="{}">⚠ {}</span>',
            obj.last_render_error,
            Truncator(obj.last_render_error).chars(40),
        )

    def save_model(self, request, obj, form, change):
        # A changed template is a fix: the old problem no longer describes the rule.
        if {"title_template", "body_template"} & set(form.changed_data):
            obj.last_render_error = ""
            obj.last_render_error_at = None
        super().save_model(request, obj, form, change)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "node",
        "channel",
        "recipient",
        "webhook",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
    ]
    list_filter = ["status", "channel", "node", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=id", "event_key", "recipient__username", "title"]
    list_select_related = ["recipient", "webhook"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [
        "event_key",
        "node",
        "subject_type",
        "subject_id",
        "rule",
        "recipient",
        "webhook",
        "channel",
        "title",
        "body",
        "link",
        "data",
        "status",
        "attempts",
        "next_attempt_at",
        "sending_since",
        "last_error",
        "provider_message_id",
        "sent_at",
        "created_at",
    ]

    @admin.display(description="Last error")
    def short_error(self, obj):
        return Truncator(obj.last_error).chars(60)

    @admin.action(description="Retry now")
    def retry_now(self, request, queryset):
        retried, refused = 0, []
        for outbox_id in queryset.order_by("id").values_list("id", flat=True):
            try:
                outbox_retry(outbox_id=outbox_id, actor=request.user)
            except DomainError as error:
                refused.append(f"#{outbox_id}: {error.detail}")
            else:
                retried += 1
        if retried:
            self.message_user(request, f"{retried} message(s) queued for delivery.")
        if refused:
            self.message_user(request, "Not retried: " + "; ".join(refused), messages.WARNING)


@admin.register(InboxMessage)
class InboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "user", "node", "title", "is_read", "read_at"]
    list_filter = ["is_read", "node", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=id", "user__username", "title"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "outbox",
        "node",
        "title",
        "body",
        "link",
        "is_read",
        "read_at",
        "created_at",
    ]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "node", "channel", "enabled", "updated_at"]
    list_filter = ["channel", "enabled", "node"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(MerchantWebhook)
class MerchantWebhookAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "merchant"
    list_display = ["merchant", "url", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["merchant__name", "url"]
    list_select_related = ["merchant"]
    fields = ["merchant", "url", "is_active", "secret", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # The secret is generated; the merchant copies it to verify X-Shop-Signature.
        return ["secret", "created_at", "updated_at"]
