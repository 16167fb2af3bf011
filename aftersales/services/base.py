"""What every after-sales service shares: who the actor is to a case, and the one way a case
changes state (transition, save, CaseEvent, domain event).

Locks are aftersales.lock_objects' (composed with orders.lock_objects): the parent order, then
the sub-order, then the case(s), then order lines by pk, the order orders, payments and
logistics take, so a tracking push, a refund and a merchant's answer on the same order never
deadlock.
"""

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from catalog.actors import Actor
from shop.errors import NotFound, TransitionNotAllowed
from shop.events import emit

from ..events import CaseChanged
from ..models import AfterSalesCase, CaseEvent

Role = CaseEvent.Role


def role_of(actor: Actor, case: AfterSalesCase) -> str | None:
    """The actor's side in this case, or None when it is not theirs to touch: operations and
    the system reach every case, a merchant's staff their merchant's, a shopper their own."""
    if actor.is_system:
        return Role.SYSTEM
    if actor.is_ops:
        return Role.OPS
    if actor.is_merchant:
        return Role.MERCHANT if actor.reaches_merchant(case.merchant_id) else None
    return Role.SHOPPER if actor.reaches_shopper(case.user_id) else None


def require_role(actor: Actor, case: AfterSalesCase, *roles: str) -> str:
    """The actor's role if it is one of `roles` (the system may always act); else NotFound:
    a case that is not yours does not exist for you."""
    role = role_of(actor, case)
    if role == Role.SYSTEM or (role is not None and role in roles):
        return role
    raise NotFound(_("After-sales case not found."))


def refuse(case: AfterSalesCase, what: str) -> None:
    raise TransitionNotAllowed(
        _("You cannot %(action)s while the case is “%(status)s”.")
        % {"action": what, "status": case.get_status_display()},
        extra={"status": case.status},
    )


def case_path(case: AfterSalesCase) -> str:
    return reverse("aftersales:detail", args=[case.case_no])


def in_catalogue_english(label) -> str:
    """A choice's label as the catalogue's own English (its msgid), for event data: each
    recipient's message reads it in their own language (notifications.rendering.CATALOGUE_KEYS),
    whatever language the request that changed the case spoke."""
    with translation.override("en"):
        return str(label())


def event_record(
    *,
    case: AfterSalesCase,
    actor: Actor,
    action: str,
    from_state: str,
    note: str = "",
    payload: dict | None = None,
    node: str | None = None,
) -> CaseEvent:
    """One CaseEvent, and the domain event notifications turn into pushes (by default the
    node of the state the case is in now)."""
    role = role_of(actor, case) or Role.SYSTEM
    event = CaseEvent.objects.create(
        case=case,
        actor=actor.user,
        role=role,
        action=action,
        from_state=from_state or "",
        to_state=case.status,
        note=(note or "")[:500],
        payload=payload or {},
    )
    deadline, _outcome = case.next_deadline
    payload = payload or {}
    emit(
        CaseChanged(
            node=node or f"case.{case.status}",
            subject_id=case.pk,
            shopper_id=case.user_id,
            merchant_id=case.merchant_id,
            case_no=case.case_no,
            case_type=case.type,
            status=case.status,
            amount=case.refund_amount,
            event_id=event.pk,
            approved_at_once=bool(payload.get("approved_at_once")),
            money_moved=payload.get("money_moved"),
            data={
                "event_id": event.pk,
                "case_no": case.case_no,
                "sub_order_no": case.sub_order.sub_order_no,
                "order_no": case.order.order_no,
                "type": in_catalogue_english(case.get_type_display),
                "type_code": case.type,
                "status": case.status,
                "status_text": in_catalogue_english(case.get_status_display),
                "reason": case.reason.label,
                "amount": str(case.refund_amount),
                "note": event.note,
                "deadline": deadline.isoformat() if deadline else "",
                "phone": case.order.phone,
                "path": case_path(case),
                **payload,
            },
        )
    )
    return event


def transition(
    *,
    case: AfterSalesCase,
    name: str,
    actor: Actor,
    note: str = "",
    payload: dict | None = None,
    **kwargs,
) -> AfterSalesCase:
    """Run the named FSM transition on a locked case, save it and record it."""
    method = getattr(case, name)
    if not can_proceed(method):
        refuse(case, name.replace("_", " "))
    from_state = case.status
    method(**kwargs)
    case.save()
    event_record(
        case=case, actor=actor, action=name, from_state=from_state, note=note, payload=payload
    )
    return case


def notice(
    *, case: AfterSalesCase, actor: Actor, action: str, node: str, note: str = "", payload=None
) -> CaseEvent:
    """A change of a case that is not a state change (offer, message, evidence request)."""
    return event_record(
        case=case,
        actor=actor,
        action=action,
        from_state=case.status,
        note=note,
        payload=payload,
        node=node,
    )
