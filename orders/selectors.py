"""Read queries of orders, shared by the storefront pages, the API and the admin.

A shopper's lookups always filter by the shopper: another shopper's order is "not found".
List and detail queries prefetch what their pages show, so their query count does not grow with
the number of orders, lines or sub-orders.
"""

import operator
from collections.abc import Iterable
from datetime import datetime
from functools import reduce

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.models import CartItem
from shop.errors import InvalidInput, NotFound

from .models import Order, OrderEvent, OrderLine, SubOrder

# What a paid order shows the shopper, rolled up from its sub-orders (DESIGN.md: not stored).
AWAITING_SHIPMENT = "awaiting_shipment"
PARTIALLY_SHIPPED = "partially_shipped"
SHIPPED = "shipped"
DELIVERED = "delivered"
RECEIVED = "received"
COMPLETED = "completed"
CLOSED = "closed"

DISPLAY_STATUS_LABELS = {
    Order.Status.PENDING_PAYMENT.value: _("Awaiting payment"),
    Order.Status.PAID.value: _("Paid"),
    Order.Status.CANCELLED.value: _("Cancelled"),
    Order.Status.PAYMENT_FAILED.value: _("Payment failed"),
    AWAITING_SHIPMENT: _("Awaiting shipment"),
    PARTIALLY_SHIPPED: _("Partially shipped"),
    SHIPPED: _("Shipped"),
    DELIVERED: _("Delivered"),
    RECEIVED: _("Received"),
    COMPLETED: _("Completed"),
    CLOSED: _("Closed"),
}

_ON_ITS_WAY = [SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED]
ROLLED_UP_STATUSES = (
    AWAITING_SHIPMENT,
    PARTIALLY_SHIPPED,
    SHIPPED,
    DELIVERED,
    RECEIVED,
    COMPLETED,
    CLOSED,
)


def _sub_orders_prefetch() -> Prefetch:
    return Prefetch(
        "sub_orders",
        queryset=SubOrder.objects.select_related("merchant", "warehouse").order_by("pk"),
    )


def _lines_prefetch() -> Prefetch:
    return Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))


def _order_ids_shown_as(status: str) -> QuerySet:
    """Ids of orders whose sub-orders roll up to `status` (the same rules as
    order_display_status, in one grouped subquery)."""
    counts = SubOrder.objects.values("order_id").annotate(
        live=Count("pk", filter=~Q(status=SubOrder.Status.CLOSED)),
        awaiting=Count("pk", filter=Q(status=SubOrder.Status.AWAITING_SHIPMENT)),
        on_its_way=Count("pk", filter=Q(status__in=_ON_ITS_WAY)),
        in_transit=Count("pk", filter=Q(status=SubOrder.Status.SHIPPED)),
        completed=Count("pk", filter=Q(status=SubOrder.Status.COMPLETED)),
    )
    condition = {
        CLOSED: Q(live=0),
        AWAITING_SHIPMENT: Q(live__gt=0, awaiting=F("live")),
        PARTIALLY_SHIPPED: Q(awaiting__gt=0, awaiting__lt=F("live")),
        # Delivered only when no parcel is still in transit: the badge follows the parcels.
        SHIPPED: Q(awaiting=0, in_transit__gt=0),
        DELIVERED: Q(awaiting=0, in_transit=0, on_its_way__gt=0),
        RECEIVED: Q(live__gt=0, awaiting=0, on_its_way=0, completed__lt=F("live")),
        COMPLETED: Q(live__gt=0, completed=F("live")),
    }[status]
    return counts.filter(condition).values("order_id")


def _shown_as(status: str) -> Q | None:
    """Orders showing `status` to their shopper; None for a status no order shows."""
    if status in Order.Status.values:
        return Q(status=status)
    if status in ROLLED_UP_STATUSES:
        return Q(status=Order.Status.PAID, pk__in=_order_ids_shown_as(status))
    return None


