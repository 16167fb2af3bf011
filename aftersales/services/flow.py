"""What happens to an approved case: the refund through payments, the return parcel, the
intercept, the replacement, and what the sub-order and the stock do meanwhile.

After approval a case goes on by itself as far as it can (`case_proceed`): a refund that needs
nothing back starts at once; a return waits for the shopper's parcel; a parcel in transit is
intercepted. Refunds are payments' (`payment_refund`, one per case line, keyed by the case
number, executed and retried by payments until the gateway confirms); the case is `refunded`
only when every one of them has succeeded (`case_settle_refunds`, called on payments'
refund.succeeded event and by a sweep).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.actors import SYSTEM, Actor
from catalog.services.stock import stock_release, stock_return
from logistics import services as logistics_services
from logistics.models import Shipment
from orders import services as order_services
from orders.models import OrderLine, SubOrder
from payments.models import Payment, Refund
from payments.services import payment_refund
from shop import events as nodes
from shop.errors import Conflict, InvalidInput, OutOfStock

from ..models import AfterSalesCase, CaseLine, CaseType, Stage
from . import base
from .case_lines import reprice_lines

logger = logging.getLogger(__name__)
# orders', payments' and logistics' services still take the acting user (None for the system),
# so calls into them pass `actor.user` until they take an Actor too.

Status = AfterSalesCase.Status
STRAIGHT_TO_REFUND = (CaseType.OUT_OF_STOCK, CaseType.LOST)


def _case_lines(case: AfterSalesCase) -> list[CaseLine]:
    return list(case.lines.select_related("order_line").order_by("order_line_id"))


def _stock_order(case_lines: list[CaseLine]) -> list[CaseLine]:
    # The order stock_allocate locks stock rows in (SKU, then warehouse): never the opposite.
    return sorted(case_lines, key=lambda c: (c.order_line.sku_id, c.order_line.warehouse_id))


def money_was_paid(*, order_id: int) -> bool:
    """Whether money reached us for the order (cash on delivery not collected: no)."""
    return Payment.objects.filter(
        order_id=order_id, status=Payment.Status.SUCCEEDED, orphaned=False
    ).exists()


def _parcels_on_their_way(case: AfterSalesCase) -> list[Shipment]:
    line_ids = [c.order_line_id for c in case.lines.all()]
    return list(
        Shipment.objects.filter(
            sub_order_id=case.sub_order_id,
            direction=Shipment.Direction.OUTBOUND,
            status__in=Shipment.ON_ITS_WAY,
            lines__order_line_id__in=line_ids,
        )
        .distinct()
        .order_by("pk")
    )


def case_proceed(*, case: AfterSalesCase, actor: Actor, intercept: bool = True) -> AfterSalesCase:
    """An approved case goes as far as it can now. The caller holds the case lock."""
    if case.status != Status.APPROVED:
        return case
    if case.type in STRAIGHT_TO_REFUND or (
        case.type == CaseType.REFUND_ONLY and case.stage in (Stage.NOT_SHIPPED, Stage.RECEIVED)
    ):
        return case_start_refund(case=case, actor=actor)
    if case.type == CaseType.REFUSAL:
        parcel = case.shipment
        if parcel is not None and parcel.returned_at is not None:
            return case_start_refund(case=case, actor=actor, note="The parcel is back")
        if case.receive_by is None:
            case.receive_by = timezone.now() + timedelta(days=settings.RETURN_RECEIVE_DAYS)
            case.save(update_fields=["receive_by"])
        return case
    if case.type == CaseType.REFUND_ONLY:  # in transit
        parcels = _parcels_on_their_way(case) if intercept else []
        if parcels:
            for parcel in parcels:
                logistics_services.shipment_intercept(shipment_id=parcel.pk, actor=actor.user)
            case.shipment_id = parcels[0].pk
            return base.transition(
                case=case,
                name="intercept",
                actor=actor,
                note=f"Intercepting parcel {parcels[0].tracking_no}",
            )
    return await_return(case=case, actor=actor)


def await_return(
    *, case: AfterSalesCase, actor: Actor, name: str = "await_return"
) -> AfterSalesCase:
    return base.transition(
        case=case,
        name=name,
        actor=actor,
        note="Send the goods back to the return address",
        return_ship_by=timezone.now() + timedelta(days=settings.RETURN_SHIP_DAYS),
    )


def case_start_refund(*, case: AfterSalesCase, actor: Actor, note: str = "") -> AfterSalesCase:
    """Ask payments for the case's refund, one per line (keyed case_no-line, so a retry never
    pays twice), release or settle what the sub-order held for those units, and move the
    sub-order on once all its units are refunded. Cash on delivery not collected: the lines
    stop being owed and no money moves."""
    if case.status == Status.REFUNDING:
        return case
    case_lines = _case_lines(case)
    paid = money_was_paid(order_id=case.order_id)
    reason = f"After-sales {case.case_no}: {case.reason.label}"
    moved_money = False
    for case_line in case_lines:
        if paid and case_line.refund_amount > 0:
            payment_refund(
                order_line_id=case_line.order_line_id,
                amount=case_line.refund_amount,
                quantity=case_line.quantity,
                reason=reason,
                actor=actor.user,
                idempotency_key=f"{case.case_no}-{case_line.order_line_id}",
            )
            moved_money = True
        else:
            order_services.order_line_record_refund(
                line_id=case_line.order_line_id,
                amount=case_line.refund_amount,
                quantity=case_line.quantity,
            )
    base.transition(
        case=case,
        name="start_refund",
        actor=actor,
        note=note or ("Refund requested from the payment gateway" if moved_money else ""),
        payload={"money_moved": moved_money},
        at=timezone.now(),
    )
    _after_units_refunded(case=case, case_lines=case_lines, actor=actor)
    if not moved_money:
        # Refunds are settled by the system (as when the gateway confirms), whoever approved.
        case_settle_refunds(case=case, actor=SYSTEM, note="Nothing was paid: nothing to send back")
    return case


def _after_units_refunded(
    *, case: AfterSalesCase, case_lines: list[CaseLine], actor: Actor
) -> None:
    sub_order = case.sub_order
    if case.type == CaseType.OUT_OF_STOCK:
        for case_line in case_lines:
            logistics_services.line_record_shortage(
                line_id=case_line.order_line_id,
                quantity=case_line.quantity,
                reason=case.description or case.reason.label,
                actor=actor.user,
                refund_amount=case_line.refund_amount,
                refund_reference=case.case_no,
            )
        return
    if case.type == CaseType.LOST and case.shipment_id:
        logistics_services.shipment_lost_settled(shipment_id=case.shipment_id, actor=actor.user)
        return
    if sub_order.status == SubOrder.Status.AWAITING_SHIPMENT:
        logistics_services.sub_order_unpack(sub_order_id=sub_order.pk, actor=actor.user)
        for case_line in _stock_order(case_lines):
            stock_release(
                sku_id=case_line.order_line.sku_id,
                warehouse_id=case_line.order_line.warehouse_id,
                quantity=case_line.quantity,
                order_no=case.order.order_no,
                reason=f"Refunded before shipment ({case.case_no})",
                actor=actor,
            )
    if not _units_left(sub_order):
        sub_order = SubOrder.objects.select_related("order").get(pk=sub_order.pk)
        if sub_order.status != SubOrder.Status.CLOSED:
            order_services.sub_order_close_after_refund(
                sub_order_id=sub_order.pk,
                actor=actor,
                reason=f"Refunded in full ({case.case_no})",
            )


def _units_left(sub_order: SubOrder) -> int:
    return sum(
        quantity - refunded
        for quantity, refunded in OrderLine.objects.filter(sub_order=sub_order).values_list(
            "quantity", "refunded_quantity"
        )
    )


def case_settle_refunds(*, case: AfterSalesCase, actor: Actor, note: str = "") -> AfterSalesCase:
    """A refunding case whose refunds have all succeeded is refunded. The caller holds the
    case lock. Idempotent."""
    if case.status != Status.REFUNDING:
        return case
    refunds = list(Refund.objects.filter(idempotency_key__startswith=f"{case.case_no}-"))
    if any(refund.status != Refund.Status.SUCCEEDED for refund in refunds):
        return case
    base.transition(
        case=case,
        name="refunded",
        actor=actor,
        note=note or f"¥{case.refund_amount} back to the original payment method",
        payload={"money_moved": bool(refunds)},
        at=timezone.now(),
    )
    release_sub_order_if_settled(case=case)
    return case


def release_sub_order_if_settled(*, case: AfterSalesCase) -> None:
    """The last open case of the sub-order has ended: its timers run again."""
    still_open = (
        AfterSalesCase.objects.filter(
            sub_order_id=case.sub_order_id, status__in=AfterSalesCase.OPEN
        )
        .exclude(pk=case.pk)
        .exists()
    )
    if not still_open and not case.is_open:
        order_services.sub_order_set_aftersales_open(sub_order_id=case.sub_order_id, is_open=False)


# --- returns ------------------------------------------------------------------------------------


def return_ship(*, case: AfterSalesCase, actor: Actor, carrier_code: str, tracking_no: str):
    """The shopper sent the goods back: the parcel is tracked like any other."""
    if case.status != Status.AWAITING_RETURN:
        base.refuse(case, _("enter a return parcel"))
    if case.return_shipment_id:
        raise Conflict(_("The return parcel is entered already."), code="already_shipped")
    parcel = logistics_services.return_shipment_register(
        sub_order_id=case.sub_order_id,
        carrier_code=carrier_code,
        tracking_no=tracking_no,
        lines=[(c.order_line_id, c.quantity) for c in _case_lines(case)],
        actor=actor.user,
    )
    now = timezone.now()
    case.return_shipment_id = parcel.pk
    case.return_shipped_at = now
    case.return_ship_by = None
    # The merchant confirms within RETURN_RECEIVE_DAYS of the carrier's "signed"; until it is
    # signed for, this generous bound keeps a parcel the carrier never reports from hanging.
    case.receive_by = now + timedelta(days=settings.RETURN_SHIP_DAYS + settings.RETURN_RECEIVE_DAYS)
    case.save(
        update_fields=["return_shipment", "return_shipped_at", "return_ship_by", "receive_by"]
    )
    base.event_record(
        case=case,
        actor=actor,
        action="return_shipped",
        from_state=case.status,
        note=f"Return parcel {parcel.carrier.code.upper()} {parcel.tracking_no}",
        node=nodes.CASE_RETURN_SHIPPED,
    )
    return case


def return_signed(*, case: AfterSalesCase, actor: Actor, at) -> AfterSalesCase:
    """The carrier says the return parcel was signed for: the merchant's clock starts."""
    if case.status != Status.AWAITING_RETURN or case.return_signed_at is not None:
        return case
    case.return_signed_at = at
    case.receive_by = at + timedelta(days=settings.RETURN_RECEIVE_DAYS)
    case.save(update_fields=["return_signed_at", "receive_by"])
    base.event_record(
        case=case,
        actor=actor,
        action="return_signed",
        from_state=case.status,
        note="The return parcel was signed for at the return address",
        node=nodes.CASE_RETURN_SIGNED,
    )
    return case


