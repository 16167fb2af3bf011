"""Opening a case and everything people do to it: the merchant's answer (approve, reject, offer),
the shopper's (accept, decline, cancel, appeal), the thread, operations' decision, and the
cases that open by themselves (refused or lost parcel, out of stock at picking)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import no_reason_return_allowed
from logistics.models import Shipment
from orders.lock_objects import lock_sub_order_by_id
from orders.models import SubOrder
from shop import events as nodes
from shop.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from shop.ids import new_business_number
from shop.money import ZERO, apportion, to_money

from .. import selectors
from ..models import (
    SHOPPER_TYPES,
    AfterSalesCase,
    CaseLine,
    CaseMessage,
    CaseOffer,
    CaseReason,
    CaseType,
    Responsibility,
    Stage,
)
from . import base, flow
from .base import Role
from .evidence import evidence_attach

Status = AfterSalesCase.Status
IDEMPOTENCY_CONSTRAINT = "case_idempotency_key_per_user"
# Opened at once, without waiting for the merchant.
APPROVED_AT_ONCE = (CaseType.OUT_OF_STOCK, CaseType.LOST, CaseType.REFUSAL)


@dataclass(frozen=True)
class AskedLine:
    sku_id: int
    quantity: int


def _money(value, *, what: str = "Refund amount") -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, float):
        raise InvalidInput(f"{what} must be a decimal.", code="invalid_amount")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{what} must be a number.", code="invalid_amount") from None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
        raise InvalidInput(f"{what} must be a positive amount in yuan.", code="invalid_amount")
    return to_money(amount)


def _asked_lines(raw_lines) -> list[AskedLine]:
    asked: dict[int, int] = {}
    for raw in raw_lines or []:
        try:
            sku_id, quantity = int(raw["sku_id"]), raw["quantity"]
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(
                _("Each line needs a sku_id and a quantity."), code="invalid"
            ) from None
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise InvalidInput(
                _("Quantity must be a whole number of at least 1."), code="invalid_quantity"
            )
        asked[sku_id] = asked.get(sku_id, 0) + quantity
    if not asked:
        raise InvalidInput(_("Choose the items this request is about."), code="lines_required")
    return [AskedLine(sku_id, quantity) for sku_id, quantity in asked.items()]


def _reason(code: str, *, case_type: str, stage: str) -> CaseReason:
    reason = CaseReason.objects.filter(code=code or "", is_active=True).first()
    if reason is None:
        raise InvalidInput(_("Choose one of the listed reasons."), code="unknown_reason")
    if case_type not in reason.types or stage not in reason.stages:
        raise InvalidInput(
            f"“{reason.label}” does not apply to this kind of request now.",
            code="reason_not_allowed",
        )
    return reason


def _stage_for(sub_order: SubOrder) -> str:
    stage = selectors.stage_of(sub_order)
    if stage is None:
        raise TransitionNotAllowed(
            _("After-sales is over for this order."),
            code="aftersales_closed",
            extra={"status": sub_order.status},
        )
    ends = selectors.window_ends_at(sub_order)
    if ends is not None and ends <= timezone.now():
        raise TransitionNotAllowed(
            _("The after-sales window of this order has ended."), code="window_ended"
        )
    if (
        stage == Stage.NOT_SHIPPED
        and Shipment.objects.filter(sub_order=sub_order, direction=Shipment.Direction.OUTBOUND)
        .exclude(status=Shipment.Status.PACKED)
        .exists()
    ):
        return Stage.IN_TRANSIT  # a parcel left already: the merchant has to get it back
    return stage


def _fill_lines(
    *,
    case: AfterSalesCase,
    rooms: list[selectors.LineRoom],
    asked: dict[int, int],
    amount: Decimal | None,
) -> None:
    """Write the case's lines at their refundable maximum, or `amount` apportioned over them."""
    with_shipping = selectors.shipping_is_refunded(
        reason=case.reason, stage=case.stage, rooms=rooms, asked=asked
    )
    by_line = {room.line.pk: room for room in rooms}
    maxima = {
        line_id: by_line[line_id].amounts_for(quantity, with_shipping=with_shipping)
        for line_id, quantity in asked.items()
    }
    most = sum((total for total, _shipping in maxima.values()), ZERO)
    if case.type == CaseType.EXCHANGE:
        parts = [ZERO for _line in maxima]
    elif amount is None or amount == most:
        parts = [total for total, _shipping in maxima.values()]
    else:
        if amount > most:
            raise InvalidInput(
                _("You can ask for at most ¥%(most)s.") % {"most": most},
                code="amount_too_high",
                extra={"max_refund_amount": str(most)},
            )
        parts = apportion(amount, [total for total, _shipping in maxima.values()])
    rows = []
    for (line_id, (total, shipping)), part in zip(maxima.items(), parts, strict=True):
        share = min(shipping, to_money(shipping * part / total)) if total else ZERO
        rows.append(
            CaseLine(
                case=case,
                order_line_id=line_id,
                quantity=asked[line_id],
                refund_amount=part,
                shipping_amount=share,
            )
        )
    CaseLine.objects.bulk_create(rows)
    case.refund_amount = sum(parts, ZERO)
    case.shipping_refund = sum((row.shipping_amount for row in rows), ZERO)


