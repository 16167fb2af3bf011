"""Payments services: the only place that changes payments, refunds and their logs.

Lock order, everywhere: the parent order, then its payment(s), then order lines (through
orders.services) — the same order orders.services uses, so concurrent notifications, refunds
and expiry never deadlock. Gateways are called outside row locks when they may do network I/O.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext
from django_fsm import can_proceed

from catalog.actors import SYSTEM, actor_for
from orders import services as order_services
from orders.events import order_path
from orders.models import Order, OrderLine, SubOrder
from orders.selectors import DISPLAY_STATUS_LABELS
from shop import events as nodes
from shop.celery import send_after_commit
from shop.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from shop.events import DomainEvent, emit
from shop.ids import new_business_number
from shop.money import ZERO, to_money

from .gateways import (
    GATEWAY_NAMES,
    SUCCESS,
    Acknowledgement,
    GatewayError,
    InvalidNotification,
    PayRequest,
    RefundResult,
    get_gateway,
)
from .models import (
    CodCollection,
    Method,
    Payment,
    PaymentNotification,
    ReconciliationMismatch,
    ReconciliationRun,
    Refund,
)

logger = logging.getLogger(__name__)

MAX_LOGGED_BODY = 20_000


def refund_max_attempts() -> int:
    return settings.PAYMENT_REFUND_MAX_ATTEMPTS


def refund_backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failed attempt, at most an hour."""
    base = settings.PAYMENT_REFUND_BACKOFF_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


REFUND_STALE_AFTER = timedelta(minutes=10)


# --- locks and events --------------------------------------------------------------------------


def _lock_order(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def _lock_payment(payment_id: int) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment_id)


def _emit_payment(node: str, payment: Payment, order: Order) -> None:
    emit(
        DomainEvent(
            node=node,
            subject_type="payment",
            subject_id=payment.pk,
            shopper_id=order.user_id,
            data={
                "payment_no": payment.payment_no,
                "order_no": order.order_no,
                "amount": str(payment.amount),
                "method": payment.get_method_display(),
                "path": order_path(order),
            },
        )
    )


def _emit_refund(node: str, refund: Refund, order: Order) -> None:
    emit(
        DomainEvent(
            node=node,
            subject_type="refund",
            subject_id=refund.pk,
            shopper_id=order.user_id,
            data={
                "refund_no": refund.refund_no,
                "payment_no": refund.payment.payment_no,
                "order_no": order.order_no,
                "amount": str(refund.amount),
                "reason": refund.reason,
                "key": refund.idempotency_key,
                "path": order_path(order),
            },
        )
    )


# --- starting a payment ------------------------------------------------------------------------


@transaction.atomic
def payment_start(*, order_no: str, user, method: str) -> Payment:
    """The shopper chose how to pay. Online methods get an open payment (the same one again if
    they come back); cash on delivery confirms the order at once (collected at the door)."""
    if method not in Method.values:
        raise InvalidInput("Choose Alipay, WeChat Pay or cash on delivery.", code="invalid_method")
    if not getattr(user, "pk", None):
        raise NotFound("Order not found.")
    order_id = (
        Order.objects.filter(order_no=order_no, user_id=user.pk)
        .values_list("pk", flat=True)
        .first()
    )
    if order_id is None:
        raise NotFound("Order not found.")
    order = _lock_order(order_id)
    if order.status == Order.Status.PAID:
        raise Conflict("This order is already paid.", code="already_paid")
    if order.status != Order.Status.PENDING_PAYMENT:
        raise TransitionNotAllowed(
            f"This order can no longer be paid: it is {order.get_status_display().lower()}.",
            extra={"status": order.status},
        )
    if order.payment_due_at <= timezone.now():
        raise Conflict("The time to pay this order has run out.", code="payment_expired")

    open_payments = list(
        Payment.objects.select_for_update()
        .filter(order=order, status=Payment.Status.CREATED)
        .order_by("pk")
    )
    reusable = next(
        (p for p in open_payments if p.method == method and p.amount == order.payable_amount),
        None,
    )
    for other in open_payments:
        if other is not reusable:
            # A gateway may still report money for it later: that is accepted (and refunded
            # if the order was paid meanwhile), the shopper just cannot start it again.
            other.close(reason=f"Shopper switched to {Method(method).label}")
            other.save(update_fields=["status", "failure_reason", "updated_at"])
    if reusable is not None:
        return reusable
    payment = Payment.objects.create(
        payment_no=new_business_number("P"),
        order=order,
        method=method,
        amount=order.payable_amount,
    )
    if method == Method.COD:
        order_services.order_cod_confirm(order_no=order.order_no, actor=actor_for(user))
    return payment


