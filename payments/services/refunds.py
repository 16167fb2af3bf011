"""Refunds: asked for (by after-sales, by an orphaned payment), attempted at the gateway until it
confirms, retried by operations, or paid out by hand for cash on delivery."""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django_fsm import can_proceed

from catalog.actors import Actor
from orders import services as order_services
from orders.lock_objects import lock_order
from orders.models import Order, OrderLine
from shop.celery import send_after_commit
from shop.errors import Conflict, InvalidInput, NotFound
from shop.ids import new_business_number
from shop.money import ZERO, to_money

from ..configured_gateways import get_gateway
from ..events import refund_failed_emit, refund_succeeded_emit
from ..gateways.base import GatewayError, RefundResult
from ..lock_objects import lock_payment, lock_refund
from ..models import Method, Payment, Refund
from .history import payment_event_record

logger = logging.getLogger(__name__)

# An attempt still "processing" this long after it started: its worker died mid-call.
REFUND_STALE_AFTER = timedelta(minutes=10)


def refund_max_attempts() -> int:
    return settings.PAYMENT_REFUND_MAX_ATTEMPTS


def refund_backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failed attempt, at most an hour."""
    base = settings.PAYMENT_REFUND_BACKOFF_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _record(refund: Refund, *, actor: Actor, what: str, from_state: str, note: str = "") -> None:
    payment_event_record(
        payment=refund.payment,
        refund=refund,
        actor=actor,
        what=what,
        from_state=from_state,
        note=note,
    )


def refund_create_on_locked(
    *,
    payment: Payment,
    order: Order,
    amount: Decimal,
    reason: str,
    actor: Actor,
    order_line: OrderLine | None = None,
    quantity: int = 0,
    idempotency_key: str = "",
) -> Refund:
    """Create a refund on a locked payment; the caller holds the order and payment locks."""
    if idempotency_key:
        existing = Refund.objects.filter(payment=payment, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if payment.status != Payment.Status.SUCCEEDED:
        raise Conflict("Nothing has been paid on this payment yet.", code="not_paid")
    already = payment.refunds.aggregate(s=Sum("amount"))["s"] or ZERO
    if already + amount > payment.amount:
        raise Conflict(
            f"Refund would exceed what was paid ({payment.amount}, {already} already refunded).",
            code="refund_exceeds_paid",
            extra={"refundable": str(payment.amount - already)},
        )
    if order_line is not None:
        order_services.order_line_record_refund(
            line_id=order_line.pk, amount=amount, quantity=quantity
        )
    refund = Refund.objects.create(
        refund_no=new_business_number("R"),
        payment=payment,
        order_line=order_line,
        amount=amount,
        quantity=quantity,
        reason=(reason or "Refund")[:255],
        idempotency_key=idempotency_key,
        next_attempt_at=timezone.now(),
        requested_by=actor.user,
    )
    _record(refund, actor=actor, what="requested", from_state="", note=refund.reason)
    if payment.method == Method.COD:
        # No gateway can send cash back and there is no account balance: operations pay it
        # out by hand and record it (refund_record_manual_payout).
        _await_manual_payout(refund, actor=actor)
        return refund
    _enqueue_refund(refund.pk)
    return refund


def _await_manual_payout(refund: Refund, *, actor: Actor) -> None:
    from_state = refund.status
    refund.await_manual_payout()
    refund.save(update_fields=["status", "manual_payout", "next_attempt_at", "last_error"])
    _record(refund, actor=actor, what="await_manual_payout", from_state=from_state)


def _enqueue_refund(refund_id: int) -> None:
    # payments.tasks calls these services: imported here, when a refund is queued, not at load.
    from ..tasks import execute_refund

    send_after_commit(execute_refund, refund_id, swept_by="sweep_pending_refunds")


@transaction.atomic
def payment_refund(
    *,
    amount: Decimal,
    reason: str,
    actor: Actor,
    order_line_id: int | None = None,
    payment: Payment | None = None,
    quantity: int = 0,
    idempotency_key: str = "",
) -> Refund:
    """Give money back through the gateway the shopper paid with.

    With `order_line_id`, never more than the line's paid share minus what it already had
    refunded (recorded on the line by orders.services); always never more than the payment
    minus its refunds. Checked under the order and payment row locks. The same
    `idempotency_key` again returns the same refund. Executed by a Celery task, retried with
    backoff until the gateway confirms.
    """
    if isinstance(amount, float):
        raise InvalidInput("Refund amount must be a decimal.", code="invalid_amount")
    amount = to_money(amount)
    if amount <= 0:
        raise InvalidInput("Refund amount must be more than zero.", code="invalid_amount")
    line = None
    if order_line_id is not None:
        line = OrderLine.objects.filter(pk=order_line_id).first()
        if line is None:
            raise NotFound("Order line not found.")
        order_id = line.order_id
    elif payment is not None:
        order_id = payment.order_id
    else:
        raise InvalidInput("Say what to refund: an order line or a payment.", code="invalid")
    order = lock_order(pk=order_id)
    if payment is None:
        payment_id = (
            Payment.objects.filter(order=order, status=Payment.Status.SUCCEEDED, orphaned=False)
            .values_list("pk", flat=True)
            .first()
        )
        if payment_id is None:
            raise Conflict("Nothing has been paid for this order yet.", code="not_paid")
    else:
        payment_id = payment.pk
    return refund_create_on_locked(
        payment=lock_payment(payment_id),
        order=order,
        amount=amount,
        reason=reason,
        order_line=line,
        quantity=quantity,
        idempotency_key=idempotency_key,
        actor=actor,
    )


def _refund_through_gateway(refund: Refund) -> RefundResult:
    try:
        gateway = get_gateway(refund.payment.method)
        if refund.gateway_refund_id:
            # The gateway accepted it already and was still processing: ask where it got to.
            return gateway.query_refund(refund)
        return gateway.refund(refund)
    except GatewayError as exc:
        return RefundResult(ok=False, error=str(exc))
    except Exception as exc:  # a gateway library or network failure: retried like a refusal
        logger.exception("refund %s: gateway call failed", refund.refund_no)
        return RefundResult(ok=False, error=f"{type(exc).__name__}: {exc}")


def refund_execute(*, refund_id: int, actor: Actor) -> Refund:
    """One attempt at a refund (`actor`: SYSTEM, the task or the sweep). Returns the refund:
    succeeded, pending (to retry at next_attempt_at), processing (accepted by the gateway,
    queried again at next_attempt_at by the sweep) or failed (attempts exhausted or the gateway
    ended it: ops act from the admin). No lock is held while the gateway is called."""
    with transaction.atomic():
        refund = lock_refund(refund_id)
        if refund is None:
            raise NotFound("Refund not found.")
        if refund.status in (Refund.Status.SUCCEEDED, Refund.Status.FAILED):
            return refund
        if refund.payment.method == Method.COD:
            # Never "succeeded" by itself: it waits for operations' manual payout.
            if not refund.awaiting_manual_payout:
                _await_manual_payout(refund, actor=actor)
            return refund
        from_state = refund.status
        refund.start_attempt(at=timezone.now(), stale_after=REFUND_STALE_AFTER)
        refund.save(update_fields=["status", "attempts", "next_attempt_at"])
        _record(
            refund,
            actor=actor,
            what="start_attempt",
            from_state=from_state,
            note=f"attempt {refund.attempts}",
        )
    # The gateway is idempotent on refund_no: a repeated attempt cannot pay out twice.
    result = _refund_through_gateway(refund)
    with transaction.atomic():
        refund = lock_refund(refund_id, related=("payment", "payment__order"))
        if refund.status != Refund.Status.PROCESSING:
            return refund
        _apply_gateway_answer(refund, result=result, actor=actor)
        return refund


def _apply_gateway_answer(refund: Refund, *, result: RefundResult, actor: Actor) -> None:
    order = refund.payment.order
    from_state = refund.status
    if result.ok:
        refund.succeed(at=timezone.now(), gateway_refund_id=result.gateway_refund_id[:64])
        refund.save(
            update_fields=[
                "status",
                "succeeded_at",
                "gateway_refund_id",
                "last_error",
                "next_attempt_at",
            ]
        )
        _record(refund, actor=actor, what="succeed", from_state=from_state)
        refund_succeeded_emit(refund=refund, order=order)
    elif result.pending:
        refund.await_gateway(
            gateway_refund_id=result.gateway_refund_id[:64],
            check_at=timezone.now() + refund_backoff(refund.attempts),
            note=result.error or "processing at the gateway",
        )
        refund.save(update_fields=["status", "gateway_refund_id", "last_error", "next_attempt_at"])
    elif result.final or refund.attempts >= refund_max_attempts():
        refund.give_up(error=result.error or "refused")
        refund.save(update_fields=["status", "last_error", "next_attempt_at"])
        _record(refund, actor=actor, what="give_up", from_state=from_state, note=refund.last_error)
        logger.error(
            "refund %s failed after %s attempts: %s",
            refund.refund_no,
            refund.attempts,
            result.error,
        )
        refund_failed_emit(refund=refund, order=order)
    else:
        refund.attempt_failed(
            error=result.error or "refused",
            retry_at=timezone.now() + refund_backoff(refund.attempts),
        )
        refund.save(update_fields=["status", "last_error", "next_attempt_at"])
        _record(
            refund,
            actor=actor,
            what="attempt_failed",
            from_state=from_state,
            note=refund.last_error,
        )


@transaction.atomic
def refund_record_manual_payout(*, refund_id: int, reference: str, actor: Actor) -> Refund:
    """Operations paid a cash-on-delivery refund out by hand (bank or wallet transfer): record
    the transfer's reference and mark the refund succeeded. Idempotent: a refund already paid
    out is returned as it is."""
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(
            "Enter the payout reference (the bank or transfer number).", code="invalid_reference"
        )
    if len(reference) > 60:
        raise InvalidInput("The payout reference is at most 60 characters.", code="invalid")
    refund = lock_refund(refund_id, related=("payment", "payment__order"))
    if refund is None:
        raise NotFound("Refund not found.")
    if refund.status == Refund.Status.SUCCEEDED:
        return refund
    if not refund.awaiting_manual_payout:
        raise Conflict(
            f"Refund {refund.refund_no} is not waiting for a manual payout.",
            code="not_manual_payout",
        )
    from_state = refund.status
    refund.record_manual_payout(at=timezone.now(), reference=reference, paid_out_by=actor.user)
    refund.save(
        update_fields=[
            "status",
            "succeeded_at",
            "payout_reference",
            "gateway_refund_id",
            "paid_out_by",
            "last_error",
        ]
    )
    _record(refund, actor=actor, what="record_manual_payout", from_state=from_state, note=reference)
    refund_succeeded_emit(refund=refund, order=refund.payment.order)
    return refund


@transaction.atomic
def refund_retry(*, refund_id: int, actor: Actor) -> Refund:
    """Operations try a failed refund again (from the admin)."""
    refund = lock_refund(refund_id)
    if refund is None:
        raise NotFound("Refund not found.")
    if refund.status == Refund.Status.SUCCEEDED:
        return refund
    if can_proceed(refund.retry):
        from_state = refund.status
        refund.retry(at=timezone.now())
        refund.save(update_fields=["status", "next_attempt_at", "attempts"])
        _record(refund, actor=actor, what="retry", from_state=from_state)
    _enqueue_refund(refund.pk)
    return refund