def reprice_lines(*, case: AfterSalesCase, amount: Decimal | None) -> None:
    """Write the lines of a case again at a new amount (an accepted offer, an exchange turned
    refund, ops' partial decision). The caller holds the case lock and saves the case."""
    asked = dict(case.lines.values_list("order_line_id", "quantity"))
    case.lines.all().delete()
    rooms = selectors.line_rooms(sub_order=case.sub_order, exclude_case_id=case.pk)
    _fill_lines(case=case, rooms=rooms, asked=asked, amount=amount)


def _check_units(rooms, asked_lines: list[AskedLine]) -> dict[int, int]:
    by_sku = {room.line.sku_id: room for room in rooms}
    asked: dict[int, int] = {}
    for item in asked_lines:
        room = by_sku.get(item.sku_id)
        if room is None:
            raise InvalidInput(_("That item is not part of this order."), code="unknown_line")
        if item.quantity > room.refundable_quantity:
            if (
                room.open_case_no
                and item.quantity <= room.line.quantity - room.line.refunded_quantity
            ):
                raise Conflict(
                    _("These items are already in request %(case_no)s.")
                    % {"case_no": room.open_case_no},
                    code="units_in_open_case",
                    extra={"open_case_no": room.open_case_no},
                )
            raise InvalidInput(
                _("You can ask for at most %(count)d of “%(product)s”.")
                % {"count": room.refundable_quantity, "product": room.line.product_title},
                code="invalid_quantity",
                extra={"refundable_quantity": room.refundable_quantity},
            )
        asked[room.line.pk] = item.quantity
    return asked


def _open(
    *,
    sub_order: SubOrder,
    case_type: str,
    reason: CaseReason,
    stage: str,
    asked: dict[int, int],
    rooms,
    actor,
    description: str = "",
    amount: Decimal | None = None,
    idempotency_key: str = "",
    shipment_id: int | None = None,
) -> AfterSalesCase:
    case = AfterSalesCase.objects.create(
        case_no=new_business_number("A"),
        sub_order=sub_order,
        order=sub_order.order,
        user_id=sub_order.order.user_id,
        merchant_id=sub_order.merchant_id,
        type=case_type,
        reason=reason,
        description=(description or "").strip()[:2000],
        stage=stage,
        responsibility=reason.responsibility,
        opened_by=base.actor_or_none(actor),
        idempotency_key=idempotency_key,
        shipment_id=shipment_id,
        respond_by=timezone.now() + timedelta(hours=settings.MERCHANT_RESPONSE_HOURS),
    )
    case.sub_order = sub_order
    case.order = sub_order.order
    _fill_lines(case=case, rooms=rooms, asked=asked, amount=amount)
    case.save(update_fields=["refund_amount", "shipping_refund"])
    from orders import services as order_services

    order_services.sub_order_set_aftersales_open(sub_order_id=sub_order.pk, is_open=True)
    at_once = case_type in APPROVED_AT_ONCE or (
        case_type == CaseType.REFUND_ONLY and stage == Stage.NOT_SHIPPED
    )
    base.event_record(
        case=case,
        actor=actor,
        action="request",
        from_state="",
        note=case.description,
        payload={"approved_at_once": at_once},
    )
    if at_once:
        base.transition(
            case=case, name="approve", actor=None, note="Approved at once", at=timezone.now()
        )
        flow.case_proceed(case=case, actor=None)
    return case