def payment_pay_request(*, payment: Payment) -> PayRequest:
    """Where the shopper goes to pay (the cashier, Alipay's page, a WeChat QR code)."""
    if payment.method == Method.COD:
        raise Conflict("Cash on delivery is paid at the door.", code="cash_on_delivery")
    if payment.status != Payment.Status.CREATED:
        raise Conflict("This payment is no longer open.", code="payment_not_open")
    try:
        request = get_gateway(payment.method).create_payment(payment)
    except GatewayError as exc:
        logger.warning("gateway refused payment %s: %s", payment.payment_no, exc)
        raise Conflict(
            "The payment service is not available right now. Please try again.",
            code="gateway_unavailable",
        ) from exc
    code_url = str(request.params.get("code_url", ""))[:255]
    if code_url and code_url != payment.code_url:
        # Shown as a QR code by the result page; only while the payment is still open.
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.CREATED).update(
            code_url=code_url, updated_at=timezone.now()
        )
        payment.code_url = code_url
    return request


# Why an order's open payments were closed, by the order's domain event.
ORDER_CLOSED_REASONS = {
    nodes.ORDER_CANCELLED: "Order cancelled",
    nodes.ORDER_EXPIRED: "Order not paid in time",
    nodes.ORDER_PAYMENT_FAILED: "Order payment failed",
}


@transaction.atomic
def payment_close_open_for_order(*, order_id: int, reason: str) -> list[Payment]:
    """The order closed unpaid (cancelled, expired, payment failed): its open payments close
    with it, so the cashier refuses them and the result page stops waiting. Called from the
    order's domain event, inside the order's transaction (the order row is already locked, so
    the lock order order -> payments holds). Money a gateway reports later for a closed payment
    is still accepted and refunded in full (see _apply_success)."""
    closed = list(
        Payment.objects.select_for_update()
        .filter(order_id=order_id, status=Payment.Status.CREATED)
        .exclude(method=Method.COD)
        .order_by("pk")
    )
    for payment in closed:
        payment.close(reason=reason)
        payment.save(update_fields=["status", "failure_reason", "updated_at"])
    return closed


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


def _lock_shoppers_payment(*, payment_no: str, user) -> tuple[Order, Payment]:
    """The shopper's own payment and its order, locked in the one lock order (order, then
    payment); another shopper's payment is not found."""
    found = (
        Payment.objects.filter(payment_no=payment_no, order__user_id=getattr(user, "pk", None))
        .values_list("pk", "order_id")
        .first()
    )
    if found is None:
        raise NotFound("Payment not found.")
    return _lock_order(found[1]), _lock_payment(found[0])


