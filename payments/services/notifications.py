"""A gateway's asynchronous notification: checked, logged, applied once."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from catalog.actors import Actor
from orders import services as order_services
from orders.models import Order
from shop.errors import NotFound
from shop.money import to_money

from ..configured_gateways import GATEWAY_NAMES, get_gateway
from ..events import payment_failed_emit, payment_succeeded_emit
from ..gateways.base import SUCCESS, Acknowledgement, InvalidNotification
from ..lock_objects import lock_order_and_payment
from ..models import Payment, PaymentNotification
from ..notify_request import body_text, kept_headers, logged_body, storable
from .history import payment_event_record
from .refunds import refund_create_on_locked

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotificationResult:
    ok: bool
    outcome: str
    acknowledgement: Acknowledgement
    payment_no: str = ""


def _log_notification(*, gateway, text, headers, outcome, payment=None, verified=None, detail=""):
    return PaymentNotification.objects.create(
        gateway=gateway,
        payment=payment,
        notify_id=(verified.notify_id if verified else "")[:128],
        trade_no=(verified.trade_no if verified else "")[:64],
        kind=(verified.status if verified else ""),
        body=logged_body(text),
        headers=headers,
        signature_valid=verified is not None,
        outcome=outcome,
        detail=storable(detail[:255]),
    )


@transaction.atomic
def payment_handle_notification(
    *, gateway: str, body: bytes, headers, actor: Actor
) -> NotificationResult:
    """Check, record and apply a gateway's asynchronous notification (`actor`: SYSTEM, the
    gateway speaking).

    Accepted only when the signature verifies, the payment_no is ours and the amount is the
    payment's; otherwise it is logged and rejected and nothing else changes. Idempotent on the
    gateway's trade number: a replay answers success and changes nothing.
    """
    if gateway not in GATEWAY_NAMES:
        raise NotFound("Unknown payment gateway.")
    adapter = get_gateway(gateway)
    text = body_text(body)
    logged_headers = kept_headers(headers)

    def reject(outcome, detail, *, payment=None, verified=None):
        logger.warning("payment notification rejected (%s, %s): %s", gateway, outcome, detail)
        _log_notification(
            gateway=gateway,
            text=text,
            headers=logged_headers,
            outcome=outcome,
            payment=payment,
            verified=verified,
            detail=detail,
        )
        return NotificationResult(False, outcome, adapter.acknowledge(False, detail))

    try:
        verified = adapter.verify_notification(body=body, headers=headers)
    except InvalidNotification as exc:
        outcome = (
            PaymentNotification.Outcome.BAD_SIGNATURE
            if exc.code == "bad_signature"
            else PaymentNotification.Outcome.INVALID
        )
        return reject(outcome, str(exc))

    found = (
        Payment.objects.filter(payment_no=verified.payment_no, method=gateway)
        .values_list("pk", "order_id")
        .first()
    )
    if found is None:
        return reject(
            PaymentNotification.Outcome.UNKNOWN_PAYMENT,
            f"no {gateway} payment {verified.payment_no}",
            verified=verified,
        )
    order, payment = lock_order_and_payment(payment_id=found[0], order_id=found[1])
    if to_money(verified.amount) != payment.amount:
        return reject(
            PaymentNotification.Outcome.AMOUNT_MISMATCH,
            f"notified {verified.amount}, payment is {payment.amount}",
            payment=payment,
            verified=verified,
        )

    def accept(outcome, detail=""):
        _log_notification(
            gateway=gateway,
            text=text,
            headers=logged_headers,
            outcome=outcome,
            payment=payment,
            verified=verified,
            detail=detail,
        )
        return NotificationResult(True, outcome, adapter.acknowledge(True), payment.payment_no)

    if verified.status == SUCCESS:
        if payment.status == Payment.Status.SUCCEEDED:
            if payment.gateway_trade_no != verified.trade_no:
                return reject(
                    PaymentNotification.Outcome.INVALID,
                    f"payment already paid by trade {payment.gateway_trade_no}",
                    payment=payment,
                    verified=verified,
                )
            return accept(PaymentNotification.Outcome.DUPLICATE)
        return _apply_success(
            payment=payment, order=order, trade_no=verified.trade_no, actor=actor, accept=accept
        )

    # A failure report.
    if payment.status != Payment.Status.CREATED:
        return accept(PaymentNotification.Outcome.DUPLICATE, f"payment is {payment.status}")
    from_state = payment.status
    payment.fail(reason="The payment did not go through", trade_no=verified.trade_no)
    payment.save(update_fields=["status", "failure_reason", "gateway_trade_no", "updated_at"])
    payment_event_record(
        payment=payment,
        actor=actor,
        what="fail",
        from_state=from_state,
        note=payment.failure_reason,
    )
    # One failed attempt does not close the order: it stays awaiting payment, with its stock
    # held, until its deadline; the shopper pays again or another way (or cancels).
    payment_failed_emit(payment=payment, order=order)
    return accept(PaymentNotification.Outcome.FAILED)


def _apply_success(
    *, payment: Payment, order: Order, trade_no: str, actor: Actor, accept
) -> NotificationResult:
    now = timezone.now()
    from_state = payment.status
    already_paid_by_other = Payment.objects.filter(
        order=order, status=Payment.Status.SUCCEEDED, orphaned=False
    ).exists()
    if order.status == Order.Status.PENDING_PAYMENT and not already_paid_by_other:
        payment.succeed(trade_no=trade_no, paid_at=now)
        payment.save(
            update_fields=["status", "gateway_trade_no", "paid_at", "orphaned", "updated_at"]
        )
        payment_event_record(payment=payment, actor=actor, what="succeed", from_state=from_state)
        # The order shows how it was actually paid, not the method first chosen at checkout.
        order_services.order_pay_succeeded(
            order_id=order.pk, paid_at=now, method=payment.method, actor=actor
        )
        payment_succeeded_emit(payment=payment, order=order)
        return accept(PaymentNotification.Outcome.PAID)
    # The money arrived but the order is closed (cancelled, expired, failed) or already paid by
    # another payment: keep the record, and give the money back in full.
    reason = (
        "Order was already paid by another payment"
        if already_paid_by_other or order.status == Order.Status.PAID
        else f"Order was {order.get_status_display().lower()} before the payment arrived"
    )
    payment.succeed(trade_no=trade_no, paid_at=now, orphaned=True)
    payment.save(update_fields=["status", "gateway_trade_no", "paid_at", "orphaned", "updated_at"])
    payment_event_record(
        payment=payment,
        actor=actor,
        what="succeed",
        from_state=from_state,
        note=f"Orphaned, refunded in full: {reason}",
    )
    payment_succeeded_emit(payment=payment, order=order)
    refund_create_on_locked(
        payment=payment,
        order=order,
        amount=payment.amount,
        reason=reason,
        idempotency_key="auto:orphaned",
        actor=actor,
    )
    return accept(PaymentNotification.Outcome.ORPHANED, reason)
