"""Cases that open by themselves or by staff from what happened to an order — a parcel refused
at the door or lost by the carrier, units missing at picking, a paid order cancelled before it
ships — what logistics' parcel events and payments' refunds mean for open cases, the merchant's
return-side actions, and the timers."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.actors import Actor
from logistics import selectors as logistics_selectors
from logistics import services as logistics_services
from logistics.models import Shipment
from orders.lock_objects import lock_sub_order_by_id
from orders.models import Order, OrderLine, SubOrder
from shop import events as nodes
from shop.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed

from .. import selectors
from ..lock_objects import (
    lock_case,
    lock_cases_on_parcel,
    lock_cases_on_return_parcel,
    lock_refunds_awaiting_parcel,
)
from ..models import AfterSalesCase, CaseReason, CaseType, Stage
from . import base, flow
from .base import Role
from .decisions import case_close
from .negotiation import expire_pending_offer
from .opening import case_open, stage_for

logger = logging.getLogger(__name__)
# orders', payments' and logistics' services still take the acting user (None for the system),
# so calls into them pass `actor.user` until they take an Actor too.

Status = AfterSalesCase.Status

# Reasons the system uses for the cases it opens (seeded; ops may relabel them).
REASON_FOR = {
    CaseType.REFUSAL: "parcel-refused",
    CaseType.LOST: "parcel-lost",
    CaseType.OUT_OF_STOCK: "out-of-stock",
    CaseType.REFUND_ONLY: "order-cancelled",
}


def _system_reason(case_type: str) -> CaseReason:
    reason = CaseReason.objects.filter(code=REASON_FOR[case_type]).first()
    if reason is None:  # the seeded row was deleted: put it back rather than lose a refund
        reason, _created = CaseReason.objects.get_or_create(
            code=REASON_FOR[case_type],
            defaults={
                "label": dict(CaseType.choices)[case_type],
                "types": [case_type],
                "stages": [s.value for s in Stage],
                "responsibility": "merchant" if case_type == CaseType.OUT_OF_STOCK else "carrier",
                "is_active": False,
            },
        )
    return reason


def _open_for_units(
    *,
    sub_order: SubOrder,
    case_type: str,
    units: dict[int, int],
    actor: Actor,
    description: str,
    stage: str,
    shipment_id: int | None = None,
    reason: CaseReason | None = None,
) -> AfterSalesCase | None:
    """Open a case on those units that no open case holds yet (the caller holds the locks)."""
    rooms = selectors.line_rooms(sub_order=sub_order)
    free = {}
    for room in rooms:
        wanted = min(units.get(room.line.pk, 0), room.refundable_quantity)
        if wanted > 0:
            free[room.line.pk] = wanted
    if not free:
        return None
    return case_open(
        sub_order=sub_order,
        case_type=case_type,
        reason=reason or _system_reason(case_type),
        stage=stage,
        asked=free,
        rooms=rooms,
        actor=actor,
        description=description,
        shipment_id=shipment_id,
    )


# --- parcel outcomes (from logistics' events) ---------------------------------------------------


def _parcel(shipment_id: int) -> Shipment:
    parcel = Shipment.objects.select_related("carrier").filter(pk=shipment_id).first()
    if parcel is None:
        raise NotFound(_("Parcel not found."))
    return parcel


def _attach(case: AfterSalesCase, sub_order: SubOrder) -> AfterSalesCase:
    case.sub_order, case.order = sub_order, sub_order.order
    return case


@transaction.atomic
def parcel_refused(*, shipment_id: int, actor: Actor) -> AfterSalesCase | None:
    """A prepaid parcel was refused at the door: its units are refunded once it is back with
    the merchant (or, if it never comes back, when receive_by passes). A refund-only request
    already waiting for this parcel is that case; cash not collected yet is no one's money."""
    parcel = _parcel(shipment_id)
    sub_order = lock_sub_order_by_id(parcel.sub_order_id)
    for case in lock_refunds_awaiting_parcel(sub_order_id=sub_order.pk):
        if case.shipment_id is None:
            case.shipment_id = parcel.pk
            case.save(update_fields=["shipment"])
    if not flow.money_was_paid(order_id=sub_order.order_id):
        return None
    units = dict(logistics_selectors.parcel_units(shipment_id=parcel.pk))
    return _open_for_units(
        sub_order=sub_order,
        case_type=CaseType.REFUSAL,
        units=units,
        actor=actor,
        description=f"Parcel {parcel.tracking_no} was refused at delivery",
        stage=Stage.IN_TRANSIT,
        shipment_id=parcel.pk,
    )


