"""Starting to pay: the shopper's choice of method, where they go to pay, the sandbox cashier's
buttons, and the open payments that close with their order."""

import logging

from django.db import transaction
from django.utils import timezone

from catalog.actors import Actor
from orders import services as order_services
from orders.lock_objects import lock_order
from orders.models import Order
from sandbox.server import sandbox_settle
from shop import events as nodes
from shop.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from shop.ids import new_business_number

from ..configured_gateways import get_gateway
from ..gateways.base import GatewayError, PayRequest
from ..lock_objects import lock_open_payments, lock_shoppers_payment
from ..models import Method, Payment
from ..wording import payment_not_open_message
from .history import payment_event_record

logger = logging.getLogger(__name__)

# Why an order's open payments were closed, by the order's domain event.
ORDER_CLOSED_REASONS = {
    nodes.ORDER_CANCELLED: "Order cancelled",
    nodes.ORDER_EXPIRED: "Order not paid in time",
    nodes.ORDER_PAYMENT_FAILED: "Order payment failed",
}


def payment_close(*, payment: Payment, actor: Actor, reason: str) -> Payment:
    """Close a locked open payment (the caller holds its order's and its own lock)."""
    from_state = payment.status
    payment.close(reason=reason)
    payment.save(update_fields=["status", "failure_reason", "updated_at"])
    payment_event_record(
        payment=payment, actor=actor, what="close", from_state=from_state, note=reason
    )
    return payment


@transaction.atomic
def payment_start(*, order_no: str, actor: Actor, method: str) -> Payment:
    """The shopper chose how to pay. Online methods get an open payment (the same one again if
    they come back); cash on delivery confirms the order at once (collected at the door)."""
    if method not in Method.values:
        raise InvalidInput("Choose Alipay, WeChat Pay or cash on delivery.", code="invalid_method")
    if actor.user_id is None:
        raise NotFound("Order not found.")
    order_id = (
        Order.objects.filter(order_no=order_no, user_id=actor.user_id)
        .values_list("pk", flat=True)
        .first()
    )
    if order_id is None:
        raise NotFound("Order not found.")
    order = lock_order(pk=order_id)
    if order.status == Order.Status.PAID:
        raise Conflict("This order is already paid.", code="already_paid")
    if order.status != Order.Status.PENDING_PAYMENT:
        raise TransitionNotAllowed(
            f"This order can no longer be paid: it is {order.get_status_display().lower()}.",
            extra={"status": order.status},
        )
    if order.payment_due_at <= timezone.now():
        raise Conflict("The time to pay this order has run out.", code="payment_expired")

    open_payments = lock_open_payments(order_id=order.pk)
    reusable = next(
        (p for p in open_payments if p.method == method and p.amount == order.payable_amount),
        None,
    )
    for other in open_payments:
        if other is not reusable:
            # A gateway may still report money for it later: that is accepted (and refunded
            # if the order was paid meanwhile), the shopper just cannot start it again.
            payment_close(
                payment=other, actor=actor, reason=f"Shopper switched to {Method(method).label}"
            )
    if reusable is not None:
        return reusable
    payment = Payment.objects.create(
        payment_no=new_business_number("P"),
        order=order,
        method=method,
        amount=order.payable_amount,
    )
    payment_event_record(payment=payment, actor=actor, what="created", from_state="")
    if method == Method.COD:
        order_services.order_cod_confirm(order_no=order.order_no, actor=actor)
    return payment


def payment_pay_request(*, payment: Payment) -> PayRequest:
    """Where the shopper goes to pay (the cashier, Alipay's page, a WeChat QR code). Asks the
    gateway, so no row is locked and no state changes (no actor, no event row): it only keeps
    the gateway's QR code link on the payment, a copy of the gateway's answer."""
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


@transaction.atomic
def payment_close_open_for_order(*, order_id: int, reason: str, actor: Actor) -> list[Payment]:
    """The order closed unpaid (cancelled, expired, payment failed): its open payments close
    with it, so the cashier refuses them and the result page stops waiting. Called from the
    order's domain event, inside the order's transaction (the order row is already locked, so
    the lock order order -> payments holds). Money a gateway reports later for a closed payment
    is still accepted and refunded in full (services.notifications)."""
    closed = lock_open_payments(order_id=order_id, exclude_cod=True)
    for payment in closed:
        payment_close(payment=payment, actor=actor, reason=reason)
    return closed


@transaction.atomic
def payment_sandbox_settle(*, payment_no: str, actor: Actor, paid: bool) -> Payment:
    """The shopper pressed Pay (or Fail) on the sandbox cashier. Like a real gateway after the
    trade's time_expire or a close, the sandbox takes no money for a payment that is closed,
    whose order is closed or whose time to pay has run out. Checked under the order and payment
    locks, so a cancel or expiry racing the Pay button either wins (nothing is taken) or waits.
    The payment itself changes when the sandbox's notification arrives, as with a real one."""
    order, payment = lock_shoppers_payment(payment_no=payment_no, actor=actor)
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
def payment_cancel_at_cashier(*, payment_no: str, actor: Actor) -> Payment:
    """The shopper pressed Cancel at the cashier: this attempt is closed, nothing was taken, and
    the order stays awaiting payment until its deadline (pay again, or another way)."""
    order, payment = lock_shoppers_payment(payment_no=payment_no, actor=actor)
    if payment.status != Payment.Status.CREATED:
        raise Conflict(payment_not_open_message(payment, order), code="payment_not_open")
    return payment_close(payment=payment, actor=actor, reason="Cancelled at the cashier")
