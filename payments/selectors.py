"""Read queries of payments shared by the pages and the API."""

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from orders.models import Order, OrderLine
from shop.errors import NotFound

from .models import Payment, Refund


def order_to_pay_for_user(*, user, order_no: str) -> Order:
    """The shopper's order with its lines (and their merchants) for the pay page."""
    if not user.is_authenticated:
        raise NotFound("Order not found.")
    order = (
        Order.objects.filter(order_no=order_no, user_id=user.pk)
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("merchant").order_by("pk"))
        )
        .first()
    )
    if order is None:
        raise NotFound("Order not found.")
    return order


def payment_get_for_user(*, user, payment_no: str) -> Payment:
    """A payment of one of the shopper's orders; another shopper's is 'not found'."""
    if not user.is_authenticated:
        raise NotFound("Payment not found.")
    payment = (
        Payment.objects.select_related("order")
        .filter(payment_no=payment_no, order__user_id=user.pk)
        .first()
    )
    if payment is None:
        raise NotFound("Payment not found.")
    return payment


def payment_open_for_order(*, order: Order) -> Payment | None:
    return (
        Payment.objects.filter(order=order, status=Payment.Status.CREATED)
        .order_by("-created_at")
        .first()
    )


def order_merchant_names(order: Order) -> list[str]:
    names: list[str] = []
    for line in order.lines.all():
        if line.merchant.name not in names:
            names.append(line.merchant.name)
    return names


def refund_get(*, refund_no: str = "", idempotency_key: str = "") -> Refund:
    """A refund by its number or by the caller's key (after-sales: "case:<case_no>")."""
    refunds = Refund.objects.select_related("payment", "payment__order")
    if refund_no:
        refunds = refunds.filter(refund_no=refund_no)
    elif idempotency_key:
        refunds = refunds.filter(idempotency_key=idempotency_key)
    else:
        raise NotFound("Refund not found.")
    refund = refunds.first()
    if refund is None:
        raise NotFound("Refund not found.")
    return refund


def refund_due_ids(*, limit: int | None = None) -> list[int]:
    """Refunds whose next attempt is due (or whose worker died mid-attempt). Rows another sweep
    holds are skipped, so two sweeps never hand out the same refund in the same moment."""
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