@transaction.atomic
def parcel_returned(*, shipment_id: int, actor: Actor) -> list[AfterSalesCase]:
    """A refused or intercepted parcel is back with the merchant (logistics returned its goods
    to stock): the cases waiting for it refund now."""
    parcel = _parcel(shipment_id)
    sub_order = lock_sub_order_by_id(parcel.sub_order_id)
    moved = []
    for case in lock_cases_on_parcel(
        shipment_id=parcel.pk,
        statuses=[Status.APPROVED, Status.AWAITING_RETURN, Status.INTERCEPTING],
    ):
        _attach(case, sub_order)
        if case.status == Status.APPROVED:
            flow.case_start_refund(
                case=case, actor=actor, note="The parcel is back with the merchant"
            )
        else:
            flow.receive_return(
                case=case, actor=actor, resellable=None, note="The parcel is back with the merchant"
            )
        moved.append(case)
    return moved


@transaction.atomic
def parcel_intercept_failed(*, shipment_id: int, actor: Actor) -> list[AfterSalesCase]:
    """The intercepted parcel was delivered all the same: the shopper sends it back."""
    parcel = _parcel(shipment_id)
    sub_order = lock_sub_order_by_id(parcel.sub_order_id)
    moved = []
    for case in lock_cases_on_parcel(shipment_id=parcel.pk, statuses=[Status.INTERCEPTING]):
        _attach(case, sub_order)
        flow.await_return(case=case, actor=actor, name="intercept_failed")
        moved.append(case)
    return moved


@transaction.atomic
def parcel_lost(*, shipment_id: int, actor: Actor) -> AfterSalesCase | None:
    """The carrier (or operations) reports a parcel lost: a lost-parcel case refunds its units
    at once, including their shipping, and tells the shopper."""
    parcel = _parcel(shipment_id)
    if not actor.sees_everything:
        raise NotFound(_("Parcel not found."))
    sub_order = lock_sub_order_by_id(parcel.sub_order_id)
    if parcel.status != Shipment.Status.LOST:
        raise TransitionNotAllowed(
            _("Only a lost parcel can be refunded as lost (this one is “%(status)s”).")
            % {"status": parcel.get_status_display()},
            extra={"status": parcel.status},
        )
    if parcel.lost_settled_at is not None:
        return AfterSalesCase.objects.filter(shipment=parcel, type=CaseType.LOST).first()
    units = dict(logistics_selectors.parcel_units(shipment_id=parcel.pk))
    case = _open_for_units(
        sub_order=sub_order,
        case_type=CaseType.LOST,
        units=units,
        actor=actor,
        description=f"Parcel {parcel.tracking_no} was lost by the carrier",
        stage=Stage.IN_TRANSIT,
        shipment_id=parcel.pk,
    )
    if case is None:  # every unit already refunded by other cases: just settle the parcel
        logistics_services.shipment_lost_settled(shipment_id=parcel.pk, actor=actor.user)
    return case


@transaction.atomic
def return_parcel_signed(*, shipment_id: int, actor: Actor, at=None) -> list[AfterSalesCase]:
    parcel = _parcel(shipment_id)
    sub_order = lock_sub_order_by_id(parcel.sub_order_id)
    found = lock_cases_on_return_parcel(shipment_id=parcel.pk)
    for case in found:
        flow.return_signed(
            case=_attach(case, sub_order),
            actor=actor,
            at=at or parcel.delivered_at or timezone.now(),
        )
    return found