@transaction.atomic
def case_create(
    *,
    actor,
    sub_order_no: str,
    type: str,
    reason: str,
    lines,
    description: str = "",
    refund_amount=None,
    evidence_ids: list[str] | None = None,
    idempotency_key: str = "",
) -> AfterSalesCase:
    """A shopper asks for after-sales on units of their sub-order (operations may open one on
    a shopper's behalf). Checked under the order and sub-order locks, so two requests for the
    same units never both pass. The same Idempotency-Key again returns the first case."""
    idempotency_key = (idempotency_key or "").strip()[:64]
    if not getattr(actor, "pk", None):
        raise NotFound(_("Sub-order not found."))
    on_behalf = base.is_platform_staff(actor)
    if idempotency_key:
        existing = AfterSalesCase.objects.filter(
            opened_by_id=actor.pk, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    if type not in SHOPPER_TYPES:
        raise InvalidInput(
            _("Choose refund only, return and refund, or exchange."), code="invalid_type"
        )
    asked_lines = _asked_lines(lines)
    lookup = SubOrder.objects.filter(sub_order_no=sub_order_no or "")
    if not on_behalf:
        lookup = lookup.filter(order__user_id=actor.pk)
    sub_order_id = lookup.values_list("pk", flat=True).first()
    if sub_order_id is None:
        raise NotFound(_("Sub-order not found."))
    sub_order = lock_sub_order_by_id(sub_order_id)
    if idempotency_key:
        # A request with the same key that held the lock before us has committed by now.
        existing = AfterSalesCase.objects.filter(
            opened_by_id=actor.pk, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    stage = _stage_for(sub_order)
    if type not in selectors.types_for_stage(stage):
        raise TransitionNotAllowed(
            {
                Stage.NOT_SHIPPED: _("Before shipping you can only ask for a refund."),
                Stage.IN_TRANSIT: _(
                    "While the parcel is on its way you can ask for a refund; "
                    "returns and exchanges open once it has arrived."
                ),
            }.get(stage, _("That kind of request is not possible now.")),
            code="type_not_allowed",
        )
    case_reason = _reason(reason, case_type=type, stage=stage)
    rooms = selectors.line_rooms(sub_order=sub_order)
    asked = _check_units(rooms, asked_lines)
    if case_reason.is_no_reason:
        allowed = no_reason_return_allowed(
            sku_ids=[room.line.sku_id for room in rooms if room.line.pk in asked]
        )
        if not all(allowed.values()):
            raise InvalidInput(
                _(
                    "This item cannot be returned without a reason (7-day no-reason returns "
                    "do not apply to it)."
                ),
                code="no_reason_not_allowed",
            )
    if case_reason.evidence_required and not evidence_ids:
        raise InvalidInput(_("This reason needs a photo of the problem."), code="evidence_required")
    amount = _money(refund_amount)
    if amount is not None and amount <= 0 and type != CaseType.EXCHANGE:
        raise InvalidInput(_("Refund amount must be more than zero."), code="invalid_amount")
    case = _open(
        sub_order=sub_order,
        case_type=type,
        reason=case_reason,
        stage=stage,
        asked=asked,
        rooms=rooms,
        actor=actor,
        description=description,
        amount=amount,
        idempotency_key=idempotency_key,
    )
    evidence_attach(user=actor, evidence_ids=evidence_ids, case=case)
    return case


# --- the merchant's answer ---------------------------------------------------------------------


@transaction.atomic
def case_approve(*, case_no: str, actor, intercept: bool = True, note: str = "") -> AfterSalesCase:
    """The merchant (or operations, or the response timer) agrees; the case goes on at once.
    For a refund while the parcel is on its way, `intercept` calls it back (else the shopper
    is asked to refuse it or send it back)."""
    case = base.lock_case(case_no=case_no)
    base.require_role(actor, case, Role.MERCHANT, Role.OPS)
    if case.status != Status.REQUESTED:
        if case.approved_at is not None and case.status != Status.REJECTED:
            return case  # approved already (twice, or timer and merchant racing)
        base.refuse(case, _("approve"))
    _expire_pending_offer(case)
    base.transition(case=case, name="approve", actor=actor, note=note, at=timezone.now())
    return flow.case_proceed(case=case, actor=actor, intercept=intercept)


@transaction.atomic
def case_reject(
    *, case_no: str, actor, reason: str, evidence_ids: list[str] | None = None
) -> AfterSalesCase:
    """The merchant says no, with a reason the shopper reads, and only after making an offer
    or with evidence of its own; the shopper may then appeal within APPEAL_DAYS."""
    case = base.lock_case(case_no=case_no)
    base.require_role(actor, case, Role.MERCHANT, Role.OPS)
    reason = flow.require_text(reason, _("the reason the shopper will read"))
    if case.status != Status.REQUESTED:
        base.refuse(case, _("reject"))
    if not evidence_ids and not case.offers.exists():
        raise InvalidInput(
            _("Make the shopper an offer first, or add evidence (a photo) for the rejection."),
            code="offer_or_evidence_required",
        )
    evidence_attach(user=actor, evidence_ids=evidence_ids, case=case)
    _expire_pending_offer(case)
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


def _expire_pending_offer(case: AfterSalesCase) -> None:
    case.offers.filter(status=CaseOffer.Status.PENDING).update(
        status=CaseOffer.Status.EXPIRED, answered_at=timezone.now()
    )


@transaction.atomic
def case_offer_make(*, case_no: str, actor, type: str, refund_amount, note: str = "") -> CaseOffer:
    """The merchant proposes another way (a lower amount, refund only instead of a return, an
    exchange); a new offer replaces one still pending."""
    case = base.lock_case(case_no=case_no)
    base.require_role(actor, case, Role.MERCHANT, Role.OPS)
    if case.status != Status.REQUESTED:
        base.refuse(case, _("make an offer"))
    if type not in selectors.types_for_stage(case.stage):
        raise InvalidInput(
            _("That kind of solution is not possible for this order now."), code="invalid_type"
        )
    amount = _money(refund_amount) or ZERO
    if type == CaseType.EXCHANGE:
        amount = ZERO
    elif amount <= 0:
        raise InvalidInput(_("Offer an amount of more than zero."), code="invalid_amount")
    most = _max_for(case)
    if amount > most:
        raise InvalidInput(
            _("At most ¥%(most)s can be refunded for these items.") % {"most": most},
            code="amount_too_high",
            extra={"max_refund_amount": str(most)},
        )
    _expire_pending_offer(case)
    offer = CaseOffer.objects.create(
        case=case,
        type=type,
        refund_amount=amount,
        note=(note or "").strip()[:255],
        created_by=base.actor_or_none(actor),
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
            "offer_type_text": offer.get_type_display(),
            "offer_amount": str(amount),
        },
    )
    return offer


def _max_for(case: AfterSalesCase) -> Decimal:
    rooms = selectors.line_rooms(sub_order=case.sub_order, exclude_case_id=case.pk)
    asked = dict(case.lines.values_list("order_line_id", "quantity"))
    with_shipping = selectors.shipping_is_refunded(
        reason=case.reason, stage=case.stage, rooms=rooms, asked=asked
    )
    by_line = {room.line.pk: room for room in rooms}
    return sum(
        (
            by_line[line_id].amounts_for(q, with_shipping=with_shipping)[0]
            for line_id, q in asked.items()
        ),
        ZERO,
    )


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
def case_offer_accept(*, case_no: str, offer_id, actor) -> AfterSalesCase:
    """The shopper takes the merchant's offer: the case goes on as offered, at once (a
    refund starts now)."""
    case = base.lock_case(case_no=case_no)
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
    base.transition(case=case, name="approve", actor=None, note="As offered", at=timezone.now())
    return flow.case_proceed(case=case, actor=None)


@transaction.atomic
def case_offer_decline(*, case_no: str, offer_id, actor) -> CaseOffer:
    case = base.lock_case(case_no=case_no)
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


# --- the shopper ---------------------------------------------------------------------------------


@transaction.atomic
def case_cancel(*, case_no: str, actor) -> AfterSalesCase:
    """The shopper withdraws a request (before the goods are on their way back). A case that
    opened by itself (refused or lost parcel, out of stock) is not theirs to withdraw."""
    case = base.lock_case(case_no=case_no)
    role = base.require_role(actor, case, Role.SHOPPER, Role.OPS)
    if case.status == Status.CANCELLED:
        return case
    if case.type not in SHOPPER_TYPES or case.return_shipment_id:
        base.refuse(case, _("withdraw"))
    _expire_pending_offer(case)
    base.transition(
        case=case, name="cancel", actor=actor, note=f"Withdrawn by {role}", at=timezone.now()
    )
    flow.release_sub_order_if_settled(case=case)
    return case


@transaction.atomic
def case_return_ship(*, case_no: str, actor, carrier_code: str, tracking_no: str) -> AfterSalesCase:
    case = base.lock_case(case_no=case_no)
    base.require_role(actor, case, Role.SHOPPER, Role.OPS)
    return flow.return_ship(
        case=case, actor=actor, carrier_code=carrier_code, tracking_no=(tracking_no or "").strip()
    )


@transaction.atomic
def case_appeal(
    *, case_no: str, actor, reason: str, evidence_ids: list[str] | None = None
) -> AfterSalesCase:
    """The shopper asks the platform to step in (平台介入) after a rejection."""
    case = base.lock_case(case_no=case_no)
    base.require_role(actor, case, Role.SHOPPER)
    reason = flow.require_text(reason, _("the reason for your appeal"), limit=2000)
    if case.status == Status.APPEALED:
        return case
    if case.status != Status.REJECTED:
        base.refuse(case, _("appeal"))
    if case.appeal_by is not None and case.appeal_by <= timezone.now():
        raise TransitionNotAllowed(_("The time to appeal has passed."), code="appeal_too_late")
    evidence_attach(user=actor, evidence_ids=evidence_ids, case=case)
    return base.transition(
        case=case, name="appeal", actor=actor, note=reason[:500], at=timezone.now(), reason=reason
    )


@transaction.atomic
def case_message_post(
    *, case_no: str, actor, text: str, evidence_ids: list[str] | None = None
) -> CaseMessage:
    """A message in the case's thread from its shopper, the merchant's staff or operations.
    Evidence a side was asked for answers the request."""
    case = base.lock_case(case_no=case_no)
    role = base.require_role(actor, case, Role.SHOPPER, Role.MERCHANT, Role.OPS)
    text = (text or "").strip()
    if not text and not evidence_ids:
        raise InvalidInput(_("Write a message or add a photo."), code="text_required")
    if len(text) > 2000:
        raise InvalidInput("A message is at most 2000 characters.", code="text_too_long")
    if role == Role.SYSTEM:
        raise InvalidInput(_("Messages are written by people."), code="invalid")
    message = CaseMessage.objects.create(case=case, author=actor, role=role, text=text)
    evidence_attach(user=actor, evidence_ids=evidence_ids, case=case, message=message)
    if evidence_ids and case.evidence_requested_from == role:
        case.evidence_requested_from, case.evidence_due_by = "", None
        case.save(update_fields=["evidence_requested_from", "evidence_due_by"])
    base.notice(
        case=case,
        actor=actor,
        action="message",
        node=nodes.CASE_MESSAGE,
        note=text[:200],
        payload={"message_id": message.pk, "author_role": role, "author_id": actor.pk},
    )
    return message


# --- operations ----------------------------------------------------------------------------------


@transaction.atomic
def case_request_evidence(*, case_no: str, actor, party: str, note: str) -> AfterSalesCase:
    """Operations ask the shopper or the merchant for more evidence, by a deadline."""
    case = base.lock_case(case_no=case_no)
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
    actor,
    approve: bool,
    note: str,
    refund_amount=None,
    platform_funded: bool = False,
) -> AfterSalesCase:
    """Operations settle an appeal, finally: approve (the full amount, or a part of it; at
    the platform's cost if they say so) and the refund is carried out at once, or reject and
    the case closes."""
    case = base.lock_case(case_no=case_no)
    base.require_role(actor, case, Role.OPS)
    note = flow.require_text(note, _("the decision the shopper and merchant will read"))
    if case.status != Status.APPEALED:
        base.refuse(case, _("decide"))
    if not approve:
        return case_close(case=case, actor=actor, note=f"Platform decision: {note}")
    amount = _money(refund_amount)
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


def case_close(*, case: AfterSalesCase, actor, note: str) -> AfterSalesCase:
    """Close a locked case (platform decision, or a timer: not appealed, not shipped back)."""
    base.transition(
        case=case, name="close", actor=actor, note=note, at=timezone.now(), decision=note
    )
    flow.release_sub_order_if_settled(case=case)
    return case