def order_list_for_user(
    *, user, status: str | None = None, statuses: Iterable[str] = ()
) -> QuerySet[Order]:
    """The shopper's orders, newest first, optionally only those showing `status` (or any of
    `statuses`, one query for a whole tab of "My orders"): a stored status (pending_payment,
    paid, cancelled, payment_failed) or what a paid order shows (awaiting_shipment,
    partially_shipped, shipped, received, completed, closed; see order_display_status).
    Unknown statuses filter nothing."""
    orders = Order.objects.filter(user=user).prefetch_related(
        _lines_prefetch(), _sub_orders_prefetch()
    )
    wanted = [status, *statuses] if status else statuses
    conditions = [q for q in map(_shown_as, wanted) if q is not None]
    if not conditions:
        return orders
    return orders.filter(reduce(operator.or_, conditions))


def order_get_for_user(*, user, order_no: str) -> Order:
    """One of the shopper's orders with its lines, sub-orders, bill and timeline."""
    order = (
        Order.objects.filter(user=user, order_no=order_no)
        .prefetch_related(
            _lines_prefetch(),
            _sub_orders_prefetch(),
            "price_lines",
            Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "pk")),
        )
        .first()
    )
    if order is None:
        raise NotFound("Order not found.")
    return order


def order_display_status(order: Order) -> str:
    """The status a shopper sees: the stored one until paid, then the roll-up of its
    sub-orders (closed ones count only when all are closed). Uses prefetched sub-orders."""
    if order.status != Order.Status.PAID:
        return order.status
    statuses = [s.status for s in order.sub_orders.all()]
    live = [s for s in statuses if s != SubOrder.Status.CLOSED]
    if statuses and not live:
        return CLOSED
    if not live or all(s == SubOrder.Status.AWAITING_SHIPMENT for s in live):
        return AWAITING_SHIPMENT
    if any(s == SubOrder.Status.AWAITING_SHIPMENT for s in live):
        return PARTIALLY_SHIPPED
    if any(s == SubOrder.Status.SHIPPED for s in live):
        return SHIPPED
    if any(s == SubOrder.Status.DELIVERED for s in live):
        return DELIVERED
    if all(s == SubOrder.Status.COMPLETED for s in live):
        return COMPLETED
    return RECEIVED


def order_display_status_label(order: Order) -> str:
    return DISPLAY_STATUS_LABELS.get(order_display_status(order), order.get_status_display())


def sub_order_get_for_user(*, user, sub_order_no: str) -> SubOrder:
    sub_order = (
        SubOrder.objects.filter(order__user=user, sub_order_no=sub_order_no)
        .select_related("order", "merchant", "warehouse")
        .prefetch_related(_lines_prefetch())
        .first()
    )
    if sub_order is None:
        raise NotFound("Sub-order not found.")
    return sub_order


def sub_orders_for_merchant(*, merchant, status: str | None = None) -> QuerySet[SubOrder]:
    """The merchant's sub-orders, oldest first: the queue its warehouse works through."""
    sub_orders = (
        SubOrder.objects.filter(merchant=merchant)
        .select_related("order", "warehouse")
        .prefetch_related(_lines_prefetch())
        .order_by("created_at", "pk")
    )
    if status:
        sub_orders = sub_orders.filter(status=status)
    return sub_orders


def aftersales_window_ends_at(sub_order: SubOrder) -> datetime | None:
    """When the after-sales window of a received sub-order ends: its trade completes then
    (auto_complete_at, AFTERSALES_WINDOW_DAYS after receipt). While a case is open the end is
    held: when the case ends it moves on by the time held. None before receipt (no window yet)
    and after (completed or closed: no window any more)."""
    if sub_order.status == SubOrder.Status.RECEIVED:
        return sub_order.auto_complete_at
    return None


def order_items_or_cart(*, user, items) -> list[tuple[int, int]]:
    """The (sku_id, quantity) items given, or else the lines of the shopper's cart, oldest
    first. quote_order validates and merges them (orders.pricing.normalise_items)."""
    if items is None:
        cart_items = CartItem.objects.filter(cart__user=user).order_by("added_at", "pk")
        items = list(cart_items.values_list("sku_id", "quantity"))
    if not items:
        raise InvalidInput("There is nothing to order.", code="empty_order")
    return items
