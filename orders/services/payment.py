"""An order goes ahead: its payment is confirmed, or cash on delivery is chosen. It is split
into sub-orders, one per (merchant, warehouse), each recorded as created."""

from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_fsm import can_proceed

from catalog.actors import Actor
from catalog.models import Product
from shop import events as nodes
from shop.accounts.services import customer_mark_first_paid
from shop.ids import new_business_number
from shop.money import ZERO

from .. import wording
from ..events import order_transition_record
from ..lock_objects import lock_order, lock_order_for_actor, lock_order_lines
from ..models import Order, OrderLine, SubOrder
from .transitions import transition_refuse


def _order_split_into_sub_orders(*, order: Order) -> list[SubOrder]:
    """One sub-order per (merchant, warehouse), its amounts the sums of its lines."""
    groups: dict[tuple[int, int], list[OrderLine]] = defaultdict(list)
    lines = lock_order_lines(order=order)
    for line in lines:
        groups[(line.merchant_id, line.warehouse_id)].append(line)
    sub_orders = []
    for (merchant_id, warehouse_id), group in groups.items():
        sub_order = SubOrder.objects.create(
            sub_order_no=new_business_number("S"),
            order=order,
            merchant_id=merchant_id,
            warehouse_id=warehouse_id,
            goods_amount=sum((line.goods_amount for line in group), ZERO),
            discount_amount=sum(
                (line.promotion_discount + line.member_discount for line in group), ZERO
            ),
            shipping_fee=sum((line.shipping_share for line in group), ZERO),
            payable_amount=sum((line.paid_amount for line in group), ZERO),
        )
        OrderLine.objects.filter(pk__in=[line.pk for line in group]).update(sub_order=sub_order)
        sub_orders.append(sub_order)

    sold: dict[int, int] = defaultdict(int)
    for product_id, quantity in OrderLine.objects.filter(order=order).values_list(
        "sku__product_id", "quantity"
    ):
        sold[product_id] += quantity
    for product_id in sorted(sold):  # one lock order across concurrent payments
        Product.objects.filter(pk=product_id).update(
            sales_count=F("sales_count") + sold[product_id]
        )
    return sub_orders


def _order_mark_paid(*, order: Order, transition: str, actor: Actor, note: str, **kwargs) -> Order:
    from_state = order.status
    getattr(order, transition)(**kwargs)
    order.save(update_fields=["status", "paid_at", "payment_method"])
    sub_orders = _order_split_into_sub_orders(order=order)
    customer_mark_first_paid(user_id=order.user_id)
    order_transition_record(
        node=nodes.ORDER_PAID,
        order=order,
        actor=actor,
        transition=transition,
        from_state=from_state,
        note=note,
    )
    for sub_order in sub_orders:
        order_transition_record(
            node=nodes.SUBORDER_CREATED,
            order=order,
            sub_order=sub_order,
            actor=actor,
            transition="create",
            from_state="",
        )
    return order


@transaction.atomic
def order_pay_succeeded(*, order_id: int, paid_at, actor: Actor, method: str = "") -> Order:
    """The payment is confirmed: the order is paid and split into sub-orders. `method` is how
    it was actually paid (the shopper may have switched from the one chosen at checkout)."""
    order = lock_order(pk=order_id)
    if order.status == Order.Status.PAID:
        return order
    if not can_proceed(order.pay_succeeded):
        transition_refuse(order, "record a payment")
    if method:
        order.payment_method = method  # saved with the transition (update_fields)
    return _order_mark_paid(
        order=order,
        transition="pay_succeeded",
        actor=actor,
        note=wording.PAYMENT_RECEIVED,
        paid_at=paid_at,
    )


@transaction.atomic
def order_cod_confirm(*, order_no: str, actor: Actor) -> Order:
    """Cash on delivery: the order goes ahead unpaid (cash is collected at the door)."""
    order = lock_order_for_actor(order_no=order_no, actor=actor)
    if order.status == Order.Status.PAID:
        return order
    if not can_proceed(order.cod_confirmed):
        transition_refuse(order, "confirm cash on delivery")
    return _order_mark_paid(
        order=order,
        transition="cod_confirmed",
        actor=actor,
        note=wording.COD_CONFIRMED,
        confirmed_at=timezone.now(),
    )
