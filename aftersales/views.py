"""Storefront pages of after-sales: my after-sales, the request form of a sub-order, a case's
page with the shopper's actions on it, cancelling a paid order before it ships, and the private
evidence files. Thin callers of aftersales.services and aftersales.selectors: a domain error
becomes a message on the page, a case or order that is not yours a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from catalog.actors import actor_for
from logistics.models import Carrier
from orders import selectors as order_selectors
from shop.errors import DomainError, NotFound
from shop.throttling import throttle_page_posts

from . import selectors, services
from .forms import CaseAppealForm, CaseMessageForm, CaseRequestForm, ReturnShipmentForm
from .models import SHOPPER_TYPES, AfterSalesCase, CaseEvidence, CaseOffer

CASES_PER_PAGE = 10
# States in which the shopper may still withdraw (AfterSalesCase.cancel's sources), before
# the goods are on their way back.
WITHDRAWABLE = (
    AfterSalesCase.Status.REQUESTED,
    AfterSalesCase.Status.APPROVED,
    AfterSalesCase.Status.AWAITING_RETURN,
)


class _Rollback(Exception):
    """Leaves an atomic block on purpose (the uploads of a request that created nothing)."""


def _shopper_case_or_404(user, case_no: str) -> AfterSalesCase:
    try:
        return selectors.case_for(user=user, case_no=case_no, shopper_only=True)
    except NotFound:
        raise Http404("No such after-sales case.")


def _viewable_case_or_404(user, case_no: str) -> AfterSalesCase:
    """The shopper's own case, else one the merchant's staff or operations may see (the
    links of their notifications lead here too)."""
    try:
        return selectors.case_for(user=user, case_no=case_no, shopper_only=True)
    except NotFound:
        pass
    try:
        return selectors.case_for(user=user, case_no=case_no)
    except NotFound:
        raise Http404("No such after-sales case.")


def _back_to_case(case_no: str, anchor: str = ""):
    return redirect(reverse("aftersales:detail", args=[case_no]) + (f"#{anchor}" if anchor else ""))


def _report(request, call, *, success: str) -> bool:
    """Run one service call: its domain error becomes a message (NotFound a 404)."""
    try:
        call()
    except NotFound:
        raise Http404("No such after-sales case.")
    except DomainError as error:
        messages.error(request, error.detail)
        return False
    messages.success(request, success)
    return True


# My after-sales


@login_required
def case_list(request):
    page = Paginator(selectors.shopper_cases(user=request.user), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "aftersales/list.html", {"page": page, "cases": list(page)})


# The request form


@login_required
@require_http_methods(["GET", "POST"])
@throttle_page_posts("aftersales_create", gettext_lazy("after-sales requests"))
def case_request(request, sub_order_no: str):
    try:
        sub_order = order_selectors.sub_order_get_for_user(
            user=request.user, sub_order_no=sub_order_no
        )
    except NotFound:
        raise Http404("No such order.")
    options = selectors.sub_order_options(sub_order=sub_order)
    only_line = request.GET.get("line")
    only_line_id = int(only_line) if only_line and only_line.isdigit() else None
    if request.method == "POST":
        done = _case_of_key(request.user, request.POST.get("idempotency_key"))
        if done is not None:
            # The same form again (a double click, a resent page): its units are in that case
            # now, so the form would refuse them; the request was made, show it.
            messages.success(request, _("Request %(case_no)s sent.") % {"case_no": done.case_no})
            return redirect("aftersales:detail", case_no=done.case_no)
    form = None
    if options.not_allowed_reason is None:
        if request.method == "POST":
            form = CaseRequestForm(request.POST, request.FILES, options=options)
            if form.is_valid():
                case = _create_case(request, form, sub_order_no)
                if case is not None:
                    messages.success(
                        request, _("Request %(case_no)s sent.") % {"case_no": case.case_no}
                    )
                    return redirect("aftersales:detail", case_no=case.case_no)
        else:
            wanted_type = request.GET.get("type")
            form = CaseRequestForm(
                options=options,
                only_line_id=only_line_id,
                initial={"type": wanted_type} if wanted_type in options.types else {},
            )
    return render(
        request,
        "aftersales/request.html",
        {"sub_order": sub_order, "order": sub_order.order, "options": options, "form": form},
    )


def _case_of_key(user, key: str | None) -> AfterSalesCase | None:
    """The case this shopper already opened with this form's idempotency key, if any."""
    key = (key or "").strip()[:64]
    if not key:
        return None
    return AfterSalesCase.objects.filter(opened_by_id=user.pk, idempotency_key=key).first()


