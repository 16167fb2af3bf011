"""After-sales in the admin: the merchant's queue of cases (due soonest first) with the answers as
buttons, operations' queue (appeals, overdue cases, failed refunds) with their decision, the
cases ops open for a shopper on the phone, shortages found at picking and lost parcels, the
reasons ops maintain and the merchants' return addresses.

Every page is scoped with catalog.admin_scope: a merchant's staff see and answer only their own
merchant's cases (another merchant's is "not found"). Every button is a POST to a view of its
own that calls one of aftersales.services; a domain error becomes an error message on the page,
never a 500. Nothing here writes a case.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, Concat
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.actors import is_platform_staff, staff_merchant
from catalog.admin_scope import MerchantScopedAdmin, user_may_access
from knowledge.admin_desk import ServiceDeskMixin  # suggested articles, replies, macros
from logistics import selectors as logistics_selectors
from logistics.models import Shipment
from orders.models import Order, OrderLine, SubOrder
from payments.models import Refund
from shop.admin_inlines import ReadOnlyTabularInline
from shop.errors import DomainError, NotFound
from shop.money import ZERO, format_money

from . import selectors, services
from .admin_forms import (
    ApproveForm,
    CancelPaidOrderForm,
    CaseReasonForm,
    DecideForm,
    MessageForm,
    OfferForm,
    OpenForShopperForm,
    OutOfStockForm,
    ParcelLookupForm,
    ReceiveReturnForm,
    RejectForm,
    RequestEvidenceForm,
    ReshipForm,
    ReturnAddressForm,
    SubOrderLookupForm,
)
from .models import (
    AfterSalesCase,
    AppealQueue,
    CaseEvent,
    CaseEvidence,
    CaseLine,
    CaseMessage,
    CaseOffer,
    CaseReason,
    CaseType,
    ReturnAddress,
    Stage,
)

Status = AfterSalesCase.Status

# Cases, the ops queue's proxy and return addresses have a `merchant` field: the default
# lookup of catalog.admin_scope scopes them, nothing to register.


def _is_staff_of_a_merchant(request) -> bool:
    return staff_merchant(request.user) is not None


def _may_work_cases(request) -> bool:
    """Operations, or a merchant's staff (their own cases only: the querysets see to that)."""
    return is_platform_staff(request.user) or _is_staff_of_a_merchant(request)


def _may_fulfil(request) -> bool:
    """Shortages are found at picking: whoever may fulfil sub-orders (as logistics' admin)."""
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("orders.change_suborder")


def _url_or_blank(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def evidence_url(evidence: CaseEvidence) -> str:
    """The storefront's private evidence file (it checks who may see it), or "" without it."""
    return _url_or_blank("aftersales:evidence", evidence.public_id)


def evidence_thumbnails(items) -> str:
    """Photos as small thumbnails and videos as links, each opening the file."""
    shown = []
    for evidence in items:
        url = evidence_url(evidence)
        if not url:
            shown.append(format_html("<span>{}</span>", evidence))
        elif evidence.kind == CaseEvidence.Kind.IMAGE:
            shown.append(
                format_html(
                    '<a href="{}" target="_blank" data-testid="evidence"><img src="{}" alt="{}" '
                    'style="max-height:64px;max-width:96px;margin:0 4px 4px 0;'
                    'border:1px solid #ccc"></a>',
                    url,
                    url,
                    evidence,
                )
            )
        else:
            shown.append(
                format_html(
                    '<a href="{}" target="_blank" data-testid="evidence">▶ {}</a>', url, evidence
                )
            )
    return format_html_join(" ", "{}", ((item,) for item in shown)) if shown else "—"


def _form_errors(form: forms.Form) -> str:
    return " ".join(
        (error if field == "__all__" else f"{form.fields[field].label or field}: {error}")
        for field, errors in form.errors.items()
        for error in errors
    )


# --- deadlines -------------------------------------------------------------------------------


def next_deadline_expression():
    """The deadline the case counts down to (AfterSalesCase.next_deadline, in SQL), to order
    the queue by and to filter the overdue."""
    return Coalesce(
        Case(
            When(status=Status.REQUESTED, then=F("respond_by")),
            When(status=Status.REJECTED, then=F("appeal_by")),
            When(
                status=Status.AWAITING_RETURN, then=Coalesce(F("receive_by"), F("return_ship_by"))
            ),
            When(status=Status.APPROVED, then=F("receive_by")),
            default=None,
        ),
        F("evidence_due_by"),
    )


def overdue_q(now) -> Q:
    """An open case with any deadline past (the sweeps act within a minute: what stays here is
    what they could not settle)."""
    past = (
        Q(respond_by__lt=now)
        | Q(appeal_by__lt=now)
        | Q(return_ship_by__lt=now)
        | Q(receive_by__lt=now)
        | Q(evidence_due_by__lt=now)
    )
    return Q(status__in=AfterSalesCase.OPEN) & past


def failed_refund_exists():
    """A payments refund of the case (keyed "<case_no>-<line>", as selectors.refunds_of) that
    failed."""
    return Exists(
        Refund.objects.filter(
            status=Refund.Status.FAILED,
            idempotency_key__startswith=Concat(OuterRef("case_no"), Value("-")),
        )
    )


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return (("yes", _("Overdue")),)

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue_q(timezone.now()))
        return queryset


