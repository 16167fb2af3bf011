"""After-sales on pages that are not aftersales' own (the order page, whose view is orders').

{% aftersales_options sub_order as options %}: what the shopper can ask for on the sub-order now
and why not (selectors.sub_order_options as the order page needs it), and
{% aftersales_cases sub_order as cases %}: its cases. The first call loads both for every
sub-order of the order in one query (the order's lines are prefetched by the order page) and
keeps them on the order for the rest of the render, so the page costs the same for one merchant
or ten. `options|line_room:line` is one line's room (refundable quantity, the open case holding
it).
"""

from django import template
from django.utils.translation import gettext_lazy as _

from orders.models import OrderLine, SubOrder

from .. import selectors

register = template.Library()

_CACHE_ATTR = "_aftersales_of_sub_orders"


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
    cached = selectors.sub_orders_aftersales(sub_orders=list(sub_orders.values()), lines=lines)
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
    "request": _("Request sent"),
    "approve": _("Approved"),
    "reject": _("Rejected by the merchant"),
    "offer": _("The merchant made an offer"),
    "offer_declined": _("Offer declined"),
    "renegotiate": _("Offer accepted"),
    "appeal": _("Appealed to the platform"),
    "await_return": _("Waiting for the return parcel"),
    "intercept": _("Calling the parcel back"),
    "intercept_failed": _("The parcel could not be called back"),
    "return_shipped": _("Return parcel sent"),
    "return_signed": _("Return parcel signed for"),
    "receive_return": _("Return received by the merchant"),
    "start_refund": _("Refund started"),
    "refunded": _("Refunded"),
    "reship": _("Replacement shipped"),
    "exchange_to_refund": _("Exchange turned into a refund"),
    "cancel": _("Withdrawn"),
    "close": _("Closed"),
    "message": _("Message"),
    "evidence_requested": _("The platform asked for evidence"),
    "evidence_request_expired": _("The evidence request lapsed"),
}


@register.filter
def case_event_text(event) -> str:
    return _EVENT_TEXT.get(event.action) or event.action.replace("_", " ").capitalize()
