"""Admin for platform operations: push rules, the delivery log (outbox) and inboxes.

Not scoped by merchant: these are ops tools; merchant staff have no permissions on them. The one
exception is MerchantWebhook, scoped so that a merchant's staff may manage their own and see
what was sent to it (read-only, on the webhook's page).
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from catalog.actors import actor_for
from catalog.admin_scope import MerchantScopedAdmin
from notifications.models import (
    InboxMessage,
    MerchantWebhook,
    NotificationPreference,
    OutboxMessage,
    PushRule,
)
from notifications.services.delivery import outbox_retry
from notifications.services.webhooks import merchant_webhook_rotate_secret
from notifications.webhook_address import UnsafeWebhookAddress, webhook_address_check
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
        "title_template_zh_hans",
        "render_problem",
        "updated_at",
    ]
    list_editable = ["is_active", "title_template", "title_template_zh_hans"]
    list_filter = ["is_active", "target", "channel", "node"]
    search_fields = [
        "node",
        "title_template",
        "body_template",
        "title_template_zh_hans",
        "body_template_zh_hans",
    ]
    readonly_fields = ["last_render_error", "last_render_error_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["node", "target", "channel", "is_active"]}),
        (
            _("Templates"),
            {
                "fields": [
                    "title_template_zh_hans",
                    "body_template_zh_hans",
                    "title_template",
                    "body_template",
                ],
                "description": _(
                    "Placeholders in braces come from the event: {order_no}, {sub_order_no}, "
                    "{payment_no}, {refund_no}, {case_no}, {amount}, {tracking_no}, {carrier}, "
                    "{status_text}; after-sales cases also {type}, {reason}, {note}, "
                    "{deadline}, {offer_amount}, {party}, {author_role}; {link} is the page as a "
                    "full URL (for SMS, push, WeChat). Target 'Platform operations' reaches the "
                    "active members of the operations group, with a link to the admin page. "
                    "Each recipient reads the language of their account; a text left empty in "
                    "one language is sent in the other."
                ),
            },
        ),
        (
            _("Last rendering problem"),
            {"fields": ["last_render_error", "last_render_error_at"]},
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("Problem"), boolean=False)
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
        templates = {
            "title_template",
            "body_template",
            "title_template_zh_hans",
            "body_template_zh_hans",
        }
        if templates & set(form.changed_data):
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
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
    ]
    list_filter = ["status", "channel", "node", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=id", "event_key", "recipient__username", "title"]
    list_select_related = ["recipient", "webhook__merchant"]
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
        "language",
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

    @admin.display(description=_("Last error"))
    def short_error(self, obj):
        return Truncator(obj.last_error).chars(60)

    @admin.action(description=_("Retry now"))
    def retry_now(self, request, queryset):
        retried, refused = 0, []
        actor = actor_for(request.user)
        for outbox_id in queryset.order_by("id").values_list("id", flat=True):
            try:
                outbox_retry(outbox_id=outbox_id, actor=actor)
            except DomainError as error:
                refused.append(f"#{outbox_id}: {error.detail}")
            else:
                retried += 1
        if retried:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message queued for delivery.",
                    "%(count)d messages queued for delivery.",
                    retried,
                )
                % {"count": retried},
            )
        if refused:
            self.message_user(
                request,
                gettext("Not retried: %(reasons)s") % {"reasons": "; ".join(refused)},
                messages.WARNING,
            )


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


class MerchantWebhookForm(forms.ModelForm):
    class Meta:
        model = MerchantWebhook
        fields = ["merchant", "url", "is_active"]
        # A URL typed without a scheme is taken as https, the only one allowed in production.
        field_classes = {"url": partial(forms.URLField, assume_scheme="https")}

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhook_address_check(url)
        except UnsafeWebhookAddress as error:
            raise forms.ValidationError(str(error), code="unsafe_webhook_url")
        return url


@admin.register(MerchantWebhook)
class MerchantWebhookAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    """Merchant staff manage their own webhook (scoped), see what was sent to it, and rotate its
    secret; the delivery log itself stays an ops tool."""

    form = MerchantWebhookForm
    merchant_lookup = "merchant"
    list_display = ["merchant", "url", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["merchant__name", "url"]
    list_select_related = ["merchant"]
    fields = [
        "merchant",
        "url",
        "is_active",
        "secret",
        "created_at",
        "updated_at",
        "recent_deliveries",
    ]
    actions = ["rotate_secret"]
    recent_deliveries_shown = 50

    def get_readonly_fields(self, request, obj=None):
        # The secret is generated; the merchant copies it to verify X-Shop-Signature.
        return ["secret", "created_at", "updated_at", "recent_deliveries"]

    @admin.display(description=_("Recent deliveries"))
    def recent_deliveries(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        rows = list(
            OutboxMessage.objects.filter(webhook=obj)
            .order_by("-created_at", "-id")
            .values_list("created_at", "node", "status", "attempts", "sent_at", "last_error")[
                : self.recent_deliveries_shown
            ]
        )
        if not rows:
            return gettext("Nothing sent yet.")
        header = format_html_join(
            "",
            "<th>{}</th>",
            (
                (gettext("Created"),),
                (gettext("Event"),),
                (gettext("Status"),),
                (gettext("Attempts"),),
                (gettext("Sent"),),
                (gettext("Last error"),),
            ),
        )
        header = format_html("<tr>{}</tr>", header)
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(created), "Y-m-d H:i:s"),
                    node,
                    str(OutboxMessage.Status(status).label),
                    attempts,
                    date_format(timezone.localtime(sent), "Y-m-d H:i:s") if sent else "-",
                    Truncator(error).chars(120),
                )
                for created, node, status, attempts, sent, error in rows
            ),
        )
        return format_html("<table>{}{}</table>", header, body)

    @admin.action(description=_("Rotate the signing secret"), permissions=["change"])
    def rotate_secret(self, request, queryset):
        rotated = 0
        actor = actor_for(request.user)
        for webhook_id in queryset.order_by("id").values_list("id", flat=True):
            try:
                merchant_webhook_rotate_secret(webhook_id=webhook_id, actor=actor)
            except DomainError as error:
                self.message_user(request, f"#{webhook_id}: {error.detail}", messages.WARNING)
            else:
                rotated += 1
        self.message_user(
            request,
            ngettext(
                "New secret for %(count)d webhook: update your system to verify with it; "
                "messages still waiting are signed with the new one.",
                "New secret for %(count)d webhooks: update your system to verify with it; "
                "messages still waiting are signed with the new one.",
                rotated,
            )
            % {"count": rotated},
        )
