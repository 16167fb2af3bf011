"""The case admin: the merchant's queue of cases, due soonest first, and a case's page with the
buttons that apply to it (each a POST to case_action_view, which calls one service)."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.actors import actor_for, is_platform_staff
from catalog.admin_scope import MerchantScopedAdmin
from shop.errors import DomainError, NotFound
from shop.money import format_money

from .. import selectors, services
from ..models import AfterSalesCase
from .access import may_work_cases
from .case_actions import ACTIONS_BY_NAME, CASE_ACTIONS, CaseAction
from .deadlines import OverdueFilter, next_deadline_expression
from .desk_pages import DeskPages
from .display import evidence_thumbnails, form_errors, url_or_blank
from .inlines import CaseEventInline, CaseLineInline, CaseMessageInline, CaseOfferInline


@admin.register(AfterSalesCase)
class AfterSalesCaseAdmin(DeskPages, MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "merchant"
    change_form_template = "admin/aftersales/aftersalescase/change_form.html"
    change_list_template = "admin/aftersales/aftersalescase/change_list.html"
    list_display = (
        "case_no",
        "type",
        "status",
        "reason",
        "refund_amount",
        "sub_order_link",
        "shopper",
        "due",
        "created_at",
    )
    list_filter = ("type", "status", "reason", OverdueFilter)
    search_fields = ("case_no", "sub_order__sub_order_no", "order__order_no")
    list_select_related = ("sub_order", "order", "user", "reason")
    list_per_page = 50
    inlines = (CaseLineInline, CaseEventInline, CaseMessageInline, CaseOfferInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "case_no",
                    "type",
                    "status",
                    "next_step",
                    "due",
                    "reason",
                    "description",
                    "stage",
                    "sub_order_link",
                    "order_no",
                    "shopper",
                    "merchant",
                    "opened_by",
                )
            },
        ),
        (
            _("Money"),
            {
                "fields": (
                    "refund_amount",
                    "shipping_refund",
                    "responsibility",
                    "platform_funded",
                    "refunds",
                )
            },
        ),
        (_("Evidence"), {"fields": ("evidence",)}),
        (
            _("Parcels"),
            {
                "fields": (
                    "shipment",
                    "return_shipment",
                    "return_resellable",
                    "replacement_shipment",
                )
            },
        ),
        (
            _("Answers and decisions"),
            {
                "fields": (
                    "reject_reason",
                    "appeal_reason",
                    "decision_note",
                    "evidence_requested_from",
                    "evidence_request_note",
                )
            },
        ),
        (
            _("Dates"),
            {
                "classes": ("collapse",),
                "fields": (
                    "created_at",
                    "approved_at",
                    "rejected_at",
                    "appealed_at",
                    "return_shipped_at",
                    "return_signed_at",
                    "return_received_at",
                    "refund_started_at",
                    "refunded_at",
                    "closed_at",
                    "respond_by",
                    "appeal_by",
                    "return_ship_by",
                    "receive_by",
                    "evidence_due_by",
                ),
            },
        ),
    )
    is_operations_queue = False
    list_title = _("After-sales cases: due soonest first")

    # -- rows -----------------------------------------------------------------------------------
    def get_queryset(self, request):
        return super().get_queryset(request).annotate(due_at=next_deadline_expression())

    def get_ordering(self, request):
        # Due soonest first; cases nothing is due on last, newest first among them.
        return (F("due_at").asc(nulls_last=True), "-created_at")

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "title": self.list_title,
            "is_ops": is_platform_staff(request.user),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra_context)

    # -- permissions: cases change only through the buttons -----------------------------------
    def has_module_permission(self, request):
        return may_work_cases(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return may_work_cases(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The object page is view-only: its buttons are the changes.
        return obj is None and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [name for _title, options in self.fieldsets for name in options["fields"]]

    # -- columns ----------------------------------------------------------------------------------
    @admin.display(description=_("Sub-order"), ordering="sub_order__sub_order_no")
    def sub_order_link(self, case):
        url = url_or_blank("admin:orders_suborder_change", case.sub_order_id)
        if not url:
            return case.sub_order.sub_order_no
        return format_html('<a href="{}">{}</a>', url, case.sub_order.sub_order_no)

    @admin.display(description=_("Order"), ordering="order__order_no")
    def order_no(self, case):
        return case.order.order_no

    @admin.display(description=_("Shopper"), ordering="user__username")
    def shopper(self, case):
        return f"{case.user.username} ({case.order.phone})" if case.order.phone else case.user

    @admin.display(description=_("Next deadline"), ordering="due_at")
    def due(self, case):
        deadline, outcome = case.next_deadline
        if deadline is None:
            return "—"
        overdue = deadline <= timezone.now()
        return format_html(
            '<span style="{}" data-testid="{}" title="{}">{}</span>',
            "color:#b00;font-weight:bold" if overdue else "",
            "overdue" if overdue else "due",
            gettext("then %(outcome)s") % {"outcome": outcome} if outcome else "",
            f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}"
            + (gettext(" (overdue)") if overdue else ""),
        )

    @admin.display(description=_("Next step"))
    def next_step(self, case):
        return selectors.next_action(case, for_role="merchant")

    @admin.display(description=_("Refunds"))
    def refunds(self, case):
        rows = list(selectors.refunds_of(case))
        if not rows:
            return "—"
        return format_html_join(
            "",
            '<div><a href="{}">{}</a> {} · {} · {}</div>',
            (
                (
                    url_or_blank("admin:payments_refund_change", refund.pk) or "#",
                    refund.refund_no,
                    format_money(refund.amount),
                    refund.get_status_display(),
                    refund.last_error or "",
                )
                for refund in rows
            ),
        )

    @admin.display(description=_("Photos and videos"))
    def evidence(self, case):
        """Both sides' evidence: the shopper's, and the merchant's or operations'."""
        items = list(case.evidence.select_related("uploaded_by").order_by("created_at", "pk"))
        shopper = [e for e in items if e.uploaded_by_id == case.user_id]
        staff = [e for e in items if e.uploaded_by_id != case.user_id]
        is_ops = {}  # one look-up per uploader, not per file
        for item in staff:
            if item.uploaded_by_id not in is_ops:
                is_ops[item.uploaded_by_id] = is_platform_staff(item.uploaded_by)
        ops = [e for e in staff if is_ops[e.uploaded_by_id]]
        merchant = [e for e in staff if not is_ops[e.uploaded_by_id]]
        return format_html(
            '<div data-testid="shopper-evidence"><strong>{}</strong> {}</div>'
            '<div data-testid="merchant-evidence"><strong>{}</strong> {}</div>'
            "{}",
            gettext("Shopper:"),
            evidence_thumbnails(shopper),
            gettext("Merchant:"),
            evidence_thumbnails(merchant),
            format_html(
                "<div><strong>{}</strong> {}</div>",
                gettext("Operations:"),
                evidence_thumbnails(ops),
            )
            if ops
            else "",
        )

    # -- the change page with its buttons ---------------------------------------------------------
    def actions_for(self, request, case: AfterSalesCase) -> list[CaseAction]:
        """The buttons that apply to the case in its state, for this user on this page."""
        ops = is_platform_staff(request.user)
        return [
            action
            for action in CASE_ACTIONS
            if action.applies(case)
            and (ops or not action.ops_only)
            and (action.ops_only or action.name == "message" or not self.is_operations_queue)
        ]

    def _act_url_name(self) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_act"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        case = self.get_object(request, object_id)
        if case is not None and self.has_view_permission(request, case):
            extra_context["case_actions"] = [
                {
                    "action": action,
                    "form": action.make_form(case),
                    "url": reverse(self._act_url_name(), args=[case.pk, action.name]),
                }
                for action in self.actions_for(request, case)
            ]
            extra_context["case"] = case
            if self.is_operations_queue:
                # The merchant's answers (ops may give them too) are on the case's own page.
                extra_context["case_page_url"] = reverse(
                    "admin:aftersales_aftersalescase_change", args=[case.pk]
                )
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<int:pk>/act/<slug:action>/", view(self.case_action_view), name=f"{info}_act"),
            *self.extra_urls(),
            *super().get_urls(),
        ]

    def _change_url(self, case) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[case.pk])

    def case_action_view(self, request, pk, action):
        case = self.get_queryset(request).filter(pk=pk).first()
        if case is None or not self.has_view_permission(request, case):
            raise Http404(gettext("No such after-sales case."))
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(case))
        chosen = ACTIONS_BY_NAME.get(action)
        if chosen is None or (chosen.ops_only and not is_platform_staff(request.user)):
            raise Http404(gettext("No such action."))
        # Whether the case's state allows it is the service's to say (a page left open while
        # the shopper or a timer moved the case on gets the service's own message).
        form = chosen.make_form(case, request.POST, request.FILES)
        if not form.is_valid():
            self.message_user(request, form_errors(form), messages.ERROR)
            return HttpResponseRedirect(self._change_url(case))
        actor = actor_for(request.user)
        try:
            with (
                transaction.atomic(),
                services.evidence_uploaded(
                    actor=actor, files=form.cleaned_data.get("photos")
                ) as evidence_ids,
            ):
                done = chosen.call(actor, case, form.cleaned_data, evidence_ids)
        except NotFound:
            raise Http404(gettext("No such after-sales case."))
        except DomainError as error:
            self.message_user(request, error.detail, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(case))
