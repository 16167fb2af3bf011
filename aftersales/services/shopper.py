"""What the shopper does to their case after asking: withdraw it, send the goods back, appeal
a rejection to the platform."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.actors import Actor
from shop.errors import TransitionNotAllowed

from ..lock_objects import lock_case
from ..models import SHOPPER_TYPES, AfterSalesCase
from . import base, flow
from .base import Role
from .evidence import evidence_attach
from .negotiation import expire_pending_offer

Status = AfterSalesCase.Status


@transaction.atomic
def case_cancel(*, case_no: str, actor: Actor) -> AfterSalesCase:
    """The shopper withdraws a request (before the goods are on their way back). A case that
    opened by itself (refused or lost parcel, out of stock) is not theirs to withdraw."""
    case = lock_case(case_no=case_no)
    role = base.require_role(actor, case, Role.SHOPPER, Role.OPS)
    if case.status == Status.CANCELLED:
        return case
    if case.type not in SHOPPER_TYPES or case.return_shipment_id:
        base.refuse(case, _("withdraw"))
    expire_pending_offer(case)
    base.transition(
        case=case, name="cancel", actor=actor, note=f"Withdrawn by {role}", at=timezone.now()
    )
    flow.release_sub_order_if_settled(case=case)
    return case


@transaction.atomic
def case_return_ship(
    *, case_no: str, actor: Actor, carrier_code: str, tracking_no: str
) -> AfterSalesCase:
    case = lock_case(case_no=case_no)
    base.require_role(actor, case, Role.SHOPPER, Role.OPS)
    return flow.return_ship(
        case=case, actor=actor, carrier_code=carrier_code, tracking_no=(tracking_no or "").strip()
    )


@transaction.atomic
def case_appeal(
    *, case_no: str, actor: Actor, reason: str, evidence_ids: list[str] | None = None
) -> AfterSalesCase:
    """The shopper asks the platform to step in (平台介入) after a rejection."""
    case = lock_case(case_no=case_no)
    base.require_role(actor, case, Role.SHOPPER)
    reason = flow.require_text(reason, _("the reason for your appeal"), limit=2000)
    if case.status == Status.APPEALED:
        return case
    if case.status != Status.REJECTED:
        base.refuse(case, _("appeal"))
    if case.appeal_by is not None and case.appeal_by <= timezone.now():
        raise TransitionNotAllowed(_("The time to appeal has passed."), code="appeal_too_late")
    evidence_attach(actor=actor, evidence_ids=evidence_ids, case=case)
    return base.transition(
        case=case, name="appeal", actor=actor, note=reason[:500], at=timezone.now(), reason=reason
    )
