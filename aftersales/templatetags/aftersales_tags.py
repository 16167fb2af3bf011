"""After-sales on pages that are not aftersales' own (the order page, whose view is orders').

{% aftersales_options sub_order as options %}: what the shopper can ask for on the sub-order now
and why not (selectors.sub_order_options as the order page needs it), and
{% aftersales_cases sub_order as cases %}: its cases. The first call loads both for every
sub-order of the order in one query (the order's lines are prefetched by the order page) and
keeps them on the order for the rest of the render, so the page costs the same for one merchant
or ten. `options|line_room:line` is one line's room (refundable quantity, the open case holding
it).
"""

from decimal import Decimal

from django import template

from orders.models import OrderLine, SubOrder
from shop.money import ZERO

from ..models import CaseLine, Stage
from ..selectors import (
    HOLDING_UNITS,
    REFUNDS_COUNTED,
    LineRoom,
    SubOrderOptions,
    _not_allowed_reason,
    stage_of,
    types_for_stage,
    window_ends_at,
)

register = template.Library()

_CACHE_ATTR = "_aftersales_of_sub_orders"


def _options(sub_order: SubOrder, lines, case_lines: list[CaseLine]) -> SubOrderOptions:
    """sub_order_options without the reasons and no-reason flags, which only the request form
    shows (the form calls the selector itself): the same rooms, types and 'why not'."""
    held: dict[int, int] = {}
    open_case: dict[int, str] = {}
    shipping: dict[int, Decimal] = {}
    for case_line in case_lines:
        case, line_id = case_line.case, case_line.order_line_id
        if case.status in HOLDING_UNITS:
            held[line_id] = held.get(line_id, 0) + case_line.quantity
            open_case.setdefault(line_id, case.case_no)
        if case.status in REFUNDS_COUNTED:
            shipping[line_id] = shipping.get(line_id, ZERO) + case_line.shipping_amount
    rooms = [
        LineRoom(
            line=line,
            held_quantity=held.get(line.pk, 0),
            shipping_refunded=shipping.get(line.pk, ZERO),
            open_case_no=open_case.get(line.pk),
        )
        for line in sorted(lines, key=lambda line: line.pk)
    ]
    stage = stage_of(sub_order)
    options = SubOrderOptions(
        sub_order=sub_order,
        stage=stage,
        rooms=rooms,
        types=types_for_stage(stage),
        reasons=[],
        window_ends_at=window_ends_at(sub_order),
        no_reason_skus={},
        not_allowed_reason=_not_allowed_reason(sub_order, stage),
    )
    if options.not_allowed_reason is None and not any(r.refundable_quantity for r in rooms):
        options.not_allowed_reason = "Every item of this order is refunded or in a request."
    if options.not_allowed_reason is not None:
        options.types = []
    for room in rooms:
        options.max_amounts[room.line.pk] = room.amounts_for(
            room.refundable_quantity, with_shipping=stage == Stage.NOT_SHIPPED
        )[0]
    return options


def _of_order(sub_order: SubOrder) -> dict:
    """{sub_order pk: (options, cases newest first)} for every sub-order of the order."""
    order = sub_order._state.fields_cache.get("order")
    holder = order if order is not None else sub_order
    cached = getattr(holder, _CACHE_ATTR, None)
    if cached is not None and sub_order.pk in cached:
        return cached
    prefetched = getattr(order, "_prefetched_objects_cache", {}) if order is not None else {}
    sub_orders = {s.pk: s for s in prefetched.get("sub_orders", [])} or {sub_order.pk: sub_order}
    sub_orders[sub_order.pk] = sub_order
    if "lines" in prefetched:
        lines = [line for line in prefetched["lines"] if line.sub_order_id in sub_orders]
    else:
        lines = list(OrderLine.objects.filter(sub_order_id__in=list(sub_orders)))
    # A case has at least one line: its lines name every case of these sub-orders.
    case_lines = list(
        CaseLine.objects.filter(case__sub_order_id__in=list(sub_orders)).select_related("case")
    )
    cached = {}
    for pk, each in sub_orders.items():
        mine = [c for c in case_lines if c.case.sub_order_id == pk]
        cases = sorted(
            {c.case_id: c.case for c in mine}.values(),
            key=lambda case: (case.created_at, case.pk),
            reverse=True,
        )
        options = _options(each, [line for line in lines if line.sub_order_id == pk], mine)
        cached[pk] = (options, cases)
    setattr(holder, _CACHE_ATTR, cached)
    return cached


@register.simple_tag
def aftersales_options(sub_order):
    if not isinstance(sub_order, SubOrder):
        return None
    return _of_order(sub_order)[sub_order.pk][0]


@register.simple_tag
def aftersales_cases(sub_order):
    if not isinstance(sub_order, SubOrder):
        return []
    return _of_order(sub_order)[sub_order.pk][1]


@register.filter
def line_room(options, line):
    if options is None:
        return None
    return next((room for room in options.rooms if room.line.pk == line.pk), None)


# The case timeline in the shopper's words (CaseEvent.action -> text).
_EVENT_TEXT = {
    "request": "Request sent",
    "approve": "Approved",
    "reject": "Rejected by the merchant",
    "offer": "The merchant made an offer",
    "offer_declined": "Offer declined",
    "renegotiate": "Offer accepted",
    "appeal": "Appealed to the platform",
    "await_return": "Waiting for the return parcel",
    "intercept": "Calling the parcel back",
    "intercept_failed": "The parcel could not be called back",
    "return_shipped": "Return parcel sent",
    "return_signed": "Return parcel signed for",
    "receive_return": "Return received by the merchant",
    "start_refund": "Refund started",
    "refunded": "Refunded",
    "reship": "Replacement shipped",
    "exchange_to_refund": "Exchange turned into a refund",
    "cancel": "Withdrawn",
    "close": "Closed",
    "message": "Message",
    "evidence_requested": "The platform asked for evidence",
    "evidence_request_expired": "The evidence request lapsed",
}


@register.filter
def case_event_text(event) -> str:
    return _EVENT_TEXT.get(event.action) or event.action.replace("_", " ").capitalize()