@transaction.atomic
def refund_settled(*, refund_key: str, actor: Actor) -> AfterSalesCase | None:
    """payments reports a refund succeeded; keys of case refunds are "<case_no>-<line id>"."""
    case_no = (refund_key or "").rpartition("-")[0]
    if not case_no.startswith("A"):
        return None
    try:
        case = lock_case(case_no=case_no)
    except NotFound:
        return None
    return flow.case_settle_refunds(case=case, actor=actor)


# --- opened by staff -----------------------------------------------------------------------------


@transaction.atomic
def case_open_out_of_stock(
    *, line_id: int, quantity: int, reason: str, actor: Actor
) -> AfterSalesCase:
    """The warehouse could not find `quantity` units at picking (缺货): the shopper is told at
    once and refunded automatically; the shortage is recorded by logistics."""
    reason = flow.require_text(reason, _("the reason the shopper will read"))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidInput(_("Quantity must be at least 1."), code="invalid_quantity")
    logistics_services.line_shortage_check(line_id=line_id, quantity=quantity, actor=actor.user)
    line = OrderLine.objects.get(pk=line_id)
    sub_order = lock_sub_order_by_id(line.sub_order_id)
    case = _open_for_units(
        sub_order=sub_order,
        case_type=CaseType.OUT_OF_STOCK,
        units={line.pk: quantity},
        actor=actor,
        description=reason,
        stage=Stage.NOT_SHIPPED,
    )
    if case is None:
        raise Conflict(
            _("Those units are already in an after-sales request."), code="units_in_open_case"
        )
    return case


@transaction.atomic
def order_cancel_paid(*, order_no: str, actor: Actor, reason: str = "") -> list[AfterSalesCase]:
    """A paid order cancelled before it ships (by the shopper, or ops on their behalf): a
    refund-only case for each sub-order still waiting to ship, approved at once."""
    lookup = Order.objects.filter(order_no=order_no or "")
    if not actor.is_ops:
        if actor.user is None:
            raise NotFound(_("Order not found."))
        lookup = lookup.filter(user_id=actor.user_id)
    order = lookup.first()
    if order is None:
        raise NotFound(_("Order not found."))
    if order.status != Order.Status.PAID:
        raise TransitionNotAllowed(
            _("Only a paid order can be cancelled for a refund."), extra={"status": order.status}
        )
    waiting = list(
        SubOrder.objects.filter(order=order, status=SubOrder.Status.AWAITING_SHIPMENT).order_by(
            "pk"
        )
    )
    if not waiting:
        raise TransitionNotAllowed(
            _("Everything of this order has shipped: ask for a refund on the parcel instead."),
            code="shipped",
        )
    opened = []
    for sub_order_row in waiting:
        sub_order = lock_sub_order_by_id(sub_order_row.pk)
        if stage_for(sub_order) != Stage.NOT_SHIPPED:
            continue
        units = {
            room.line.pk: room.refundable_quantity
            for room in selectors.line_rooms(sub_order=sub_order)
        }
        case = _open_for_units(
            sub_order=sub_order,
            case_type=CaseType.REFUND_ONLY,
            units=units,
            actor=actor,
            description=reason or "Order cancelled before shipping",
            stage=Stage.NOT_SHIPPED,
        )
        if case is not None:
            opened.append(case)
    if not opened:
        raise Conflict(_("Nothing of this order is left to cancel."), code="nothing_to_cancel")
    return opened


# --- the merchant's return-side actions ------------------------------------------------------


