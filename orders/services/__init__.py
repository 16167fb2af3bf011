"""The only code that changes orders: creation, payment outcomes, the split into sub-orders and
every sub-order transition of DESIGN.md "Order lifecycle", one module per use case.

Each service opens a transaction, locks the rows it changes through orders.lock_objects (the
parent order before its sub-orders, lines by pk), checks the transition, saves with
`update_fields`, writes one OrderEvent and emits one DomainEvent per transition (orders.events).
A call that finds the row already in the target state returns it unchanged; any other state
raises TransitionNotAllowed (409). Every service that records a transition takes the Actor who
acts (catalog.actors: the shopper, a merchant's staff, operations, or SYSTEM for timers,
gateways and couriers).

This package's public surface is what it imports below: other apps and the edges of orders
call `orders.services.<name>`; the modules are the package's own layout.
"""

from .aftersales_hooks import order_line_record_refund, sub_order_set_aftersales_open
from .checkout import order_create, order_place, order_preview
from .closing import (
    sub_order_close_after_refund,
    sub_order_close_out_of_stock,
    sub_order_close_refunded,
    sub_order_refund_all,
    sub_order_refuse,
)
from .fulfilment import (
    order_confirm_receipt,
    sub_order_complete,
    sub_order_confirm_receipt,
    sub_order_deliver,
    sub_order_ship,
)
from .idempotency import IdempotencyKeyReused
from .lost_parcels import (
    sub_order_close_lost,
    sub_order_hold_auto_confirm,
    sub_order_resume_auto_confirm,
)
from .payment import order_cod_confirm, order_pay_succeeded
from .unpaid import order_cancel, order_expire, order_pay_failed

__all__ = [
    "IdempotencyKeyReused",
    "order_cancel",
    "order_cod_confirm",
    "order_confirm_receipt",
    "order_create",
    "order_expire",
    "order_line_record_refund",
    "order_pay_failed",
    "order_pay_succeeded",
    "order_place",
    "order_preview",
    "sub_order_close_after_refund",
    "sub_order_close_lost",
    "sub_order_close_out_of_stock",
    "sub_order_close_refunded",
    "sub_order_complete",
    "sub_order_confirm_receipt",
    "sub_order_deliver",
    "sub_order_hold_auto_confirm",
    "sub_order_refund_all",
    "sub_order_refuse",
    "sub_order_resume_auto_confirm",
    "sub_order_set_aftersales_open",
    "sub_order_ship",
]
