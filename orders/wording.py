"""What orders writes in words: the close reasons and timeline notes stored on orders and
sub-orders, and the message of a refused transition.

Stored notes stay in English as written: a stable value (exports, the API, searches) whatever
the language of the request that wrote it. They are marked with gettext_noop so the catalogue
holds their Chinese, and a page translates them when it shows them (`as_read`, the order page's
`stored_note` filter, the admin timeline): notes stored before and after read the same. A note
a person typed (ops' close reason) is not in the catalogue and shows as written.
"""

from django.utils.translation import gettext, gettext_noop

# Close reasons of an order closed unpaid.
CANCELLED_BY_SHOPPER = gettext_noop("Cancelled by shopper")
CANCELLED_BY_OPERATIONS = gettext_noop("Cancelled by operations")
NOT_PAID_IN_TIME = gettext_noop("Not paid in time")
PAYMENT_FAILED = gettext_noop("Payment failed")

# Timeline notes of an order going ahead.
PAYMENT_RECEIVED = gettext_noop("Payment received")
COD_CONFIRMED = gettext_noop("Cash on delivery confirmed")

# Timeline notes of a sub-order's receipt and completion.
RECEIPT_CONFIRMED = gettext_noop("Receipt confirmed")
RECEIPT_CONFIRMED_AUTOMATICALLY = gettext_noop("Receipt confirmed automatically")
TRADE_COMPLETED = gettext_noop("Trade completed")

# Default close reasons of a sub-order, when the caller gives none.
PARCEL_REFUSED = gettext_noop("Parcel refused")
OUT_OF_STOCK = gettext_noop("Out of stock")
REFUNDED_BEFORE_SHIPMENT = gettext_noop("Refunded before shipment")
FULLY_REFUNDED = gettext_noop("Fully refunded")
REFUNDED_IN_FULL = gettext_noop("Refunded in full")
PARCEL_LOST_REFUNDED = gettext_noop("Parcel lost: refunded")

# Timeline notes of the automatic receipt held and resumed around a lost parcel.
AUTO_CONFIRM_HELD = gettext_noop("Parcel lost: automatic receipt on hold")
AUTO_CONFIRM_RESUMED = gettext_noop("Automatic receipt resumed")


def as_read(note: str) -> str:
    """A stored close reason or timeline note in the active language (one of this module's
    texts is translated; anything else, typed by a person, is returned as written)."""
    if not note:
        return note or ""
    return gettext(note)


def transition_refused(*, action: str, status_label: str) -> str:
    """Why a transition is not allowed: "Cannot ship while closed."."""
    return f"Cannot {action.replace('_', ' ')} while {status_label.lower()}."
