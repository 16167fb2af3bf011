"""Row locks on orders, written once, taken in one order everywhere.

The lock order of the whole shop: the parent order, then its sub-orders, then what hangs below a
sub-order (after-sales cases, parcels, payments' refunds), then order lines by pk, then stock.
Orders, logistics, payments and aftersales all lock through these functions, so two services
working on the same order (a tracking push and a refund, a merchant's shipment and a shopper's
cancel) queue behind each other instead of deadlocking.

The scoped variants answer NotFound, never "forbidden", when the row is not the actor's to
touch: another shopper's order does not exist for you.
"""

from catalog.actors import Actor, Role
from shop.errors import NotFound

from .models import Order, OrderLine, SubOrder


def lock_order(**lookup) -> Order:
    try:
        return Order.objects.select_for_update().get(**lookup)
    except Order.DoesNotExist:
        raise NotFound("Order not found.") from None


def lock_order_for_actor(*, order_no: str, actor: Actor) -> Order:
    """A shopper reaches only their own orders; operations and the system reach every order."""
    lookup = {"order_no": order_no}
    if not actor.sees_everything:
        if actor.user_id is None:
            raise NotFound("Order not found.")
        lookup["user_id"] = actor.user_id
    return lock_order(**lookup)


def lock_sub_order_by_id(sub_order_id: int) -> SubOrder:
    """Lock the parent order, then the sub-order (no reach check: the caller checks its own)."""
    order_id = SubOrder.objects.filter(pk=sub_order_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound("Sub-order not found.")
    return _lock_parent_then_sub_order(order_id=order_id, sub_order_id=sub_order_id)


def _lock_parent_then_sub_order(*, order_id: int, sub_order_id: int) -> SubOrder:
    order = lock_order(pk=order_id)
    sub_order = SubOrder.objects.select_for_update().get(pk=sub_order_id)
    sub_order.order = order
    return sub_order


def lock_sub_order(*, actor: Actor, roles=(Role.SHOPPER, Role.MERCHANT), **lookup) -> SubOrder:
    """Lock the parent order, then the sub-order found by `lookup`, if the actor reaches it: a
    merchant's staff their merchant's sub-orders, a shopper their own (when SHOPPER is among
    `roles`); operations and the system every one."""
    ids = SubOrder.objects.filter(**lookup).values_list("pk", "order_id", "merchant_id").first()
    if ids is None:
        raise NotFound("Sub-order not found.")
    pk, order_id, merchant_id = ids
    if not actor.sees_everything:
        if actor.role not in roles:
            raise NotFound("Sub-order not found.")
        if actor.is_merchant and not actor.reaches_merchant(merchant_id):
            raise NotFound("Sub-order not found.")
        if (
            actor.is_shopper
            and not Order.objects.filter(pk=order_id, user_id=actor.user_id).exists()
        ):
            raise NotFound("Sub-order not found.")
    return _lock_parent_then_sub_order(order_id=order_id, sub_order_id=pk)


def lock_sub_orders_of(order: Order) -> list[SubOrder]:
    """Every sub-order of an order its caller has locked, by pk."""
    return list(SubOrder.objects.select_for_update().filter(order=order).order_by("pk"))


def lock_order_line(line_id: int) -> OrderLine:
    """One order line (its order and sub-order are the caller's to lock first, if it changes
    them too)."""
    try:
        return OrderLine.objects.select_for_update().get(pk=line_id)
    except OrderLine.DoesNotExist:
        raise NotFound("Order line not found.") from None


def lock_order_lines(
    *, order: Order | None = None, sub_order: SubOrder | None = None
) -> list[OrderLine]:
    """The lines of a sub-order (or of the whole order), locked by pk."""
    lines = OrderLine.objects.select_for_update().order_by("pk")
    if sub_order is not None:
        return list(lines.filter(sub_order=sub_order))
    return list(lines.filter(order=order))