@transaction.atomic
def payment_sandbox_settle(*, payment_no: str, user, paid: bool) -> Payment:
    """The shopper pressed Pay (or Fail) on the sandbox cashier. Like a real gateway after the
    trade's time_expire or a close, the sandbox takes no money for a payment that is closed,
    whose order is closed or whose time to pay has run out. Checked under the order and payment
    locks, so a cancel or expiry racing the Pay button either wins (nothing is taken) or waits."""
    from .sandbox.server import sandbox_settle

    order, payment = _lock_shoppers_payment(payment_no=payment_no, user=user)
    if payment.status != Payment.Status.CREATED or order.status != Order.Status.PENDING_PAYMENT:
        raise Conflict(payment_not_open_message(payment, order), code="payment_not_open")
    if paid and order.payment_due_at <= timezone.now():
        raise Conflict(
            "The time to pay this order has run out. No money was taken.",
            code="payment_expired",
        )
    sandbox_settle(
        gateway=payment.method, payment_no=payment.payment_no, amount=payment.amount, paid=paid
    )
    return payment


@transaction.atomic
def payment_cancel_at_cashier(*, payment_no: str, user) -> Payment:
    """The shopper pressed Cancel at the cashier: this attempt is closed, nothing was taken, and
    the order stays awaiting payment until its deadline (pay again, or another way)."""
    order, payment = _lock_shoppers_payment(payment_no=payment_no, user=user)
    if payment.status != Payment.Status.CREATED:
        raise Conflict(payment_not_open_message(payment, order), code="payment_not_open")
    payment.close(reason="Cancelled at the cashier")
    payment.save(update_fields=["status", "failure_reason", "updated_at"])
    return payment


# --- asynchronous notifications ------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationResult:
    ok: bool
    outcome: str
    acknowledgement: Acknowledgement
    payment_no: str = ""


