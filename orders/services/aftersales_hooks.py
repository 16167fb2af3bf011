"""What after-sales (and the refunds of payments and logistics) tell orders: a case opens or
settles on a sub-order (its timers hold, then move on by the time held), and a refund is
recorded on an order line. Neither is a state change of the order: no timeline row; the
caller's own event row (CaseEvent, refund) names who acted."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shop.errors import Conflict, InvalidInput
from shop.money import to_money

from ..lock_objects import lock_order_line, lock_sub_order_by_id
from ..models import OrderLine, SubOrder


def _held_for(*, held_at, started_at, now) -> timedelta:
    """How long a timer that started at `started_at` was held since `held_at`: only the part
    of the hold after the timer started counts (a parcel shipped, or receipt confirmed, while
    the case was open starts its clock then, with its full length)."""
    start = max(held_at, started_at) if started_at is not None else held_at
    return max(now - start, timedelta(0))


@transaction.atomic
def sub_order_set_aftersales_open(*, sub_order_id: int, is_open: bool) -> SubOrder:
    """After-sales opens (True) or settles (False) a case on the sub-order. Not a state change:
    no timeline row. Opening holds the timers (auto-confirm, auto-complete: the sweeps and the
    timer's receipt skip the sub-order) from `aftersales_held_at`; settling moves the running
    deadline on by the time held, so the shopper keeps the time that was left. Idempotent: the
    same value again changes nothing."""
    sub_order = lock_sub_order_by_id(sub_order_id)
    if sub_order.aftersales_open == is_open:
        return sub_order
    now = timezone.now()
    fields = ["aftersales_open", "aftersales_held_at"]
    if is_open:
        sub_order.aftersales_held_at = now
    else:
        held_at = sub_order.aftersales_held_at
        if held_at is not None:
            status = sub_order.status
            if sub_order.auto_confirm_at is not None and status in (
                SubOrder.Status.SHIPPED,
                SubOrder.Status.DELIVERED,
            ):
                sub_order.auto_confirm_at += _held_for(
                    held_at=held_at, started_at=sub_order.shipped_at, now=now
                )
                fields.append("auto_confirm_at")
            if sub_order.auto_complete_at is not None and status == SubOrder.Status.RECEIVED:
                sub_order.auto_complete_at += _held_for(
                    held_at=held_at, started_at=sub_order.received_at, now=now
                )
                fields.append("auto_complete_at")
        sub_order.aftersales_held_at = None
    sub_order.aftersales_open = is_open
    sub_order.save(update_fields=fields)
    return sub_order


@transaction.atomic
def order_line_record_refund(*, line_id: int, amount: Decimal, quantity: int) -> OrderLine:
    """Add a refund to a line. Never more than the line paid or holds (Conflict otherwise)."""
    if isinstance(amount, float):
        raise InvalidInput("Refund amount must be a decimal.", code="invalid_amount")
    amount = to_money(amount)
    if amount < 0 or not isinstance(quantity, int) or quantity < 0:
        raise InvalidInput("Refund amount and quantity cannot be negative.", code="invalid_amount")
    line = lock_order_line(line_id)
    if line.refunded_amount + amount > line.paid_amount:
        raise Conflict(
            f"Refund would exceed what was paid for this line ({line.paid_amount}, "
            f"{line.refunded_amount} already refunded).",
            code="refund_exceeds_paid",
            extra={"refundable": str(line.paid_amount - line.refunded_amount)},
        )
    if line.refunded_quantity + quantity > line.quantity:
        raise Conflict(
            f"Refund would exceed the {line.quantity} unit(s) of this line "
            f"({line.refunded_quantity} already refunded).",
            code="refund_exceeds_quantity",
        )
    line.refunded_amount += amount
    line.refunded_quantity += quantity
    line.save(update_fields=["refunded_amount", "refunded_quantity"])
    return line
