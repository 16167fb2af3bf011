"""What the shop tells a shopper about a payment, shared by the cashier, the result page and
the services that refuse to take money."""

from django.utils.translation import gettext

from orders.models import Order
from orders.selectors import DISPLAY_STATUS_LABELS

from .models import Payment


def payment_not_open_message(payment: Payment, order: Order) -> str:
    """What the cashier tells a shopper about a payment it will not take money for."""
    if order.status in (Order.Status.CANCELLED, Order.Status.PAYMENT_FAILED):
        return gettext(
            "This payment was closed: order %(order_no)s is %(status)s. No money was taken."
        ) % {
            "order_no": order.order_no,
            "status": str(DISPLAY_STATUS_LABELS[order.status]).lower(),
        }
    if payment.status == Payment.Status.SUCCEEDED:
        return gettext("This payment has already been made.")
    return gettext("This payment is no longer open. No money was taken.")
