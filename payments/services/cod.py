"""Cash on delivery: the cash the courier collects at the door, per sub-order, and the payment
that succeeds once all that is owed is collected."""

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from catalog.actors import Actor
from orders.lock_objects import lock_order
from orders.models import Order, OrderLine, SubOrder
from shop.errors import Conflict, NotFound
from shop.ids import new_business_number
from shop.money import ZERO

from ..events import payment_succeeded_emit
from ..lock_objects import lock_payment
from ..models import CodCollection, Method, Payment
from .history import payment_event_record


@transaction.atomic
def cod_collect(*, sub_order_id: int, actor: Actor) -> Payment:
    """The carrier collected the cash for a sub-order at the door. When every sub-order of the
    order is collected, the cash-on-delivery payment has succeeded. Idempotent per sub-order."""
    sub = SubOrder.objects.filter(pk=sub_order_id).values_list("order_id", "payable_amount").first()
    if sub is None:
        raise NotFound("Sub-order not found.")
    order = lock_order(pk=sub[0])
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
        created = Payment.objects.create(
            payment_no=new_business_number("P"),
            order=order,
            method=Method.COD,
            amount=order.payable_amount,
        )
        payment_event_record(payment=created, actor=actor, what="created", from_state="")
        payment_id = created.pk
    payment = lock_payment(payment_id)
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
    _cod_succeed_when_all_owed_is_collected(payment=payment, order=order, at=now, actor=actor)
    return payment


def _cod_succeed_when_all_owed_is_collected(
    *, payment: Payment, order: Order, at, actor: Actor
) -> None:
    """The COD payment succeeds, at what was collected, once the cash collected covers what is
    still owed (the order less the lines that stopped being owed: short at picking, refused)."""
    if payment.status != Payment.Status.CREATED:
        return
    collected = payment.collections.aggregate(s=Sum("amount"))["s"] or ZERO
    refunded_in_order = order.lines.aggregate(s=Sum("refunded_amount"))["s"] or ZERO
    owed = payment.amount - refunded_in_order
    if collected >= owed:
        from_state = payment.status
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
        payment_event_record(
            payment=payment,
            actor=actor,
            what="succeed",
            from_state=from_state,
            note=f"Cash collected: {collected}",
        )
        payment_succeeded_emit(payment=payment, order=order)


@transaction.atomic
def cod_settle_after_sub_order_closed(*, sub_order_id: int, actor: Actor) -> Payment | None:
    """A sub-order of a cash-on-delivery order closed without its cash (parcel refused, out of
    stock): its lines are no longer owed, so cash already collected for the other sub-orders
    may now be all there is to collect. Without this, a parcel collected before its sibling
    was refused left the payment open for ever, and its refund was refused as "not paid"."""
    order_id = SubOrder.objects.filter(pk=sub_order_id).values_list("order_id", flat=True).first()
    if order_id is None:
        return None
    order = lock_order(pk=order_id)
    if order.payment_method != Method.COD or order.status != Order.Status.PAID:
        return None
    payment_id = (
        Payment.objects.filter(order=order, method=Method.COD, status=Payment.Status.CREATED)
        .values_list("pk", flat=True)
        .first()
    )
    if payment_id is None:
        return None
    payment = lock_payment(payment_id)
    if payment.collections.exists():
        _cod_succeed_when_all_owed_is_collected(
            payment=payment, order=order, at=timezone.now(), actor=actor
        )
    return payment
