"""The only code that changes payments, refunds and their logs, one module per use case:

- start: the shopper starts paying (a method, where to pay, the sandbox cashier's buttons);
  open payments close with their order
- notifications: a gateway's asynchronous notification, checked, logged and applied once
- refunds: asked for, attempted at the gateway until it confirms, retried by operations, paid
  out by hand (cash on delivery)
- cod: cash collected at the door
- reconciliation: a day's payments and refunds against the gateways' records

Lock order, everywhere: the parent order (orders.lock_objects), then its payment(s), then order
lines (through orders.services), the same order orders uses, so concurrent notifications,
refunds and expiry never deadlock; payments' own locks are payments.lock_objects. Gateways are
called outside row locks when they may do network I/O. Every service that writes takes the
Actor who acts (SYSTEM for gateways, sweeps and tasks) and every change of a payment's or a
refund's state writes one PaymentEvent (history) and, where others must know, one typed domain
event (payments.events).

This package's public surface is what it imports below: other apps and the edges of payments
call `payments.services.<name>`; the modules are the package's own layout.
"""

from .cod import cod_collect, cod_settle_after_sub_order_closed
from .notifications import NotificationResult, payment_handle_notification
from .reconciliation import reconcile_payments
from .refunds import (
    payment_refund,
    refund_execute,
    refund_record_manual_payout,
    refund_retry,
)
from .start import (
    ORDER_CLOSED_REASONS,
    payment_cancel_at_cashier,
    payment_close_open_for_order,
    payment_pay_request,
    payment_sandbox_settle,
    payment_start,
)

__all__ = [
    "ORDER_CLOSED_REASONS",
    "NotificationResult",
    "cod_collect",
    "cod_settle_after_sub_order_closed",
    "payment_cancel_at_cashier",
    "payment_close_open_for_order",
    "payment_handle_notification",
    "payment_pay_request",
    "payment_refund",
    "payment_sandbox_settle",
    "payment_start",
    "reconcile_payments",
    "refund_execute",
    "refund_record_manual_payout",
    "refund_retry",
]