@transaction.atomic
def case_receive_return(*, case_no: str, actor: Actor, resellable: bool) -> AfterSalesCase:
    case = lock_case(case_no=case_no)
    base.require_role(actor, case, Role.MERCHANT, Role.OPS)
    if case.status not in (Status.AWAITING_RETURN, Status.INTERCEPTING, Status.RETURN_RECEIVED):
        base.refuse(case, _("confirm the return"))
    return flow.receive_return(case=case, actor=actor, resellable=bool(resellable))


@transaction.atomic
def case_reship(
    *, case_no: str, actor: Actor, carrier_code: str, tracking_no: str
) -> AfterSalesCase:
    case = lock_case(case_no=case_no)
    base.require_role(actor, case, Role.MERCHANT, Role.OPS)
    return flow.reship(
        case=case, actor=actor, carrier_code=carrier_code, tracking_no=(tracking_no or "").strip()
    )


# --- timers: the default action for the side that did not act ---------------------------------


@transaction.atomic
def case_timeout_respond(*, case_id: int, actor: Actor) -> AfterSalesCase:
    """The merchant did not answer within MERCHANT_RESPONSE_HOURS: approved."""
    case = lock_case(case_id=case_id)
    if case.status != Status.REQUESTED or not _due(case.respond_by):
        return case
    expire_pending_offer(case)
    base.transition(
        case=case,
        name="approve",
        actor=actor,
        note="The merchant did not answer in time: approved automatically",
        at=timezone.now(),
    )
    return flow.case_proceed(case=case, actor=actor)


@transaction.atomic
def case_timeout_appeal(*, case_id: int, actor: Actor) -> AfterSalesCase:
    case = lock_case(case_id=case_id)
    if case.status != Status.REJECTED or not _due(case.appeal_by):
        return case
    return case_close(case=case, actor=actor, note="Not appealed in time: closed")


@transaction.atomic
def case_timeout_return_ship(*, case_id: int, actor: Actor) -> AfterSalesCase:
    case = lock_case(case_id=case_id)
    if (
        case.status != Status.AWAITING_RETURN
        or case.return_shipment_id
        or not _due(case.return_ship_by)
    ):
        return case
    return case_close(case=case, actor=actor, note="Nothing was sent back in time: closed")


@transaction.atomic
def case_timeout_receive(*, case_id: int, actor: Actor) -> AfterSalesCase:
    """The merchant did not confirm a signed-for return within RETURN_RECEIVE_DAYS, or a
    refused parcel never made it back: the platform refunds anyway."""
    case = lock_case(case_id=case_id)
    if not _due(case.receive_by):
        return case
    note = "The merchant did not confirm in time: refunded automatically"
    if case.status == Status.APPROVED and case.type == CaseType.REFUSAL:
        return flow.case_start_refund(case=case, actor=actor, note="Refunded by the platform")
    if case.status != Status.AWAITING_RETURN:
        return case
    flow.receive_return(case=case, actor=actor, resellable=None, note=note)
    if case.type == CaseType.EXCHANGE:
        return flow.exchange_to_refund(case=case, actor=actor, why=note)
    return case


@transaction.atomic
def case_timeout_evidence(*, case_id: int, actor: Actor) -> AfterSalesCase:
    case = lock_case(case_id=case_id)
    if not _due(case.evidence_due_by):
        return case
    party = case.evidence_requested_from
    case.evidence_requested_from, case.evidence_due_by = "", None
    case.save(update_fields=["evidence_requested_from", "evidence_due_by"])
    base.event_record(
        case=case,
        actor=actor,
        action="evidence_request_expired",
        from_state=case.status,
        note=f"The {party or 'asked side'} sent no evidence in time",
        node=nodes.CASE_EVIDENCE_EXPIRED,
    )
    return case


@transaction.atomic
def case_settle_if_refunded(*, case_id: int, actor: Actor) -> AfterSalesCase:
    """Safety net for a refund.succeeded event that was missed."""
    case = lock_case(case_id=case_id)
    return flow.case_settle_refunds(case=case, actor=actor)


def _due(deadline) -> bool:
    return deadline is not None and deadline <= timezone.now()