def _storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL; anyone can post one to the notify URL."""
    return text.replace("\x00", "\ufffd")


def _log_notification(*, gateway, body, headers, outcome, payment=None, verified=None, detail=""):
    return PaymentNotification.objects.create(
        gateway=gateway,
        payment=payment,
        notify_id=(verified.notify_id if verified else "")[:128],
        trade_no=(verified.trade_no if verified else "")[:64],
        kind=(verified.status if verified else ""),
        body=_storable(body[:MAX_LOGGED_BODY]),
        headers={_storable(k): _storable(v) for k, v in headers.items()},
        signature_valid=verified is not None,
        outcome=outcome,
        detail=_storable(detail[:255]),
    )


def _interesting_headers(headers) -> dict:
    return {
        k: v for k, v in dict(headers).items() if k.lower().startswith(("wechatpay-", "content-"))
    }


@transaction.atomic
def payment_handle_notification(*, gateway: str, body: bytes, headers) -> NotificationResult:
    """Check, record and apply a gateway's asynchronous notification.

    Accepted only when the signature verifies, the payment_no is ours and the amount is the
    payment's; otherwise it is logged and rejected and nothing else changes. Idempotent on the
    gateway's trade number: a replay answers success and changes nothing.
    """
    if gateway not in GATEWAY_NAMES:
        raise NotFound("Unknown payment gateway.")
    adapter = get_gateway(gateway)
    text = body.decode("utf-8", errors="replace")
    kept_headers = _interesting_headers(headers)

    def reject(outcome, detail, *, payment=None, verified=None):
        logger.warning("payment notification rejected (%s, %s): %s", gateway, outcome, detail)
        _log_notification(
            gateway=gateway,
            body=text,
            headers=kept_headers,
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
    order = _lock_order(found[1])
    payment = _lock_payment(found[0])
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
            body=text,
            headers=kept_headers,
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
            payment=payment, order=order, trade_no=verified.trade_no, accept=accept
        )

    # A failure report.
    if payment.status != Payment.Status.CREATED:
        return accept(PaymentNotification.Outcome.DUPLICATE, f"payment is {payment.status}")
    payment.fail(reason="The payment did not go through", trade_no=verified.trade_no)
    payment.save(update_fields=["status", "failure_reason", "gateway_trade_no", "updated_at"])
    # One failed attempt does not close the order: it stays awaiting payment, with its stock
    # held, until its deadline; the shopper pays again or another way (or cancels).
    _emit_payment(nodes.PAYMENT_FAILED, payment, order)
    return accept(PaymentNotification.Outcome.FAILED)


def _apply_success(*, payment: Payment, order: Order, trade_no: str, accept) -> NotificationResult:
    now = timezone.now()
    already_paid_by_other = Payment.objects.filter(
        order=order, status=Payment.Status.SUCCEEDED, orphaned=False
    ).exists()
    if order.status == Order.Status.PENDING_PAYMENT and not already_paid_by_other:
        payment.succeed(trade_no=trade_no, paid_at=now)
        payment.save(
            update_fields=["status", "gateway_trade_no", "paid_at", "orphaned", "updated_at"]
        )
        # The order shows how it was actually paid, not the method first chosen at checkout.
        order_services.order_pay_succeeded(
            order_id=order.pk, paid_at=now, method=payment.method, actor=SYSTEM
        )
        _emit_payment(nodes.PAYMENT_SUCCEEDED, payment, order)
        return accept(PaymentNotification.Outcome.PAID)
    # The money arrived but the order is closed (cancelled, expired, failed) or already paid by
    # another payment: keep the record, and give the money back in full.
    payment.succeed(trade_no=trade_no, paid_at=now, orphaned=True)
    payment.save(update_fields=["status", "gateway_trade_no", "paid_at", "orphaned", "updated_at"])
    _emit_payment(nodes.PAYMENT_SUCCEEDED, payment, order)
    reason = (
        "Order was already paid by another payment"
        if already_paid_by_other or order.status == Order.Status.PAID
        else f"Order was {order.get_status_display().lower()} before the payment arrived"
    )
    _refund_create(
        payment=payment,
        order=order,
        amount=payment.amount,
        reason=reason,
        idempotency_key="auto:orphaned",
    )
    return accept(PaymentNotification.Outcome.ORPHANED, reason)


# --- cash on delivery ----------------------------------------------------------------------------


@transaction.atomic
def cod_collect(*, sub_order_id: int, actor=None) -> Payment:
    """The carrier collected the cash for a sub-order at the door. When every sub-order of the
    order is collected, the cash-on-delivery payment has succeeded. Idempotent per sub-order."""
    sub = SubOrder.objects.filter(pk=sub_order_id).values_list("order_id", "payable_amount").first()
    if sub is None:
        raise NotFound("Sub-order not found.")
    order = _lock_order(sub[0])
    if order.payment_method != Method.COD or order.status != Order.Status.PAID:
        raise Conflict("This order is not a confirmed cash-on-delivery order.", code="not_cod")
    payment_id = (
        Payment.objects.filter(order=order, method=Method.COD)
        .exclude(status=Payment.Status.CLOSED)
        .values_list("pk", flat=True)
        .first()
    )
    if payment_id is None:
        # Confirmed at checkout by orders (which does not know payments): the record of the
        # cash to collect is made on the first collection.
        payment_id = Payment.objects.create(
            payment_no=new_business_number("P"),
            order=order,
            method=Method.COD,
            amount=order.payable_amount,
        ).pk
    payment = _lock_payment(payment_id)
    now = timezone.now()
    # Lines found short at picking were "refunded" before any cash changed hands: the courier
    # collects only what is still owed, and the payment succeeds at what was owed in all.
    refunded_in_sub = (
        OrderLine.objects.filter(sub_order_id=sub_order_id).aggregate(s=Sum("refunded_amount"))["s"]
        or ZERO
    )
    CodCollection.objects.get_or_create(
        sub_order_id=sub_order_id,
        defaults={"payment": payment, "amount": sub[1] - refunded_in_sub, "collected_at": now},
    )
    _cod_succeed_when_all_owed_is_collected(payment=payment, order=order, at=now)
    return payment


def _cod_succeed_when_all_owed_is_collected(*, payment: Payment, order: Order, at) -> None:
    """The COD payment succeeds, at what was collected, once the cash collected covers what is
    still owed (the order less the lines that stopped being owed: short at picking, refused)."""
    if payment.status != Payment.Status.CREATED:
        return
    collected = payment.collections.aggregate(s=Sum("amount"))["s"] or ZERO
    refunded_in_order = order.lines.aggregate(s=Sum("refunded_amount"))["s"] or ZERO
    owed = payment.amount - refunded_in_order
    if collected >= owed:
        payment.amount = collected
        payment.succeed(trade_no=None, paid_at=at)
        payment.save(
            update_fields=[
                "amount",
                "status",
                "gateway_trade_no",
                "paid_at",
                "orphaned",
                "updated_at",
            ]
        )
        _emit_payment(nodes.PAYMENT_SUCCEEDED, payment, order)


@transaction.atomic
def cod_settle_after_sub_order_closed(*, sub_order_id: int) -> Payment | None:
    """A sub-order of a cash-on-delivery order closed without its cash (parcel refused, out of
    stock): its lines are no longer owed, so cash already collected for the other sub-orders
    may now be all there is to collect. Without this, a parcel collected before its sibling
    was refused left the payment open for ever, and its refund was refused as "not paid"."""
    order_id = SubOrder.objects.filter(pk=sub_order_id).values_list("order_id", flat=True).first()
    if order_id is None:
        return None
    order = _lock_order(order_id)
    if order.payment_method != Method.COD or order.status != Order.Status.PAID:
        return None
    payment_id = (
        Payment.objects.filter(order=order, method=Method.COD, status=Payment.Status.CREATED)
        .values_list("pk", flat=True)
        .first()
    )
    if payment_id is None:
        return None
    payment = _lock_payment(payment_id)
    if payment.collections.exists():
        _cod_succeed_when_all_owed_is_collected(payment=payment, order=order, at=timezone.now())
    return payment


# --- refunds -------------------------------------------------------------------------------------


def _refund_create(
    *,
    payment: Payment,
    order: Order,
    amount: Decimal,
    reason: str,
    order_line: OrderLine | None = None,
    quantity: int = 0,
    idempotency_key: str = "",
    actor=None,
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
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    if payment.method == Method.COD:
        # No gateway can send cash back and there is no account balance: operations pay it
        # out by hand and record it (refund_record_manual_payout).
        refund.await_manual_payout()
        refund.save(update_fields=["status", "manual_payout", "next_attempt_at", "last_error"])
        return refund
    _enqueue_refund(refund.pk)
    return refund


def _enqueue_refund(refund_id: int) -> None:
    from .tasks import execute_refund

    send_after_commit(execute_refund, refund_id, swept_by="sweep_pending_refunds")


@transaction.atomic
def payment_refund(
    *,
    amount: Decimal,
    reason: str,
    actor=None,
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
    order = _lock_order(order_id)
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
    locked = _lock_payment(payment_id)
    return _refund_create(
        payment=locked,
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


def refund_execute(*, refund_id: int) -> Refund:
    """One attempt at a refund. Returns the refund: succeeded, pending (to retry at
    next_attempt_at), processing (accepted by the gateway, queried again at next_attempt_at by
    the sweep) or failed (attempts exhausted or the gateway ended it: ops act from the admin)."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("payment")
            .get(pk=refund_id)
        )
        if refund.status in (Refund.Status.SUCCEEDED, Refund.Status.FAILED):
            return refund
        if refund.payment.method == Method.COD:
            # Never "succeeded" by itself: it waits for operations' manual payout.
            if not refund.awaiting_manual_payout:
                refund.await_manual_payout()
                refund.save(
                    update_fields=["status", "manual_payout", "next_attempt_at", "last_error"]
                )
            return refund
        refund.start_attempt(at=timezone.now(), stale_after=REFUND_STALE_AFTER)
        refund.save(update_fields=["status", "attempts", "next_attempt_at"])
    # The gateway is idempotent on refund_no: a repeated attempt cannot pay out twice.
    result = _refund_through_gateway(refund)
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("payment", "payment__order")
            .get(pk=refund_id)
        )
        if refund.status != Refund.Status.PROCESSING:
            return refund
        order = refund.payment.order
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
            _emit_refund(nodes.REFUND_SUCCEEDED, refund, order)
        elif result.pending:
            refund.await_gateway(
                gateway_refund_id=result.gateway_refund_id[:64],
                check_at=timezone.now() + refund_backoff(refund.attempts),
                note=result.error or "processing at the gateway",
            )
            refund.save(
                update_fields=["status", "gateway_refund_id", "last_error", "next_attempt_at"]
            )
        elif result.final or refund.attempts >= refund_max_attempts():
            refund.give_up(error=result.error or "refused")
            refund.save(update_fields=["status", "last_error", "next_attempt_at"])
            logger.error(
                "refund %s failed after %s attempts: %s",
                refund.refund_no,
                refund.attempts,
                result.error,
            )
            _emit_refund(nodes.REFUND_FAILED, refund, order)
        else:
            refund.attempt_failed(
                error=result.error or "refused",
                retry_at=timezone.now() + refund_backoff(refund.attempts),
            )
            refund.save(update_fields=["status", "last_error", "next_attempt_at"])
        return refund