def receive_return(
    *, case: AfterSalesCase, actor: Actor, resellable: bool | None, note: str = ""
) -> AfterSalesCase:
    """The goods are back. Resellable goods go back to sellable stock through the ledger;
    damaged ones do not. Then the refund (or, for an exchange, the replacement) follows."""
    if case.status == Status.RETURN_RECEIVED:
        return case
    goods_back_already = case.shipment_id is not None and case.return_shipment_id is None
    if resellable and not goods_back_already:
        for case_line in _stock_order(_case_lines(case)):
            stock_return(
                sku_id=case_line.order_line.sku_id,
                warehouse_id=case_line.order_line.warehouse_id,
                quantity=case_line.quantity,
                order_no=case.order.order_no,
                reason=f"Return of after-sales {case.case_no}",
                actor=actor,
            )
    condition = {True: "resellable", False: "damaged", None: "not checked"}[resellable]
    base.transition(
        case=case,
        name="receive_return",
        actor=actor,
        note=note or f"Return received ({condition})",
        at=timezone.now(),
        resellable=resellable,
    )
    if case.type != CaseType.EXCHANGE:
        case_start_refund(case=case, actor=actor)
    return case


def exchange_to_refund(*, case: AfterSalesCase, actor: Actor, why: str) -> AfterSalesCase:
    """An exchange that cannot be carried out (replacement out of stock, merchant silent)
    becomes a refund of what the shopper paid for those units."""
    case.type = CaseType.RETURN_REFUND
    reprice_lines(case=case, amount=None)
    case.save(update_fields=["type", "refund_amount", "shipping_refund"])
    base.notice(
        case=case,
        actor=actor,
        action="exchange_to_refund",
        node=nodes.CASE_EXCHANGE_TO_REFUND,
        note=why,
    )
    return case_start_refund(case=case, actor=actor, note=why)


