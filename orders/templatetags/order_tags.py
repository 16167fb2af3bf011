"""Presentation of orders shared by the pages and the API: the order list's tabs, display-status
labels, money formatting, the timeline's wording."""

from dataclasses import dataclass

from django import template
from django.utils.translation import gettext_lazy as _

from orders import wording
from orders.selectors import DISPLAY_STATUS_LABELS
from shop.money import format_money

register = template.Library()


@dataclass(frozen=True)
class OrderTab:
    key: str  # the ?status= value; "" is every order
    label: str
    # The statuses orders.selectors.order_list_for_user filters by that the tab gathers.
    statuses: tuple[str, ...] = ()


ORDER_TABS = [
    OrderTab("", _("All")),
    OrderTab("awaiting_payment", _("Awaiting payment"), ("pending_payment",)),
    OrderTab("awaiting_shipment", _("Awaiting shipment"), ("awaiting_shipment",)),
    OrderTab("shipped", _("Shipped"), ("partially_shipped", "shipped", "delivered")),
    OrderTab("completed", _("Completed"), ("received", "completed")),
    OrderTab("closed", _("Closed"), ("cancelled", "payment_failed", "closed")),
]


# The order's and sub-order's model choices are worded in English; the shopper reads these.
PAYMENT_METHOD_LABELS = {
    "alipay": _("Alipay"),
    "wechat": _("WeChat Pay"),
    "cod": _("Cash on delivery"),
}


def display_status_label(display_status: str) -> str:
    return DISPLAY_STATUS_LABELS.get(display_status, display_status.replace("_", " ").capitalize())


@register.filter
def money(value) -> str:
    """¥1,234.50 — the one way a price is written on the storefront."""
    if value is None or value == "":
        return ""
    return format_money(value)


@register.filter
def countdown(seconds) -> str:
    """29:05 — minutes and seconds left, as the page's script keeps counting them down."""
    seconds = max(int(seconds or 0), 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


@register.filter
def payment_method_label(method: str) -> str:
    return PAYMENT_METHOD_LABELS.get(method or "", method or "")


@register.filter
def status_label(display_status: str) -> str:
    return display_status_label(display_status or "")


# The timeline in the shopper's words: (transition, about a sub-order?) -> text.
_EVENT_TEXT = {
    ("create", False): _("Order placed"),
    ("pay_succeeded", False): _("Payment received"),
    ("cod_confirmed", False): _("Confirmed for cash on delivery"),
    ("cancel", False): _("Order cancelled"),
    ("expire", False): _("Closed: not paid in time"),
    ("pay_failed", False): _("Payment failed"),
    ("create", True): _("Sent to the merchant to pack and ship"),
    ("ship", True): _("Parcel shipped"),
    ("deliver", True): _("Parcel delivered"),
    ("confirm", True): _("Receipt confirmed"),
    ("complete", True): _("Trade completed"),
    ("refuse", True): _("Parcel refused"),
    ("out_of_stock", True): _("Closed: out of stock, refunded"),
    ("refund", True): _("Closed: refunded before shipment"),
    ("refund_all", True): _("Closed: fully refunded"),
}


# A cash-on-delivery parcel closed before the courier collected anything refunds nothing.
_UNPAID_COD_TEXT = {
    "out_of_stock": _("Closed: out of stock, nothing to pay"),
    "refund": _("Closed before shipment, nothing to pay"),
    "refund_all": _("Closed, nothing to pay"),
}


@register.filter
def event_text(event) -> str:
    about_parcel = event.sub_order_id is not None
    if about_parcel and event.transition in _UNPAID_COD_TEXT:
        order = event.order  # cached by the order page's prefetch
        if order.payment_method == "cod" and order.paid_at is None:
            return _UNPAID_COD_TEXT[event.transition]
    text = _EVENT_TEXT.get((event.transition, about_parcel))
    return text or event.transition.replace("_", " ").capitalize()


@register.filter
def stored_note(note: str) -> str:
    """A close reason or timeline note stored in English (orders/wording.py) in the page's
    language; a note a person typed shows as written."""
    return wording.as_read(note or "")


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, "") if mapping else ""