# --- the case's rows -----------------------------------------------------------------------


class _CaseInline(ReadOnlyTabularInline):
    """Rows of a case, shown to whoever may see the case (the case admin scopes the case)."""

    def has_view_permission(self, request, obj=None):
        return _may_work_cases(request)


class CaseLineInline(_CaseInline):
    model = CaseLine
    verbose_name = "item"
    verbose_name_plural = "items"
    fields = ("item", "quantity", "refund_amount", "shipping_amount")

    @admin.display(description=_("Item"))
    def item(self, case_line):
        line = case_line.order_line
        return f"{line.sku_code} {line.product_title} {line.sku_attributes or ''}".strip()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_line")


class CaseEventInline(_CaseInline):
    model = CaseEvent
    verbose_name = "timeline entry"
    verbose_name_plural = "timeline"
    fields = ("created_at", "role", "actor", "action", "from_state", "to_state", "note")
    ordering = ("created_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class CaseMessageInline(_CaseInline):
    model = CaseMessage
    verbose_name = "message"
    verbose_name_plural = "thread"
    fields = ("created_at", "role", "author", "text", "photos")
    ordering = ("created_at", "pk")

    @admin.display(description=_("Evidence"))
    def photos(self, message):
        return evidence_thumbnails(message.evidence.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author").prefetch_related("evidence")


class CaseOfferInline(_CaseInline):
    model = CaseOffer
    verbose_name = "offer"
    verbose_name_plural = "offers to the shopper"
    fields = ("created_at", "type", "refund_amount", "note", "status", "created_by", "answered_at")
    ordering = ("created_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


# --- the buttons -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAction:
    """One button of the case page: the form it posts, whether it applies to the case now, who
    may press it, and the service call (which returns the message shown after it)."""

    name: str
    label: str
    form: type[forms.Form]
    applies: Callable[[AfterSalesCase], bool]
    call: Callable[..., str]
    ops_only: bool = False
    on_case_page: bool = True  # the merchant's queue (ops' own buttons are on both pages)
    with_case: bool = False  # the form needs the case (its choices)

    def make_form(self, case, data=None, files=None):
        # Several forms on one page: ids of their own (the field names stay plain).
        kwargs = {"auto_id": f"id_{self.name}_%s"}
        if self.with_case:
            kwargs["case"] = case
        form = self.form(data, files, **kwargs) if data is not None else self.form(**kwargs)
        if self.name == "approve" and not _can_intercept(case):
            del form.fields["intercept"]
        return form


def _can_intercept(case: AfterSalesCase) -> bool:
    return case.type == CaseType.REFUND_ONLY and case.stage == Stage.IN_TRANSIT


def _approve(actor, case, data, evidence_ids) -> str:
    case = services.case_approve(
        case_no=case.case_no,
        actor=actor,
        intercept=data.get("intercept", True),
        note=data.get("note", ""),
    )
    return gettext("Case %(case_no)s approved: %(status)s.") % {
        "case_no": case.case_no,
        "status": case.get_status_display(),
    }


def _reject(actor, case, data, evidence_ids) -> str:
    services.case_reject(
        case_no=case.case_no, actor=actor, reason=data["reason"], evidence_ids=evidence_ids
    )
    return gettext("Case %(case_no)s rejected. The shopper may appeal to the platform.") % {
        "case_no": case.case_no
    }


def _offer(actor, case, data, evidence_ids) -> str:
    offer = services.case_offer_make(
        case_no=case.case_no,
        actor=actor,
        type=data["type"],
        refund_amount=data.get("refund_amount"),
        note=data.get("note", ""),
    )
    return gettext("Offer sent to the shopper: %(type)s %(amount)s.") % {
        "type": offer.get_type_display(),
        "amount": format_money(offer.refund_amount),
    }


def _receive_return(actor, case, data, evidence_ids) -> str:
    case = services.case_receive_return(
        case_no=case.case_no, actor=actor, resellable=data["resellable"]
    )
    text = (
        gettext("Return of %(case_no)s received, back in stock: %(status)s.")
        if data["resellable"]
        else gettext("Return of %(case_no)s received, not back in stock (damaged): %(status)s.")
    )
    return text % {"case_no": case.case_no, "status": case.get_status_display()}


def _reship(actor, case, data, evidence_ids) -> str:
    case = services.case_reship(
        case_no=case.case_no,
        actor=actor,
        carrier_code=data["carrier"].code,
        tracking_no=data["tracking_no"],
    )
    if case.status == Status.RESHIPPED:
        return gettext("Replacement of %(case_no)s shipped.") % {"case_no": case.case_no}
    return gettext(
        "The replacement is out of stock: case %(case_no)s refunds the shopper instead."
    ) % {"case_no": case.case_no}


def _message(actor, case, data, evidence_ids) -> str:
    services.case_message_post(
        case_no=case.case_no, actor=actor, text=data["text"], evidence_ids=evidence_ids
    )
    return _("Message sent.")


def _decide(actor, case, data, evidence_ids) -> str:
    approve = data["decision"] == DecideForm.APPROVE
    case = services.case_decide(
        case_no=case.case_no,
        actor=actor,
        approve=approve,
        note=data["note"],
        refund_amount=data.get("refund_amount") if approve else None,
        platform_funded=bool(data.get("platform_funded")) and approve,
    )
    if not approve:
        return gettext("Appeal of %(case_no)s rejected: the case is closed.") % {
            "case_no": case.case_no
        }
    text = (
        gettext("Appeal of %(case_no)s approved at the platform's cost: %(amount)s, %(status)s.")
        if case.platform_funded
        else gettext("Appeal of %(case_no)s approved: %(amount)s, %(status)s.")
    )
    return text % {
        "case_no": case.case_no,
        "amount": format_money(case.refund_amount),
        "status": case.get_status_display(),
    }


def _request_evidence(actor, case, data, evidence_ids) -> str:
    case = services.case_request_evidence(
        case_no=case.case_no, actor=actor, party=data["party"], note=data["note"]
    )
    return gettext("Evidence asked of the %(party)s, due %(due)s.") % {
        "party": case.get_evidence_requested_from_display().lower(),
        "due": f"{timezone.localtime(case.evidence_due_by):%Y-%m-%d %H:%M}",
    }


CASE_ACTIONS = (
    CaseAction(
        "approve", _("Approve"), ApproveForm, lambda c: c.status == Status.REQUESTED, _approve
    ),
    CaseAction(
        "offer",
        _("Make an offer"),
        OfferForm,
        lambda c: c.status == Status.REQUESTED,
        _offer,
        with_case=True,
    ),
    CaseAction("reject", _("Reject"), RejectForm, lambda c: c.status == Status.REQUESTED, _reject),
    CaseAction(
        "receive_return",
        _("Confirm the return arrived"),
        ReceiveReturnForm,
        lambda c: c.status in (Status.AWAITING_RETURN, Status.INTERCEPTING),
        _receive_return,
    ),
    CaseAction(
        "reship",
        _("Ship the replacement"),
        ReshipForm,
        lambda c: c.type == CaseType.EXCHANGE and c.status == Status.RETURN_RECEIVED,
        _reship,
    ),
    CaseAction(
        "decide",
        _("Decide the appeal"),
        DecideForm,
        lambda c: c.status == Status.APPEALED,
        _decide,
        ops_only=True,
    ),
    CaseAction(
        "request_evidence",
        _("Ask for evidence"),
        RequestEvidenceForm,
        lambda c: c.is_open,
        _request_evidence,
        ops_only=True,
    ),
    CaseAction("message", _("Post a message"), MessageForm, lambda c: True, _message),
)
ACTIONS_BY_NAME = {action.name: action for action in CASE_ACTIONS}


# --- the merchant's after-sales queue ----------------------------------------------------------


@admin.register(AfterSalesCase)
class AfterSalesCaseAdmin(ServiceDeskMixin, MerchantScopedAdmin, admin.ModelAdmin):
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
        ("Evidence", {"fields": ("evidence",)}),
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
        return _may_work_cases(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _may_work_cases(request) and super().has_view_permission(request, obj)

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
        url = _url_or_blank("admin:orders_suborder_change", case.sub_order_id)
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
                    _url_or_blank("admin:payments_refund_change", refund.pk) or "#",
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
            '<div data-testid="shopper-evidence"><strong>Shopper:</strong> {}</div>'
            '<div data-testid="merchant-evidence"><strong>Merchant:</strong> {}</div>'
            "{}",
            evidence_thumbnails(shopper),
            evidence_thumbnails(merchant),
            format_html("<div><strong>Operations:</strong> {}</div>", evidence_thumbnails(ops))
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

    def extra_urls(self):
        """Pages of after-sales that are not a case's (registered once, on the case admin)."""
        view = self.admin_site.admin_view
        return [
            path(
                "open-for-shopper/",
                view(self.open_for_shopper_view),
                name="aftersales_open_for_shopper",
            ),
            path(
                "cancel-paid-order/",
                view(self.cancel_paid_order_view),
                name="aftersales_cancel_paid_order",
            ),
            path(
                "out-of-stock/<int:sub_order_id>/",
                view(self.out_of_stock_view),
                name="aftersales_out_of_stock",
            ),
            path(
                "lost-parcel/", view(self.lost_parcel_find_view), name="aftersales_lost_parcel_find"
            ),
            path(
                "lost-parcel/<int:shipment_id>/",
                view(self.lost_parcel_view),
                name="aftersales_lost_parcel",
            ),
        ]

    def _change_url(self, case) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[case.pk])

    def case_action_view(self, request, pk, action):
        case = self.get_queryset(request).filter(pk=pk).first()
        if case is None or not self.has_view_permission(request, case):
            raise Http404("No such after-sales case.")
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(case))
        chosen = ACTIONS_BY_NAME.get(action)
        if chosen is None or (chosen.ops_only and not is_platform_staff(request.user)):
            raise Http404("No such action.")
        # Whether the case's state allows it is the service's to say (a page left open while
        # the shopper or a timer moved the case on gets the service's own message).
        form = chosen.make_form(case, request.POST, request.FILES)
        if not form.is_valid():
            self.message_user(request, _form_errors(form), messages.ERROR)
            return HttpResponseRedirect(self._change_url(case))
        try:
            with (
                transaction.atomic(),
                services.evidence_uploaded(
                    user=request.user, files=form.cleaned_data.get("photos")
                ) as evidence_ids,
            ):
                done = chosen.call(request.user, case, form.cleaned_data, evidence_ids)
        except NotFound:
            raise Http404("No such after-sales case.")
        except DomainError as error:
            self.message_user(request, error.detail, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(case))

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "queue_url": reverse("admin:aftersales_aftersalescase_changelist"),
            **extra,
        }

    # -- operations open a case for a shopper who called ------------------------------------
    def _require_ops(self, request):
        if not is_platform_staff(request.user):
            raise PermissionDenied

    def open_for_shopper_view(self, request):
        self._require_ops(request)
        number = (request.POST.get("sub_order_no") or request.GET.get("sub_order_no") or "").strip()
        lookup = SubOrderLookupForm(initial={"sub_order_no": number})
        sub_order = options = form = None
        if number:
            sub_order = (
                SubOrder.objects.select_related("order", "order__user", "merchant")
                .filter(sub_order_no=number)
                .first()
            )
            if sub_order is None:
                self.message_user(
                    request, gettext("No sub-order %(no)s.") % {"no": number}, messages.ERROR
                )
        if sub_order is not None:
            options = selectors.sub_order_options(sub_order=sub_order)
            if options.not_allowed_reason is None:
                if request.method == "POST":
                    form = OpenForShopperForm(request.POST, request.FILES, options=options)
                    if form.is_valid():
                        case = self._open_for_shopper(request, sub_order, form)
                        if case is not None:
                            return HttpResponseRedirect(self._change_url(case))
                    elif form.errors:
                        self.message_user(request, _form_errors(form), messages.ERROR)
                else:
                    form = OpenForShopperForm(options=options)
        order = sub_order.order if sub_order is not None else None
        return TemplateResponse(
            request,
            "admin/aftersales/open_for_shopper.html",
            self._context(
                request,
                _("Open a case for a shopper"),
                lookup=lookup,
                sub_order=sub_order,
                options=options,
                form=form,
                cancel_form=CancelPaidOrderForm(
                    initial={"order_no": order.order_no}, auto_id="id_cancel_%s"
                )
                if order is not None and order.status == Order.Status.PAID
                else None,
                parcel_form=ParcelLookupForm(auto_id="id_parcel_%s"),
            ),
        )

    def _open_for_shopper(self, request, sub_order, form) -> AfterSalesCase | None:
        data = form.cleaned_data
        try:
            with (
                transaction.atomic(),
                services.evidence_uploaded(user=request.user, files=data["photos"]) as evidence_ids,
            ):
                case = services.case_create(
                    actor=request.user,
                    sub_order_no=sub_order.sub_order_no,
                    type=data["type"],
                    reason=data["reason"],
                    lines=form.lines(),
                    description=data["description"],
                    refund_amount=data.get("refund_amount"),
                    evidence_ids=evidence_ids,
                    idempotency_key=data["idempotency_key"],
                )
        except DomainError as error:
            self.message_user(request, error.detail, messages.ERROR)
            return None
        self.message_user(
            request,
            gettext("Case %(case_no)s opened for %(shopper)s on %(sub_order_no)s: %(status)s.")
            % {
                "case_no": case.case_no,
                "shopper": sub_order.order.user,
                "sub_order_no": sub_order.sub_order_no,
                "status": case.get_status_display(),
            },
            messages.SUCCESS,
        )
        return case

    def cancel_paid_order_view(self, request):
        self._require_ops(request)
        back = reverse("admin:aftersales_open_for_shopper")
        if request.method != "POST":
            return HttpResponseRedirect(back)
        form = CancelPaidOrderForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _form_errors(form), messages.ERROR)
            return HttpResponseRedirect(back)
        order_no = form.cleaned_data["order_no"].strip()
        try:
            opened = services.order_cancel_paid(
                order_no=order_no, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            self.message_user(request, error.detail, messages.ERROR)
            return HttpResponseRedirect(back)
        total = sum((case.refund_amount for case in opened), ZERO)
        self.message_user(
            request,
            gettext(
                "Order %(order_no)s cancelled for the shopper: %(count)d case(s) refund %(amount)s."
            )
            % {"order_no": order_no, "count": len(opened), "amount": format_money(total)},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:aftersales_aftersalescase_changelist") + f"?q={order_no}"
        )

    # -- shortages at picking ----------------------------------------------------------------------
    def out_of_stock_view(self, request, sub_order_id):
        if not _may_fulfil(request):
            raise PermissionDenied
        sub_order = (
            SubOrder.objects.select_related("order", "warehouse", "merchant")
            .filter(pk=sub_order_id)
            .first()
        )
        if sub_order is None or not user_may_access(request.user, sub_order, "merchant"):
            raise Http404("No such sub-order.")
        lines = list(OrderLine.objects.filter(sub_order=sub_order).order_by("pk"))
        form = OutOfStockForm(request.POST or None, lines=lines)
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    case = services.case_open_out_of_stock(
                        line_id=data["line"],
                        quantity=data["quantity"],
                        reason=data["reason"],
                        actor=request.user,
                    )
                except DomainError as error:
                    self.message_user(request, error.detail, messages.ERROR)
                else:
                    self.message_user(
                        request,
                        gettext(
                            "%(count)d unit(s) out of stock: case %(case_no)s refunds %(amount)s "
                            "to the shopper."
                        )
                        % {
                            "count": data["quantity"],
                            "case_no": case.case_no,
                            "amount": format_money(case.refund_amount),
                        },
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        _url_or_blank("admin:logistics_fulfilmentqueue_ship", sub_order.pk)
                        or self._change_url(case)
                    )
            else:
                self.message_user(request, _form_errors(form), messages.ERROR)
        return TemplateResponse(
            request,
            "admin/aftersales/out_of_stock.html",
            self._context(
                request,
                gettext("Out of stock at picking: %(no)s") % {"no": sub_order.sub_order_no},
                sub_order=sub_order,
                lines=lines,
                form=form,
                ship_url=_url_or_blank("admin:logistics_fulfilmentqueue_ship", sub_order.pk),
            ),
        )

    # -- lost parcels (operations) ---------------------------------------------------------------
    def _parcel_for_ops_or_404(self, request, **lookup) -> Shipment:
        if not is_platform_staff(request.user):
            raise Http404("No such parcel.")  # as services.parcel_lost answers anyone else
        parcel = (
            Shipment.objects.select_related("carrier", "sub_order", "sub_order__order")
            .filter(direction=Shipment.Direction.OUTBOUND, **lookup)
            .first()
        )
        if parcel is None:
            raise Http404("No such parcel.")
        return parcel

    def lost_parcel_find_view(self, request):
        self._require_ops(request)
        form = ParcelLookupForm(request.GET or None)
        if form.is_valid():
            number = form.cleaned_data["parcel"].strip()
            parcel = (
                Shipment.objects.filter(direction=Shipment.Direction.OUTBOUND)
                .filter(Q(shipment_no=number) | Q(tracking_no=number))
                .order_by("-pk")
                .first()
            )
            if parcel is not None:
                return HttpResponseRedirect(
                    reverse("admin:aftersales_lost_parcel", args=[parcel.pk])
                )
            self.message_user(
                request, gettext("No parcel %(no)s.") % {"no": number}, messages.ERROR
            )
        return HttpResponseRedirect(reverse("admin:aftersales_open_for_shopper"))

    def lost_parcel_view(self, request, shipment_id):
        parcel = self._parcel_for_ops_or_404(request, pk=shipment_id)
        if request.method == "POST":
            try:
                case = services.parcel_lost(shipment_id=parcel.pk, actor=request.user)
            except NotFound:
                raise Http404("No such parcel.")
            except DomainError as error:
                self.message_user(request, error.detail, messages.ERROR)
            else:
                if case is None:
                    self.message_user(
                        request,
                        gettext("Parcel %(no)s settled: its units were refunded already.")
                        % {"no": parcel.tracking_no},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        _url_or_blank("admin:logistics_shipment_change", parcel.pk) or request.path
                    )
                self.message_user(
                    request,
                    gettext(
                        "Lost parcel %(no)s: case %(case_no)s refunds %(amount)s to the shopper."
                    )
                    % {
                        "no": parcel.tracking_no,
                        "case_no": case.case_no,
                        "amount": format_money(case.refund_amount),
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._change_url(case))
            parcel = self._parcel_for_ops_or_404(request, pk=shipment_id)
        units = dict(logistics_selectors.parcel_units(shipment_id=parcel.pk))
        lines = [
            (line, units[line.pk]) for line in OrderLine.objects.filter(pk__in=units).order_by("pk")
        ]
        return TemplateResponse(
            request,
            "admin/aftersales/lost_parcel.html",
            self._context(
                request,
                gettext("Refund lost parcel %(no)s")
                % {"no": parcel.tracking_no or parcel.shipment_no},
                parcel=parcel,
                lines=lines,
                is_lost=parcel.status == Shipment.Status.LOST,
                settled_case=AfterSalesCase.objects.filter(
                    shipment=parcel, type=CaseType.LOST
                ).first()
                if parcel.lost_settled_at
                else None,
                shipment_url=_url_or_blank("admin:logistics_shipment_change", parcel.pk),
            ),
        )


# --- operations' queue ---------------------------------------------------------------------


class OperationsQueueFilter(admin.SimpleListFilter):
    """The tabs of the queue; without one, everything operations have to handle."""

    title = "queue"
    parameter_name = "queue"
    APPEALS, OVERDUE, REFUND_FAILED = "appeals", "overdue", "refund_failed"

    def lookups(self, request, model_admin):
        return (
            (self.APPEALS, _("Appeals")),
            (self.OVERDUE, _("Overdue")),
            (self.REFUND_FAILED, _("Refund failed")),
        )

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice.get("display") == gettext("All"):
                choice["display"] = _("Everything to handle")
            yield choice

    @classmethod
    def condition(cls, value, now) -> Q:
        if value == cls.APPEALS:
            return Q(status=Status.APPEALED)
        if value == cls.OVERDUE:
            return overdue_q(now)
        if value == cls.REFUND_FAILED:
            return Q(refund_failed=True)
        return Q(status=Status.APPEALED) | overdue_q(now) | Q(refund_failed=True)

    def queryset(self, request, queryset):
        return queryset.filter(self.condition(self.value(), timezone.now()))


@admin.register(AppealQueue)
class AppealQueueAdmin(AfterSalesCaseAdmin):
    """Cases only operations handle: appeals (平台介入), cases past a deadline, refunds the
    gateway failed. Their decision, evidence requests and messages are the buttons."""

    change_list_template = "admin/aftersales/appealqueue/change_list.html"
    list_display = (
        "case_no",
        "type",
        "status",
        "merchant",
        "reason",
        "refund_amount",
        "sub_order_link",
        "shopper",
        "due",
        "refund_state",
        "appealed_at",
    )
    list_filter = (OperationsQueueFilter, "type", "status", "merchant")
    list_select_related = ("sub_order", "order", "user", "reason", "merchant")
    is_operations_queue = True
    list_title = _("Operations queue: appeals, overdue cases, failed refunds")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(refund_failed=failed_refund_exists())

    def get_ordering(self, request):
        # Appeals by the time they came in; the rest by what is due first.
        return (F("appealed_at").asc(nulls_last=True), F("due_at").asc(nulls_last=True))

    def has_module_permission(self, request):
        return is_platform_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_platform_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return obj is None and is_platform_staff(request.user)

    def extra_urls(self):
        return []

    @admin.display(description=_("Refund"), ordering="refund_failed")
    def refund_state(self, case):
        if case.refund_failed:
            return format_html(
                '<span style="color:#b00;font-weight:bold">{}</span>', gettext("failed")
            )
        return "—"

    @admin.display(description=_("Next step"))
    def next_step(self, case):
        if case.status == Status.APPEALED:
            return _("Decide the appeal: approve (all or part) or reject.")
        return selectors.next_action(case, for_role="merchant")


# --- reference data --------------------------------------------------------------------------


@admin.register(CaseReason)
class CaseReasonAdmin(admin.ModelAdmin):
    """Operations maintain the reasons; a merchant's staff may read them."""

    form = CaseReasonForm
    list_display = (
        "label",
        "code",
        "stage_list",
        "type_list",
        "responsibility",
        "evidence_required",
        "is_no_reason",
        "is_active",
        "position",
    )
    list_filter = ("is_active", "responsibility", "evidence_required", "is_no_reason")
    search_fields = ("code", "label")
    ordering = ("position", "pk")

    @admin.display(description=_("Stages"))
    def stage_list(self, reason):
        labels = dict(Stage.choices)
        return ", ".join(str(labels.get(value, value)) for value in reason.stages)

    @admin.display(description=_("Types"))
    def type_list(self, reason):
        labels = dict(CaseType.choices)
        return ", ".join(str(labels.get(value, value)) for value in reason.types)

    def has_module_permission(self, request):
        return _may_work_cases(request)

    def has_view_permission(self, request, obj=None):
        return _may_work_cases(request)

    def has_change_permission(self, request, obj=None):
        return is_platform_staff(request.user)

    def has_add_permission(self, request):
        return is_platform_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        # Cases keep their reason (PROTECT): a reason out of use is switched off instead.
        return False


@admin.register(ReturnAddress)
class ReturnAddressAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    """Where returns go: a merchant's staff keep their own (per warehouse, or the default)."""

    merchant_lookup = "merchant"
    form = ReturnAddressForm
    list_display = ("merchant", "warehouse", "recipient", "phone", "address")
    list_select_related = ("merchant", "warehouse")
    list_filter = ("merchant",)
    search_fields = ("recipient", "address", "merchant__name")

    def get_list_filter(self, request):
        return self.list_filter if is_platform_staff(request.user) else ()

    def has_module_permission(self, request):
        return _may_work_cases(request)

    def has_view_permission(self, request, obj=None):
        return _may_work_cases(request) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return _may_work_cases(request) and self.in_scope(request, obj)

    def has_add_permission(self, request, *args):
        return _may_work_cases(request)

    def has_delete_permission(self, request, obj=None):
        return _may_work_cases(request) and self.in_scope(request, obj)