def reship(
    *, case: AfterSalesCase, actor: Actor, carrier_code: str, tracking_no: str
) -> AfterSalesCase:
    """The exchange's replacement leaves the warehouse; out of stock turns it into a refund."""
    if case.type != CaseType.EXCHANGE or case.status != Status.RETURN_RECEIVED:
        base.refuse(case, _("ship a replacement"))
    try:
        with transaction.atomic():
            parcel = logistics_services.replacement_shipment_ship(
                sub_order_id=case.sub_order_id,
                lines=[(c.order_line_id, c.quantity) for c in _case_lines(case)],
                carrier_code=carrier_code,
                tracking_no=tracking_no,
                actor=actor.user,
            )
    except OutOfStock:
        return exchange_to_refund(
            case=case, actor=actor, why="The replacement is out of stock: refunded instead"
        )
    case.replacement_shipment_id = parcel.pk
    base.transition(
        case=case,
        name="reship",
        actor=actor,
        note=f"Replacement shipped: {parcel.carrier.code.upper()} {parcel.tracking_no}",
        at=timezone.now(),
    )
    release_sub_order_if_settled(case=case)
    return case


def require_text(text: str, what: str, *, limit: int = 255) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Give %(what)s.") % {"what": what}, code="reason_required")
    return text[:limit]
