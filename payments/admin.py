"""Payments in the admin, for platform operations only: payments and the notification log are
read-only (money is never edited by hand), refunds can be retried, reconciliation is a report."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from catalog.actors import actor_for, is_platform_staff
from shop.admin_inlines import ReadOnlyTabularInline
from shop.errors import DomainError

from . import services
from .models import (
    Payment,
    PaymentEvent,
    PaymentNotification,
    ReconciliationMismatch,
    ReconciliationRun,
    Refund,
)
from .resources import PaymentExportResource, RefundExportResource


class OpsOnlyAdmin(admin.ModelAdmin):
    """Visible to platform operations (and superusers) only; merchants never see money rows."""

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


class RefundInline(ReadOnlyTabularInline):
    model = Refund
    fields = ["refund_no", "amount", "status", "reason", "attempts", "created_at", "succeeded_at"]
    show_change_link = True


class PaymentEventInline(ReadOnlyTabularInline):
    """The payment's history: every change of its state and of its refunds' states."""

    model = PaymentEvent
    fk_name = "payment"
    fields = [
        "created_at",
        "refund",
        "what",
        "from_state",
        "to_state",
        "actor",
        "actor_role",
        "note",
    ]
    verbose_name = _("history entry")
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("refund", "actor")


class RefundEventInline(PaymentEventInline):
    """The refund's history: every change of its state."""

    fk_name = "refund"
    fields = ["created_at", "what", "from_state", "to_state", "actor", "actor_role", "note"]


class NotificationInline(ReadOnlyTabularInline):
    model = PaymentNotification
    fields = ["created_at", "kind", "trade_no", "signature_valid", "outcome", "detail"]


@admin.register(Payment)
class PaymentAdmin(ExportMixin, OpsOnlyAdmin):
    resource_classes = [PaymentExportResource]  # CSV / Excel of the list as filtered
    export_formats = [CSV, XLSX]

    def has_export_permission(self, request):
        # Before ExportMixin's (which allows every staff user) in the method order.
        return is_platform_staff(request.user)

    list_display = [
        "payment_no",
        "order_no",
        "method",
        "amount",
        "status",
        "orphaned",
        "gateway_trade_no",
        "paid_at",
        "created_at",
    ]
    list_filter = ["status", "method", "orphaned", "created_at", "paid_at"]
    search_fields = ["payment_no", "order__order_no", "gateway_trade_no"]
    date_hierarchy = "created_at"
    list_select_related = ["order"]
    readonly_fields = [
        "payment_no",
        "order",
        "method",
        "amount",
        "status",
        "gateway_trade_no",
        "orphaned",
        "failure_reason",
        "paid_at",
        "created_at",
        "updated_at",
        "refunded_total",
    ]
    fields = readonly_fields
    inlines = [RefundInline, NotificationInline, PaymentEventInline]

    @admin.display(description=_("Order"), ordering="order__order_no")
    def order_no(self, obj):
        return obj.order.order_no

    @admin.display(description=pgettext_lazy("money returned so far", "Refunded"))
    def refunded_total(self, obj):
        # Money the gateway has confirmed back; refunds still pending or failed are listed in
        # the inline with their status, not counted as returned.
        confirmed = obj.refunds.filter(status=Refund.Status.SUCCEEDED)
        return confirmed.aggregate(s=Sum("amount"))["s"] or "0.00"


