"""Row locks on payments and refunds, taken below the order's (orders.lock_objects).

The lock order of the shop: the parent order, then its sub-orders, then what hangs below
(payments and refunds here), then order lines, then stock. A service that changes a payment
first locks its order with orders.lock_objects.lock_order, then the payment with these; a
refund attempt, which must not hold the order while the gateway is called, locks the refund
row alone (of=("self",)), never the order after it.
"""

from catalog.actors import Actor
from orders.lock_objects import lock_order
from orders.models import Order
from shop.errors import NotFound

from .models import Method, Payment, Refund


def lock_payment(payment_id: int) -> Payment:
    """The payment, locked; the caller holds its order's lock already."""
    return Payment.objects.select_for_update().get(pk=payment_id)


def lock_open_payments(*, order_id: int, exclude_cod: bool = False) -> list[Payment]:
    """The order's payments still awaiting money, locked by pk (the order is locked already)."""
    payments = Payment.objects.select_for_update().filter(
        order_id=order_id, status=Payment.Status.CREATED
    )
    if exclude_cod:
        payments = payments.exclude(method=Method.COD)
    return list(payments.order_by("pk"))


def lock_order_and_payment(*, payment_id: int, order_id: int) -> tuple[Order, Payment]:
    """The order, then its payment: the one lock order."""
    return lock_order(pk=order_id), lock_payment(payment_id)


def lock_shoppers_payment(*, payment_no: str, actor: Actor) -> tuple[Order, Payment]:
    """The shopper's own payment and its order, locked (order, then payment); another shopper's
    payment is not found."""
    if actor.user_id is None:
        raise NotFound("Payment not found.")
    found = (
        Payment.objects.filter(payment_no=payment_no, order__user_id=actor.user_id)
        .values_list("pk", "order_id")
        .first()
    )
    if found is None:
        raise NotFound("Payment not found.")
    return lock_order_and_payment(payment_id=found[0], order_id=found[1])


def lock_refund(refund_id: int, *, related=("payment",)) -> Refund | None:
    """The refund row alone (not its payment's or order's), with `related` read along."""
    return (
        Refund.objects.select_for_update(of=("self",))
        .select_related(*related)
        .filter(pk=refund_id)
        .first()
    )
