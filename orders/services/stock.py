"""The stock and coupon side of an order that closes: what its lines still hold allocated goes
back on sale, and the coupon it used goes back to the shopper when it may."""

from django.db.models import Q

from catalog.actors import Actor
from catalog.models import StockRecord
from catalog.services.stock import stock_release
from shop.accounts.models import HeldCoupon

from ..models import Order, OrderLine, SubOrder


def lines_in_stock_lock_order(lines: list[OrderLine]) -> list[OrderLine]:
    """Lines in the order stock_allocate takes stock locks (SKU id, then stock record pk), so
    that releasing or consuming never waits in the opposite order of an allocation."""
    record_pks = {
        (sku_id, warehouse_id): pk
        for pk, sku_id, warehouse_id in StockRecord.objects.filter(
            sku_id__in={line.sku_id for line in lines}
        ).values_list("pk", "sku_id", "warehouse_id")
    }
    return sorted(
        lines, key=lambda line: (line.sku_id, record_pks.get((line.sku_id, line.warehouse_id), 0))
    )


def order_lines_release(
    *, lines: list[OrderLine], order_no: str, reason: str, actor: Actor
) -> None:
    """Give back what these lines still hold allocated (refunded units were released by the
    after-sales case that refunded them)."""
    for line in lines_in_stock_lock_order(lines):
        quantity = line.quantity - line.refunded_quantity
        if quantity > 0:
            stock_release(
                sku_id=line.sku_id,
                warehouse_id=line.warehouse_id,
                quantity=quantity,
                order_no=order_no,
                reason=reason,
                actor=actor,
            )


def order_coupon_return(order: Order) -> None:
    """The coupon the order used is the shopper's to use again."""
    if order.held_coupon_id:
        HeldCoupon.objects.filter(pk=order.held_coupon_id, used_on_order_no=order.order_no).update(
            used_at=None, used_on_order_no=""
        )


def order_coupon_return_if_nothing_shipped(*, order: Order, now) -> None:
    """The whole paid order ended before anything of it shipped (every sub-order closed,
    refunded or out of stock, none ever shipped): the shopper gets the coupon back, if it can
    still be used (active, not expired; an expired one stays spent)."""
    if not order.held_coupon_id or order.status != Order.Status.PAID:
        return
    still_open_or_shipped = SubOrder.objects.filter(order=order).filter(
        ~Q(status=SubOrder.Status.CLOSED) | Q(shipped_at__isnull=False)
    )
    if still_open_or_shipped.exists():
        return
    still_valid = HeldCoupon.objects.filter(
        pk=order.held_coupon_id, coupon__is_active=True, coupon__valid_until__gt=now
    ).exists()
    if still_valid:
        order_coupon_return(order)
