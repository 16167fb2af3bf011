"""The rows of a case on its admin page: items, timeline, thread, offers (read only)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shop.admin_inlines import ReadOnlyTabularInline

from ..models import CaseEvent, CaseLine, CaseMessage, CaseOffer
from .access import may_work_cases
from .display import evidence_thumbnails


class _CaseInline(ReadOnlyTabularInline):
    """Rows of a case, shown to whoever may see the case (the case admin scopes the case)."""

    def has_view_permission(self, request, obj=None):
        return may_work_cases(request)


class CaseLineInline(_CaseInline):
    model = CaseLine
    verbose_name = _("item")
    verbose_name_plural = _("items")
    fields = ("item", "quantity", "refund_amount", "shipping_amount")

    @admin.display(description=_("Item"))
    def item(self, case_line):
        line = case_line.order_line
        return f"{line.sku_code} {line.product_title} {line.sku_attributes or ''}".strip()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_line")


class CaseEventInline(_CaseInline):
    model = CaseEvent
    verbose_name = _("timeline entry")
    verbose_name_plural = _("timeline")
    fields = ("created_at", "role", "actor", "action", "from_state", "to_state", "note")
    ordering = ("created_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class CaseMessageInline(_CaseInline):
    model = CaseMessage
    verbose_name = _("message")
    verbose_name_plural = _("thread")
    fields = ("created_at", "role", "author", "text", "photos")
    ordering = ("created_at", "pk")

    @admin.display(description=_("Evidence"))
    def photos(self, message):
        return evidence_thumbnails(message.evidence.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author").prefetch_related("evidence")


class CaseOfferInline(_CaseInline):
    model = CaseOffer
    verbose_name = _("offer")
    verbose_name_plural = _("offers to the shopper")
    fields = ("created_at", "type", "refund_amount", "note", "status", "created_by", "answered_at")
    ordering = ("created_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")
