"""What orders writes in words: the close reasons and timeline notes stored on orders and
sub-orders, and the message of a refused transition.

Stored notes stay in English as written (docs/i18n.md: the timeline shows them as stored); they
live here so the services say what happened by name and the wording is read in one place.
"""

# Close reasons of an order closed unpaid.
CANCELLED_BY_SHOPPER = "Cancelled by shopper"
CANCELLED_BY_OPERATIONS = "Cancelled by operations"
NOT_PAID_IN_TIME = "Not paid in time"
PAYMENT_FAILED = "Payment failed"

# Timeline notes of an order going ahead.
PAYMENT_RECEIVED = "Payment received"
COD_CONFIRMED = "Cash on delivery confirmed"

# Timeline notes of a sub-order's receipt and completion.
RECEIPT_CONFIRMED = "Receipt confirmed"
RECEIPT_CONFIRMED_AUTOMATICALLY = "Receipt confirmed automatically"
TRADE_COMPLETED = "Trade completed"

# Default close reasons of a sub-order, when the caller gives none.
PARCEL_REFUSED = "Parcel refused"
OUT_OF_STOCK = "Out of stock"
REFUNDED_BEFORE_SHIPMENT = "Refunded before shipment"
FULLY_REFUNDED = "Fully refunded"
REFUNDED_IN_FULL = "Refunded in full"
PARCEL_LOST_REFUNDED = "Parcel lost: refunded"

# Timeline notes of the automatic receipt held and resumed around a lost parcel.
AUTO_CONFIRM_HELD = "Parcel lost: automatic receipt on hold"
AUTO_CONFIRM_RESUMED = "Automatic receipt resumed"


def transition_refused(*, action: str, status_label: str) -> str:
    """Why a transition is not allowed: "Cannot ship while closed."."""
    return f"Cannot {action.replace('_', ' ')} while {status_label.lower()}."
