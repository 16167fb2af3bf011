"""The merchant's answer to a request (approve, reject, an offer of another way) and the
shopper's answer to an offer (accept, decline)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.actors import SYSTEM, Actor
from shop import events as nodes
from shop.errors import Conflict, InvalidInput, NotFound
from shop.money import ZERO

from .. import selectors
from ..lock_objects import lock_case
from ..models import AfterSalesCase, CaseOffer, CaseType
from . import base, flow
from .base import Role
from .case_lines import amount_from_input, most_refundable, reprice_lines
from .evidence import evidence_attach

Status = AfterSalesCase.Status


@transaction.atomic
def case_approve(
    *, case_no: str, actor: Actor, intercept: bool = True, note: str = ""
) -> AfterSalesCase:
    """The merchant (or operations, or the response timer) agrees; the case goes on at once.
    For a refund while the parcel is on its way, `intercept` calls it back (else the shopper
    is asked to refuse it or send it back)."""
    case = lock_case(case_no=case_no)
    base.require_role(actor, case, Role.MERCHANT, Role.OPS)
    if case.status != Status.REQUESTED:
        if case.approved_at is not None and case.status != Status.REJECTED:
            return case  # approved already (twice, or timer and merchant racing)
        base.refuse(case, _("approve"))
    expire_pending_offer(case)
    base.transition(case=case, name="approve", actor=actor, note=note, at=timezone.now())
    return flow.case_proceed(case=case, actor=actor, intercept=intercept)


@transaction.atomic
def case_reject(
    *, case_no: str, actor: Actor, reason: str, evidence_ids: list[str] | None = None
) -> AfterSalesCase:
    """The merchant says no, with a reason the shopper reads, and only after making an offer
    or with evidence of its own; the shopper may then appeal within APPEAL_DAYS."""
    case = lock_case(case_no=case_no)
    base.require_role(actor, case, Role.MERCHANT, Role.OPS)
    reason = flow.require_text(reason, _("the reason the shopper will read"))
    if case.status != Status.REQUESTED:
        base.refuse(case, _("reject"))
    if not evidence_ids and not case.offers.exists():
        raise InvalidInput(
            _("Make the shopper an offer first, or add evidence (a photo) for the rejection."),
            code="offer_or_evidence_required",
        )
    evidence_attach(actor=actor, evidence_ids=evidence_ids, case=case)
    expire_pending_offer(case)
    now = timezone.now()
    return base.transition(
        case=case,
        name="reject",
        actor=actor,
        note=reason,
        at=now,
        reason=reason,
        appeal_by=now + timedelta(days=settings.APPEAL_DAYS),
    )


def expire_pending_offer(case: AfterSalesCase) -> None:
    case.offers.filter(status=CaseOffer.Status.PENDING).update(
        status=CaseOffer.Status.EXPIRED, answered_at=timezone.now()
    )


@transaction.atomic
def case_offer_make(
    *, case_no: str, actor: Actor, type: str, refund_amount, note: str = ""
) -> CaseOffer:
    """The merchant proposes another way (a lower amount, refund only instead of a return, an
    exchange); a new offer replaces one still pending."""
    case = lock_case(case_no=case_no)
    base.require_role(actor, case, Role.MERCHANT, Role.OPS)
    if case.status != Status.REQUESTED:
        base.refuse(case, _("make an offer"))
    if type not in selectors.types_for_stage(case.stage):
        raise InvalidInput(
            _("That kind of solution is not possible for this order now."), code="invalid_type"
        )
    amount = amount_from_input(refund_amount) or ZERO
    if type == CaseType.EXCHANGE:
        amount = ZERO
    elif amount <= 0:
        raise InvalidInput(_("Offer an amount of more than zero."), code="invalid_amount")
    most = most_refundable(case)
    if amount > most:
        raise InvalidInput(
            _("At most ¥%(most)s can be refunded for these items.") % {"most": most},
            code="amount_too_high",
            extra={"max_refund_amount": str(most)},
        )
    expire_pending_offer(case)
    offer = CaseOffer.objects.create(
        case=case,
        type=type,
        refund_amount=amount,
        note=(note or "").strip()[:255],
        created_by=actor.user,
    )
    base.notice(
        case=case,
        actor=actor,
        action="offer",
        node=nodes.CASE_OFFER,
        note=f"{offer.get_type_display()} ¥{amount}" + (f": {offer.note}" if offer.note else ""),
        payload={
            "offer_id": offer.pk,
            "offer_type": type,
            "offer_type_text": base.in_catalogue_english(offer.get_type_display),
            "offer_amount": str(amount),
        },
    )
    return offer


def _pending_offer(case: AfterSalesCase, offer_id) -> CaseOffer:
    offer = case.offers.filter(pk=offer_id).first() if str(offer_id).isdigit() else None
    if offer is None:
        raise NotFound(_("Offer not found."))
    if offer.status != CaseOffer.Status.PENDING:
        raise Conflict(
            _("This offer is “%(status)s”.") % {"status": offer.get_status_display()},
            code="offer_closed",
        )
    return offer


@transaction.atomic
def case_offer_accept(*, case_no: str, offer_id, actor: Actor) -> AfterSalesCase:
    """The shopper takes the merchant's offer: the case goes on as offered, at once (a
    refund starts now)."""
    case = lock_case(case_no=case_no)
    base.require_role(actor, case, Role.SHOPPER)
    offer = _pending_offer(case, offer_id)
    if case.status != Status.REQUESTED:
        base.refuse(case, _("accept an offer"))
    offer.status, offer.answered_at = CaseOffer.Status.ACCEPTED, timezone.now()
    offer.save(update_fields=["status", "answered_at"])
    case.type = offer.type
    reprice_lines(
        case=case, amount=offer.refund_amount if offer.type != CaseType.EXCHANGE else None
    )
    base.transition(
        case=case,
        name="renegotiate",
        actor=actor,
        note=f"Offer accepted: {offer.get_type_display()} ¥{offer.refund_amount}",
        type=offer.type,
        refund_amount=case.refund_amount,
        respond_by=None,
    )
    base.transition(case=case, name="approve", actor=SYSTEM, note="As offered", at=timezone.now())
    return flow.case_proceed(case=case, actor=SYSTEM)


@transaction.atomic
def case_offer_decline(*, case_no: str, offer_id, actor: Actor) -> CaseOffer:
    case = lock_case(case_no=case_no)
    base.require_role(actor, case, Role.SHOPPER)
    offer = _pending_offer(case, offer_id)
    offer.status, offer.answered_at = CaseOffer.Status.DECLINED, timezone.now()
    offer.save(update_fields=["status", "answered_at"])
    base.notice(
        case=case,
        actor=actor,
        action="offer_declined",
        node=nodes.CASE_OFFER_ANSWERED,
        note=f"Offer declined: {offer.get_type_display()} ¥{offer.refund_amount}",
        payload={"offer_id": offer.pk, "offer_status": offer.status},
    )
    return offer
