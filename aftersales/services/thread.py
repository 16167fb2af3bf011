"""The case's thread: messages from its shopper, the merchant's staff or operations."""

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.actors import Actor
from shop import events as nodes
from shop.errors import InvalidInput

from ..lock_objects import lock_case
from ..models import CaseMessage
from . import base
from .base import Role
from .evidence import evidence_attach


@transaction.atomic
def case_message_post(
    *, case_no: str, actor: Actor, text: str, evidence_ids: list[str] | None = None
) -> CaseMessage:
    """A message in the case's thread from its shopper, the merchant's staff or operations.
    Evidence a side was asked for answers the request."""
    case = lock_case(case_no=case_no)
    role = base.require_role(actor, case, Role.SHOPPER, Role.MERCHANT, Role.OPS)
    text = (text or "").strip()
    if not text and not evidence_ids:
        raise InvalidInput(_("Write a message or add a photo."), code="text_required")
    if len(text) > 2000:
        raise InvalidInput("A message is at most 2000 characters.", code="text_too_long")
    if role == Role.SYSTEM:
        raise InvalidInput(_("Messages are written by people."), code="invalid")
    message = CaseMessage.objects.create(case=case, author=actor.user, role=role, text=text)
    evidence_attach(actor=actor, evidence_ids=evidence_ids, case=case, message=message)
    if evidence_ids and case.evidence_requested_from == role:
        case.evidence_requested_from, case.evidence_due_by = "", None
        case.save(update_fields=["evidence_requested_from", "evidence_due_by"])
    base.notice(
        case=case,
        actor=actor,
        action="message",
        node=nodes.CASE_MESSAGE,
        note=text[:200],
        payload={"message_id": message.pk, "author_role": role, "author_id": actor.user_id},
    )
    return message