@admin.register(Refund)
class RefundAdmin(ExportMixin, OpsOnlyAdmin):
    resource_classes = [RefundExportResource]  # CSV / Excel of the list as filtered
    export_formats = [CSV, XLSX]

    def has_export_permission(self, request):
        # Before ExportMixin's (which allows every staff user) in the method order.
        return is_platform_staff(request.user)

    list_display = [
        "refund_no",
        "payment_no",
        "order_no",
        "amount",
        "status",
        "payout",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "succeeded_at",
    ]
    list_filter = ["status", "manual_payout", "payment__method", "created_at"]
    search_fields = [
        "refund_no",
        "payment__payment_no",
        "payment__order__order_no",
        "gateway_refund_id",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["payment", "payment__order"]
    readonly_fields = [
        "refund_no",
        "payment",
        "order_line",
        "amount",
        "quantity",
        "reason",
        "idempotency_key",
        "status",
        "gateway_refund_id",
        "attempts",
        "next_attempt_at",
        "last_error",
        "requested_by",
        "created_at",
        "succeeded_at",
        "payout",
        "payout_reference",
        "paid_out_by",
    ]
    fields = readonly_fields
    inlines = [RefundEventInline]
    actions = ["retry_refund", "record_paid_out"]

    @admin.display(description=_("Payout"))
    def payout(self, obj):
        if obj.awaiting_manual_payout:
            return gettext("Awaiting manual payout")
        if obj.manual_payout and obj.status == Refund.Status.SUCCEEDED:
            return gettext("Paid out by hand (%(reference)s)") % {"reference": obj.payout_reference}
        return gettext("Through the gateway")

    @admin.display(
        description=pgettext_lazy("a payment record", "Payment"), ordering="payment__payment_no"
    )
    def payment_no(self, obj):
        return obj.payment.payment_no

    @admin.display(description=_("Order"), ordering="payment__order__order_no")
    def order_no(self, obj):
        return obj.payment.order.order_no

    def has_retry_permission(self, request):
        return is_platform_staff(request.user)

    @admin.action(description=_("Retry refund"), permissions=["retry"])
    def retry_refund(self, request, queryset):
        retried = 0
        actor = actor_for(request.user)
        for refund_id in queryset.exclude(status=Refund.Status.SUCCEEDED).values_list(
            "pk", flat=True
        ):
            try:
                services.refund_retry(refund_id=refund_id, actor=actor)
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                retried += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d refund queued for another attempt.",
                "%(count)d refunds queued for another attempt.",
                retried,
            )
            % {"count": retried},
        )

    def has_payout_permission(self, request):
        return is_platform_staff(request.user)

    @admin.action(
        description=_("Paid out (cash-on-delivery refund paid by hand)"), permissions=["payout"]
    )
    def record_paid_out(self, request, queryset):
        """Ask for the transfer's reference, then record each selected refund as paid out."""
        waiting = list(
            queryset.filter(manual_payout=True, status=Refund.Status.PROCESSING).select_related(
                "payment", "payment__order"
            )
        )
        if not waiting:
            self.message_user(
                request,
                gettext("None of the selected refunds is awaiting a manual payout."),
                messages.ERROR,
            )
            return None
        if "apply" in request.POST:
            paid = 0
            actor = actor_for(request.user)
            for refund in waiting:
                try:
                    services.refund_record_manual_payout(
                        refund_id=refund.pk,
                        reference=request.POST.get("payout_reference", ""),
                        actor=actor,
                    )
                except DomainError as error:
                    self.message_user(request, f"{refund.refund_no}: {error}", messages.ERROR)
                    break
                paid += 1
            if paid:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d refund recorded as paid out.",
                        "%(count)d refunds recorded as paid out.",
                        paid,
                    )
                    % {"count": paid},
                )
            return None
        return TemplateResponse(
            request,
            "payments/admin/refund_paid_out.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Record a manual payout"),
                "opts": self.model._meta,
                "refunds": waiting,
                "total": sum(refund.amount for refund in waiting),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(OpsOnlyAdmin):
    list_display = [
        "created_at",
        "gateway",
        "payment",
        "trade_no",
        "kind",
        "signature_valid",
        "outcome",
        "detail",
    ]
    list_filter = ["gateway", "outcome", "signature_valid", "created_at"]
    search_fields = ["trade_no", "notify_id", "payment__payment_no"]
    date_hierarchy = "created_at"
    list_select_related = ["payment"]
    readonly_fields = [
        "gateway",
        "payment",
        "notify_id",
        "trade_no",
        "kind",
        "signature_valid",
        "outcome",
        "detail",
        "headers",
        "body",
        "created_at",
    ]
    fields = readonly_fields


class MismatchInline(admin.TabularInline):
    model = ReconciliationMismatch
    extra = 0
    can_delete = False
    fields = [
        "subject",
        "reference",
        "kind",
        "our_amount",
        "gateway_amount",
        "our_status",
        "gateway_status",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReconcileDayForm(forms.Form):
    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A past day."),
    )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day >= timezone.localdate():
            raise forms.ValidationError(
                gettext("Choose a day that is over (today is still going on).")
            )
        return day


def next_scheduled_reconciliation():
    """When beat next reconciles (the day before), from the schedule in settings."""
    entry = settings.CELERY_BEAT_SCHEDULE.get("payments-reconcile-yesterday")
    if not entry:
        return None
    now = timezone.now()
    return now + entry["schedule"].remaining_estimate(now)


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(OpsOnlyAdmin):
    change_list_template = "admin/payments/reconciliationrun/change_list.html"
    list_display = ["day", "started_at", "payments_checked", "refunds_checked", "mismatch_count"]
    date_hierarchy = "day"
    readonly_fields = ["day", "started_at", "payments_checked", "refunds_checked", "mismatch_count"]
    fields = readonly_fields
    inlines = [MismatchInline]

    def get_urls(self):
        return [
            path(
                "run/",
                self.admin_site.admin_view(self.run_view),
                name="payments_reconciliationrun_run",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        yesterday = timezone.localdate() - timedelta(days=1)
        extra_context = {
            **(extra_context or {}),
            "run_form": ReconcileDayForm(initial={"day": yesterday}),
            "next_run": next_scheduled_reconciliation(),
        }
        return super().changelist_view(request, extra_context)

    def run_view(self, request):
        """Reconcile a chosen day now (ops re-run a day after a gateway fixed its records)."""
        if not is_platform_staff(request.user):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:payments_reconciliationrun_changelist"))
        form = ReconcileDayForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("day", []):
                self.message_user(
                    request,
                    gettext("Reconciliation not run: %(error)s") % {"error": error},
                    messages.ERROR,
                )
            return HttpResponseRedirect(reverse("admin:payments_reconciliationrun_changelist"))
        run = services.reconcile_payments(
            day=form.cleaned_data["day"], actor=actor_for(request.user)
        )
        self.message_user(
            request,
            gettext(
                "Reconciled %(day)s: payments checked %(payments)d, refunds checked "
                "%(refunds)d, mismatches %(mismatches)d."
            )
            % {
                "day": f"{run.day:%Y-%m-%d}",
                "payments": run.payments_checked,
                "refunds": run.refunds_checked,
                "mismatches": run.mismatch_count,
            },
            messages.WARNING if run.mismatch_count else messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:payments_reconciliationrun_change", args=[run.pk])
        )


@admin.register(ReconciliationMismatch)
class ReconciliationMismatchAdmin(OpsOnlyAdmin):
    list_display = ["run", "subject", "reference", "kind", "our_amount", "gateway_amount"]
    list_filter = ["kind", "subject", "run__day"]
    search_fields = ["reference"]
    list_select_related = ["run"]
