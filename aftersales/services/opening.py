"""Opening a case: a shopper's request on units of their sub-order (operations may open one on
their behalf), checked under the sub-order's lock, and the one way every case opens (the cases
the system opens by themselves go through `case_open` too)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.actors import SYSTEM, Actor
from catalog.selectors import no_reason_return_allowed
from logistics.models import Shipment
from orders.lock_objects import lock_sub_order_by_id
from orders.models import SubOrder
from shop.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from shop.ids import new_business_number

from .. import selectors
from ..models import SHOPPER_TYPES, AfterSalesCase, CaseReason, CaseType, Stage
from . import base, flow
from .case_lines import amount_from_input, lines_fill
from .evidence import evidence_attach

# Opened at once, without waiting for the merchant.
APPROVED_AT_ONCE = (CaseType.OUT_OF_STOCK, CaseType.LOST, CaseType.REFUSAL)


@dataclass(frozen=True)
class AskedLine:
    sku_id: int
    quantity: int


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


def stage_for(sub_order: SubOrder) -> str:
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


def case_open(
    *,
    sub_order: SubOrder,
    case_type: str,
    reason: CaseReason,
    stage: str,
    asked: dict[int, int],
    rooms,
    actor: Actor,
    description: str = "",
    amount: Decimal | None = None,
    idempotency_key: str = "",
    shipment_id: int | None = None,
) -> AfterSalesCase:
    """Open a case on the `asked` units ({order line id: quantity}): a shopper's request, or
    one the system or staff open (refused or lost parcel, shortage, cancelled order). The
    caller holds the sub-order lock and has checked the units are free."""
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
        opened_by=actor.user,
        idempotency_key=idempotency_key,
        shipment_id=shipment_id,
        respond_by=timezone.now() + timedelta(hours=settings.MERCHANT_RESPONSE_HOURS),
    )
    case.sub_order = sub_order
    case.order = sub_order.order
    lines_fill(case=case, rooms=rooms, asked=asked, amount=amount)
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
            case=case, name="approve", actor=SYSTEM, note="Approved at once", at=timezone.now()
        )
        flow.case_proceed(case=case, actor=SYSTEM)
    return case


@transaction.atomic
def case_create(
    *,
    actor: Actor,
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
    if actor.user is None:  # the system opens its own cases (case_open), never a request
        raise NotFound(_("Sub-order not found."))
    on_behalf = actor.is_ops
    if idempotency_key:
        existing = AfterSalesCase.objects.filter(
            opened_by_id=actor.user_id, idempotency_key=idempotency_key
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
        lookup = lookup.filter(order__user_id=actor.user_id)
    sub_order_id = lookup.values_list("pk", flat=True).first()
    if sub_order_id is None:
        raise NotFound(_("Sub-order not found."))
    sub_order = lock_sub_order_by_id(sub_order_id)
    if idempotency_key:
        # A request with the same key that held the lock before us has committed by now.
        existing = AfterSalesCase.objects.filter(
            opened_by_id=actor.user_id, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    stage = stage_for(sub_order)
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
    amount = amount_from_input(refund_amount)
    if amount is not None and amount <= 0 and type != CaseType.EXCHANGE:
        raise InvalidInput(_("Refund amount must be more than zero."), code="invalid_amount")
    case = case_open(
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
    evidence_attach(actor=actor, evidence_ids=evidence_ids, case=case)
    return case