@transaction.atomic
def refund_record_manual_payout(*, refund_id: int, reference: str, actor) -> Refund:
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
    refund = (
        Refund.objects.select_for_update(of=("self",))
        .select_related("payment", "payment__order")
        .filter(pk=refund_id)
        .first()
    )
    if refund is None:
        raise NotFound("Refund not found.")
    if refund.status == Refund.Status.SUCCEEDED:
        return refund
    if not refund.awaiting_manual_payout:
        raise Conflict(
            f"Refund {refund.refund_no} is not waiting for a manual payout.",
            code="not_manual_payout",
        )
    refund.record_manual_payout(
        at=timezone.now(),
        reference=reference,
        paid_out_by=actor if getattr(actor, "pk", None) else None,
    )
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
    _emit_refund(nodes.REFUND_SUCCEEDED, refund, refund.payment.order)
    return refund


@transaction.atomic
def refund_retry(*, refund_id: int, actor) -> Refund:
    """Operations try a failed refund again (from the admin)."""
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status == Refund.Status.SUCCEEDED:
        return refund
    if can_proceed(refund.retry):
        refund.retry(at=timezone.now())
        refund.save(update_fields=["status", "next_attempt_at", "attempts"])
    _enqueue_refund(refund.pk)
    return refund


def refund_due_ids(*, limit: int | None = None) -> list[int]:
    """Refunds whose next attempt is due (or whose worker died mid-attempt)."""
    limit = limit or settings.SWEEP_BATCH_SIZE
    with transaction.atomic():
        return list(
            Refund.objects.select_for_update(skip_locked=True)
            .filter(
                status__in=[Refund.Status.PENDING, Refund.Status.PROCESSING],
                next_attempt_at__lte=timezone.now(),
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )


# --- reconciliation ------------------------------------------------------------------------------


def reconcile_payments(*, day: date) -> ReconciliationRun:
    """Compare one day's payments and refunds with the gateways' records; every difference
    becomes a ReconciliationMismatch (listed in the admin)."""
    run = ReconciliationRun.objects.create(day=day)
    mismatches: list[ReconciliationMismatch] = []

    def mismatch(kind, subject, reference, **values):
        mismatches.append(
            ReconciliationMismatch(
                run=run, kind=kind, subject=subject, reference=reference, **values
            )
        )

    online = list(GATEWAY_NAMES)
    # One client per gateway for the whole run: building one reads and parses its keys (the
    # sandbox's from disk), which is not work to repeat for every payment and refund.
    gateways = {name: get_gateway(name) for name in online}
    # By the day the money moved (paid_at), as the gateways list their trades: a payment opened
    # at 23:58 and paid at 00:02 belongs to the second day on both sides.
    payments = list(
        Payment.objects.filter(method__in=online, paid_at__date=day).select_related("order")
    )
    known = {p.payment_no for p in payments}
    for payment in payments:
        try:
            remote = gateways[payment.method].query(payment)
        except GatewayError as exc:
            logger.warning("reconcile: cannot query %s: %s", payment.payment_no, exc)
            continue
        ours_paid = payment.status == Payment.Status.SUCCEEDED
        theirs_paid = remote.status == "success"
        values = {
            "our_amount": payment.amount,
            "gateway_amount": remote.amount,
            "our_status": payment.status,
            "gateway_status": remote.status,
        }
        if ours_paid and not theirs_paid:
            mismatch(
                ReconciliationMismatch.Kind.MISSING_AT_GATEWAY,
                "payment",
                payment.payment_no,
                **values,
            )
        elif theirs_paid and not ours_paid:
            mismatch(
                ReconciliationMismatch.Kind.MISSING_LOCALLY, "payment", payment.payment_no, **values
            )
        elif ours_paid and remote.amount is not None and remote.amount != payment.amount:
            mismatch(ReconciliationMismatch.Kind.AMOUNT, "payment", payment.payment_no, **values)
    for name, gateway in gateways.items():
        listed = gateway.trades_for_day(day)
        unmatched = [t for t in listed or [] if t.payment_no not in known and t.status == "success"]
        # Paid at the gateway just before midnight and recorded by us just after (or the other
        # way round): ours under another day, checked there, not missing.
        paid_elsewhere = dict(
            Payment.objects.filter(
                method=name,
                payment_no__in=[t.payment_no for t in unmatched],
                status=Payment.Status.SUCCEEDED,
            ).values_list("payment_no", "amount")
        )
        for trade in unmatched:
            ours = paid_elsewhere.get(trade.payment_no)
            if ours is None:
                mismatch(
                    ReconciliationMismatch.Kind.MISSING_LOCALLY,
                    "payment",
                    trade.payment_no,
                    gateway_amount=trade.amount,
                    gateway_status=trade.status,
                )
            elif trade.amount is not None and trade.amount != ours:
                mismatch(
                    ReconciliationMismatch.Kind.AMOUNT,
                    "payment",
                    trade.payment_no,
                    our_amount=ours,
                    gateway_amount=trade.amount,
                    our_status=Payment.Status.SUCCEEDED,
                    gateway_status=trade.status,
                )
    refunds = list(
        Refund.objects.filter(payment__method__in=online, created_at__date=day).select_related(
            "payment", "payment__order"
        )
    )
    for refund in refunds:
        try:
            remote = gateways[refund.payment.method].query_refund(refund)
        except GatewayError as exc:
            logger.warning("reconcile: cannot query refund %s: %s", refund.refund_no, exc)
            continue
        values = {
            "our_amount": refund.amount,
            "gateway_amount": remote.amount,
            "our_status": refund.status,
            "gateway_status": "success" if remote.ok else "not_found",
        }
        ours_done = refund.status == Refund.Status.SUCCEEDED
        if ours_done and not remote.ok:
            mismatch(
                ReconciliationMismatch.Kind.MISSING_AT_GATEWAY, "refund", refund.refund_no, **values
            )
        elif remote.ok and not ours_done:
            mismatch(ReconciliationMismatch.Kind.STATUS, "refund", refund.refund_no, **values)
        elif ours_done and remote.amount is not None and remote.amount != refund.amount:
            mismatch(ReconciliationMismatch.Kind.AMOUNT, "refund", refund.refund_no, **values)
    ReconciliationMismatch.objects.bulk_create(mismatches)
    run.payments_checked = len(payments)
    run.refunds_checked = len(refunds)
    run.mismatch_count = len(mismatches)
    run.save(update_fields=["payments_checked", "refunds_checked", "mismatch_count"])
    return run
