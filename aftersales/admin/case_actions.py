"""The buttons of a case's admin page: each a form, when it applies, who may press it, and the
one service call it makes (returning the message shown after it)."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.actors import Actor
from shop.money import format_money

from .. import services
from ..models import AfterSalesCase, CaseType, Stage
from .forms import (
    ApproveForm,
    DecideForm,
    MessageForm,
    OfferForm,
    ReceiveReturnForm,
    RejectForm,
    RequestEvidenceForm,
    ReshipForm,
)

Status = AfterSalesCase.Status


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


def _approve(actor: Actor, case, data, evidence_ids) -> str:
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


def _reject(actor: Actor, case, data, evidence_ids) -> str:
    services.case_reject(
        case_no=case.case_no, actor=actor, reason=data["reason"], evidence_ids=evidence_ids
    )
    return gettext("Case %(case_no)s rejected. The shopper may appeal to the platform.") % {
        "case_no": case.case_no
    }


def _offer(actor: Actor, case, data, evidence_ids) -> str:
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


def _receive_return(actor: Actor, case, data, evidence_ids) -> str:
    case = services.case_receive_return(
        case_no=case.case_no, actor=actor, resellable=data["resellable"]
    )
    text = (
        gettext("Return of %(case_no)s received, back in stock: %(status)s.")
        if data["resellable"]
        else gettext("Return of %(case_no)s received, not back in stock (damaged): %(status)s.")
    )
    return text % {"case_no": case.case_no, "status": case.get_status_display()}


def _reship(actor: Actor, case, data, evidence_ids) -> str:
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


def _message(actor: Actor, case, data, evidence_ids) -> str:
    services.case_message_post(
        case_no=case.case_no, actor=actor, text=data["text"], evidence_ids=evidence_ids
    )
    return _("Message sent.")


def _decide(actor: Actor, case, data, evidence_ids) -> str:
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


def _request_evidence(actor: Actor, case, data, evidence_ids) -> str:
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