def _create_case(request, form: CaseRequestForm, sub_order_no: str) -> AfterSalesCase | None:
    data = form.cleaned_data
    try:
        with (
            transaction.atomic(),
            services.evidence_uploaded(
                actor=actor_for(request.user), files=data["photos"]
            ) as evidence_ids,
        ):
            case = services.case_create(
                actor=actor_for(request.user),
                sub_order_no=sub_order_no,
                type=data["type"],
                reason=data["reason"],
                lines=form.lines(),
                description=data["description"],
                refund_amount=form.amount_to_ask(),
                evidence_ids=evidence_ids,
                idempotency_key=data["idempotency_key"],
            )
            if evidence_ids and not case.evidence.filter(public_id__in=evidence_ids).exists():
                # The same key again (a double click): the first submit made the case; these
                # copies of its photos are not needed.
                raise _Rollback(case)
    except _Rollback as rollback:
        return rollback.args[0]
    except NotFound:
        raise Http404("No such order.")
    except DomainError as error:
        messages.error(request, error.detail)
        return None
    return case


# A case's page


@login_required
def case_detail(request, case_no: str):
    case = _viewable_case_or_404(request.user, case_no)
    is_shopper = case.user_id == request.user.pk
    Status = AfterSalesCase.Status
    thread = list(selectors.case_thread(case))
    offers = list(case.offers.all())
    pending_offer = next((o for o in offers if o.status == CaseOffer.Status.PENDING), None)
    deadline, deadline_outcome = case.next_deadline
    awaiting_return = case.status == Status.AWAITING_RETURN
    context = {
        "case": case,
        "is_shopper": is_shopper,
        "next_action": selectors.next_action(
            case, for_role="shopper" if is_shopper else "merchant"
        ),
        "deadline": deadline,
        "deadline_outcome": deadline_outcome,
        "timeline": list(selectors.case_timeline(case)),
        "thread": thread,
        # Photos of the request and the appeal (those of messages show in the thread).
        "case_evidence": [e for e in case.evidence.all() if e.message_id is None],
        "offers": offers,
        "pending_offer": pending_offer,
        "refunds": list(selectors.refunds_of(case)),
        "return_address": selectors.return_address_for(case) if awaiting_return else None,
        "return_form": (
            ReturnShipmentForm(carriers=_active_carriers(), auto_id="return_%s")
            if is_shopper and awaiting_return and not case.return_shipment_id
            else None
        ),
        "appeal_form": (CaseAppealForm() if is_shopper and _may_appeal(case) else None),
        "can_cancel": (
            is_shopper
            and case.status in WITHDRAWABLE
            and case.type in SHOPPER_TYPES
            and not case.return_shipment_id
        ),
        "message_form": CaseMessageForm() if case.is_open else None,
    }
    return render(request, "aftersales/detail.html", context)


def _active_carriers():
    return Carrier.objects.filter(active=True).order_by("name")


def _may_appeal(case: AfterSalesCase) -> bool:
    return case.status == AfterSalesCase.Status.REJECTED and (
        case.appeal_by is None or case.appeal_by > timezone.now()
    )


@login_required
@require_POST
def case_cancel(request, case_no: str):
    _report(
        request,
        lambda: services.case_cancel(case_no=case_no, actor=actor_for(request.user)),
        success=_("Request withdrawn."),
    )
    return _back_to_case(case_no)


