"""The domain events payments emits (shop.events), typed: each carries the facts a listener
needs, so no listener re-reads payments' tables to learn them (notifications tells the shopper
of money for a closed order from `PaymentSucceeded.orphaned`).

`data` keeps the template variables of the push rules (numbers, amounts as strings, the
storefront path), as every module's events do.
"""

from dataclasses import dataclass
from decimal import Decimal

from orders.events import order_path
from orders.models import Order
from shop import events as nodes
from shop.events import DomainEvent, emit
from shop.money import ZERO

from .models import Payment, Refund


@dataclass(frozen=True, kw_only=True)
class PaymentSucceeded(DomainEvent):
    """Money arrived. `orphaned`: for an order that could no longer take it (cancelled,
    expired, or paid by another payment), kept and refunded in full at once."""

    node: str = nodes.PAYMENT_SUCCEEDED
    subject_type: str = "payment"
    orphaned: bool = False
    method: str = ""
    amount: Decimal = ZERO


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(DomainEvent):
    """The gateway reported an attempt that did not go through (the order stays payable)."""

    node: str = nodes.PAYMENT_FAILED
    subject_type: str = "payment"
    method: str = ""
    amount: Decimal = ZERO


@dataclass(frozen=True, kw_only=True)
class RefundSucceeded(DomainEvent):
    """The money is back with the shopper (the gateway confirmed, or operations paid it out)."""

    node: str = nodes.REFUND_SUCCEEDED
    subject_type: str = "refund"
    amount: Decimal = ZERO
    manual_payout: bool = False
    idempotency_key: str = ""


@dataclass(frozen=True, kw_only=True)
class RefundFailed(DomainEvent):
    """The gateway ended the refund or its attempts ran out: operations act from the admin."""

    node: str = nodes.REFUND_FAILED
    subject_type: str = "refund"
    amount: Decimal = ZERO
    idempotency_key: str = ""


def _payment_data(payment: Payment, order: Order) -> dict:
    return {
        "payment_no": payment.payment_no,
        "order_no": order.order_no,
        "amount": str(payment.amount),
        "method": payment.get_method_display(),
        "path": order_path(order),
    }


def _refund_data(refund: Refund, order: Order) -> dict:
    return {
        "refund_no": refund.refund_no,
        "payment_no": refund.payment.payment_no,
        "order_no": order.order_no,
        "amount": str(refund.amount),
        "reason": refund.reason,
        "key": refund.idempotency_key,
        "path": order_path(order),
    }


def payment_succeeded_emit(*, payment: Payment, order: Order) -> None:
    emit(
        PaymentSucceeded(
            subject_id=payment.pk,
            shopper_id=order.user_id,
            orphaned=payment.orphaned,
            method=payment.method,
            amount=payment.amount,
            data=_payment_data(payment, order),
        )
    )


def payment_failed_emit(*, payment: Payment, order: Order) -> None:
    emit(
        PaymentFailed(
            subject_id=payment.pk,
            shopper_id=order.user_id,
            method=payment.method,
            amount=payment.amount,
            data=_payment_data(payment, order),
        )
    )


def refund_succeeded_emit(*, refund: Refund, order: Order) -> None:
    emit(
        RefundSucceeded(
            subject_id=refund.pk,
            shopper_id=order.user_id,
            amount=refund.amount,
            manual_payout=refund.manual_payout,
            idempotency_key=refund.idempotency_key,
            data=_refund_data(refund, order),
        )
    )


def refund_failed_emit(*, refund: Refund, order: Order) -> None:
    emit(
        RefundFailed(
            subject_id=refund.pk,
            shopper_id=order.user_id,
            amount=refund.amount,
            idempotency_key=refund.idempotency_key,
            data=_refund_data(refund, order),
        )
    )
