"""After-sales on pages that are not aftersales' own (the order page, whose view is orders').

{% aftersales_options sub_order as options %}: what the shopper can ask for on the sub-order now
(selectors.sub_order_options, a few queries per sub-order whatever its number of lines), kept on
the sub-order for the rest of the render. {% aftersales_cases sub_order as cases %}: the cases of
its order, loaded once for every sub-order of the order. `options|line_room:line` is one line's
room (refundable quantity, the open case holding it).
"""

from django import template

from orders.models import SubOrder

from ..models import AfterSalesCase
from ..selectors import sub_order_options

register = template.Library()

_OPTIONS_ATTR = "_aftersales_options"
_CASES_ATTR = "_aftersales_cases"


@register.simple_tag
def aftersales_options(sub_order):
    if not isinstance(sub_order, SubOrder):
        return None
    options = getattr(sub_order, _OPTIONS_ATTR, None)
    if options is None:
        options = sub_order_options(sub_order=sub_order)
        setattr(sub_order, _OPTIONS_ATTR, options)
    return options


@register.simple_tag
def aftersales_cases(sub_order):
    """The after-sales cases of the sub-order, newest first: one query for the whole order."""
    if not isinstance(sub_order, SubOrder):
        return []
    order = sub_order._state.fields_cache.get("order")
    holder = order if order is not None else sub_order
    cached = getattr(holder, _CASES_ATTR, None)
    if cached is None:
        cases = AfterSalesCase.objects.filter(order_id=sub_order.order_id).order_by(
            "-created_at", "-id"
        )
        cached = {}
        for case in cases:
            cached.setdefault(case.sub_order_id, []).append(case)
        setattr(holder, _CASES_ATTR, cached)
    return cached.get(sub_order.pk, [])


@register.filter
def line_room(options, line):
    if options is None:
        return None
    return next((room for room in options.rooms if room.line.pk == line.pk), None)


@register.filter
def case_type_allowed(options, case_type: str) -> bool:
    return options is not None and case_type in options.types


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