@login_required
@require_POST
def case_message(request, case_no: str):
    form = CaseMessageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back_to_case(case_no, "thread")

    def post():
        with (
            transaction.atomic(),
            services.evidence_uploaded(
                actor=actor_for(request.user), files=form.cleaned_data["photos"]
            ) as ids,
        ):
            services.case_message_post(
                case_no=case_no,
                actor=actor_for(request.user),
                text=form.cleaned_data["text"],
                evidence_ids=ids,
            )

    _report(request, post, success=_("Message sent."))
    return _back_to_case(case_no, "thread")


@login_required
@require_POST
def offer_accept(request, case_no: str, offer_id: int):
    _report(
        request,
        lambda: services.case_offer_accept(
            case_no=case_no, offer_id=offer_id, actor=actor_for(request.user)
        ),
        success=_("Offer accepted."),
    )
    return _back_to_case(case_no)


@login_required
@require_POST
def offer_decline(request, case_no: str, offer_id: int):
    _report(
        request,
        lambda: services.case_offer_decline(
            case_no=case_no, offer_id=offer_id, actor=actor_for(request.user)
        ),
        success=_("Offer declined. The merchant can make another one, or answer your request."),
    )
    return _back_to_case(case_no)


@login_required
@require_POST
def return_shipment(request, case_no: str):
    form = ReturnShipmentForm(request.POST, carriers=_active_carriers())
    if not form.is_valid():
        messages.error(request, _("Choose the carrier and enter the tracking number."))
        return _back_to_case(case_no, "return")
    _report(
        request,
        lambda: services.case_return_ship(
            case_no=case_no,
            actor=actor_for(request.user),
            carrier_code=form.cleaned_data["carrier"],
            tracking_no=form.cleaned_data["tracking_no"],
        ),
        success=_("Return parcel entered. The merchant confirms when it arrives."),
    )
    return _back_to_case(case_no)


@login_required
@require_POST
def case_appeal(request, case_no: str):
    form = CaseAppealForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Tell the platform why it should step in."))
        return _back_to_case(case_no, "appeal")

    def appeal():
        with (
            transaction.atomic(),
            services.evidence_uploaded(
                actor=actor_for(request.user), files=form.cleaned_data["photos"]
            ) as ids,
        ):
            services.case_appeal(
                case_no=case_no,
                actor=actor_for(request.user),
                reason=form.cleaned_data["reason"],
                evidence_ids=ids,
            )

    _report(request, appeal, success=_("Appeal sent. The platform will review the case."))
    return _back_to_case(case_no)


# Cancelling a paid order before it ships


@login_required
@require_POST
def cancel_order(request, order_no: str):
    try:
        cases = services.order_cancel_paid(order_no=order_no, actor=actor_for(request.user))
    except NotFound:
        raise Http404("No such order.")
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        numbers = ", ".join(case.case_no for case in cases)
        messages.success(
            request,
            _("Order cancelled. The refund goes back to your payment method (%(cases)s).")
            % {"cases": numbers},
        )
    return redirect("orders:detail", order_no=order_no)


# Evidence files


def _may_see_evidence(user, evidence: CaseEvidence) -> bool:
    """The case's shopper, its merchant's staff and operations; the uploader while the file
    is not attached to a case yet."""
    if evidence.case_id is None:
        return evidence.uploaded_by_id == user.pk
    if evidence.case.user_id == user.pk:
        return True
    return selectors.cases_visible_to(user).filter(pk=evidence.case_id).exists()


@login_required
def evidence_file(request, public_id: str):
    evidence = CaseEvidence.objects.select_related("case").filter(public_id=public_id).first()
    if evidence is None or not _may_see_evidence(request.user, evidence):
        raise Http404("No such file.")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.")
    response = FileResponse(handle, content_type=evidence.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
