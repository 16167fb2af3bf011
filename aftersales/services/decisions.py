"""Operations step in: they ask a side for evidence, settle an appeal, and close a case (the
timers close cases through the same `case_close`)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.actors import Actor
from shop import events as nodes
from shop.errors import InvalidInput

from ..lock_objects import lock_case
from ..models import AfterSalesCase, CaseType, Responsibility
from . import base, flow
from .base import Role
from .case_lines import amount_from_input, reprice_lines

Status = AfterSalesCase.Status


@transaction.atomic
def case_request_evidence(*, case_no: str, actor: Actor, party: str, note: str) -> AfterSalesCase:
    """Operations ask the shopper or the merchant for more evidence, by a deadline."""
    case = lock_case(case_no=case_no)
    base.require_role(actor, case, Role.OPS)
    if party not in AfterSalesCase.Party.values:
        raise InvalidInput(_("Ask the shopper or the merchant."), code="invalid_party")
    if not case.is_open:
        base.refuse(case, _("ask for evidence"))
    case.evidence_requested_from = party
    case.evidence_request_note = flow.require_text(note, _("what evidence is needed"))
    case.evidence_due_by = timezone.now() + timedelta(hours=settings.EVIDENCE_REQUEST_HOURS)
    case.save(update_fields=["evidence_requested_from", "evidence_request_note", "evidence_due_by"])
    base.notice(
        case=case,
        actor=actor,
        action="evidence_requested",
        node=nodes.CASE_EVIDENCE_REQUESTED,
        note=f"Evidence asked of the {party}: {case.evidence_request_note}",
        payload={"party": party, "evidence_due_by": case.evidence_due_by.isoformat()},
    )
    return case


@transaction.atomic
def case_decide(
    *,
    case_no: str,
    actor: Actor,
    approve: bool,
    note: str,
    refund_amount=None,
    platform_funded: bool = False,
) -> AfterSalesCase:
    """Operations settle an appeal, finally: approve (the full amount, or a part of it; at
    the platform's cost if they say so) and the refund is carried out at once, or reject and
    the case closes."""
    case = lock_case(case_no=case_no)
    base.require_role(actor, case, Role.OPS)
    note = flow.require_text(note, _("the decision the shopper and merchant will read"))
    if case.status != Status.APPEALED:
        base.refuse(case, _("decide"))
    if not approve:
        return case_close(case=case, actor=actor, note=f"Platform decision: {note}")
    amount = amount_from_input(refund_amount)
    if amount is not None and case.type != CaseType.EXCHANGE:
        if amount <= 0:
            raise InvalidInput(_("Refund amount must be more than zero."), code="invalid_amount")
        reprice_lines(case=case, amount=amount)
    case.platform_funded = bool(platform_funded)
    if platform_funded:
        case.responsibility = Responsibility.PLATFORM
    case.decision_note = note
    base.transition(
        case=case,
        name="approve",
        actor=actor,
        note=f"Platform decision: {note}",
        payload={"platform_funded": case.platform_funded},
        at=timezone.now(),
    )
    return flow.case_proceed(case=case, actor=actor)


def case_close(*, case: AfterSalesCase, actor: Actor, note: str) -> AfterSalesCase:
    """Close a locked case (platform decision, or a timer: not appealed, not shipped back)."""
    base.transition(
        case=case, name="close", actor=actor, note=note, at=timezone.now(), decision=note
    )
    flow.release_sub_order_if_settled(case=case)
    return case
