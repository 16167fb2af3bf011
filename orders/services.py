"""The only code that changes orders: creation, payment outcomes, the split into sub-orders and
every sub-order transition of DESIGN.md "Order lifecycle".

Each service opens a transaction, locks the rows it changes (the parent order before its
sub-orders, lines by pk), checks the transition, saves with `update_fields`, writes one OrderEvent
and emits one DomainEvent per transition (orders.events). A call that finds the row already in
the target state returns it unchanged; any other state raises TransitionNotAllowed (409).
"""

import hashlib
import json
import logging
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from catalog.models import CartItem, Product, StockRecord
from catalog.services import flash_gate
from catalog.services.flash_sales import flash_sale_claim, flash_sale_unclaim, running_flash_sales
from catalog.services.stock import (
    StockPlanStale,
    stock_allocate_planned,
    stock_consume,
    stock_plan_allocation,
    stock_release,
)
from shop import events as nodes
from shop.accounts.models import Address, HeldCoupon
from shop.accounts.selectors import address_get_for_user
from shop.accounts.services import customer_mark_first_paid
from shop.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    OutOfStock,
    PriceChanged,
    TransitionNotAllowed,
)
from shop.ids import new_business_number
from shop.money import ZERO, apportion, apportion_capped, to_money

from .events import order_event_record, order_transition_record
from .lock_objects import (
    lock_order,
    lock_order_for_actor,
    lock_order_lines,
    lock_sub_order,
    lock_sub_order_by_id,
)
from .models import Order, OrderEvent, OrderLine, PaymentMethod, PriceLine, SubOrder
from .pricing import normalise_items, quote_order

logger = logging.getLogger(__name__)

IDEMPOTENCY_CONSTRAINT = "order_idempotency_key_per_user"


# --- who may touch what ---------------------------------------------------------------------


def _actor_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _refuse(obj, transition: str) -> None:
    raise TransitionNotAllowed(
        f"Cannot {transition.replace('_', ' ')} while {obj.get_status_display().lower()}.",
        extra={"status": obj.status},
    )


# --- stock and coupon side of a closed order -------------------------------------------------


def _in_stock_lock_order(lines: list[OrderLine]) -> list[OrderLine]:
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


def _release_lines(*, lines: list[OrderLine], order_no: str, reason: str, actor) -> None:
    """Give back what these lines still hold allocated (refunded units were released by the
    after-sales case that refunded them)."""
    for line in _in_stock_lock_order(lines):
        quantity = line.quantity - line.refunded_quantity
        if quantity > 0:
            stock_release(
                sku_id=line.sku_id,
                warehouse_id=line.warehouse_id,
                quantity=quantity,
                order_no=order_no,
                reason=reason,
                actor=_actor_or_none(actor),
            )


def _return_coupon(order: Order) -> None:
    if order.held_coupon_id:
        HeldCoupon.objects.filter(pk=order.held_coupon_id, used_on_order_no=order.order_no).update(
            used_at=None, used_on_order_no=""
        )


# --- preview and creation ---------------------------------------------------------------------


def _cart_items(user) -> list[tuple[int, int]]:
    items = CartItem.objects.filter(cart__user=user).order_by("added_at", "pk")
    return list(items.values_list("sku_id", "quantity"))


def _items_or_cart(*, user, items) -> list[tuple[int, int]]:
    """The items given, or the cart's. quote_order validates and merges them
    (orders.pricing.normalise_items)."""
    items = _cart_items(user) if items is None else items
    if not items:
        raise InvalidInput("There is nothing to order.", code="empty_order")
    return items


def _address_of(*, user, address_id) -> Address:
    """`address_id` is the address's public id, as pages and the API know it."""
    return address_get_for_user(user=user, public_id=address_id)


def order_preview(
    *,
    user,
    address_id: int | None,
    items: list[tuple[int, int]] | None,
    coupon_code: str | None = None,
):
    """The bill the shopper would pay (orders.pricing.Quote); writes nothing. Without an
    address id, the shopper's default address prices shipping."""
    if address_id is not None:
        province = _address_of(user=user, address_id=address_id).province
    else:
        address = Address.objects.filter(user=user).order_by("-is_default", "-pk").first()
        if address is None:
            raise InvalidInput(
                "Add a delivery address to see the shipping fee.", code="address_required"
            )
        province = address.province
    return quote_order(
        user=user,
        items=_items_or_cart(user=user, items=items),
        province=province,
        coupon_code=coupon_code or None,
    )


def _existing_order(*, user, idempotency_key: str) -> Order | None:
    if not idempotency_key:
        return None
    return Order.objects.filter(user=user, idempotency_key=idempotency_key).first()


def _lines_from_allocations(*, order: Order, quote, allocations) -> list[OrderLine]:
    """One line per (SKU, warehouse) allocation; a quoted line split over warehouses has its
    amounts apportioned by quantity, so the parts add up to the quoted line exactly."""
    by_sku: dict[int, list] = defaultdict(list)
    for allocation in allocations:
        by_sku[allocation.sku_id].append(allocation)
    lines = []
    for quoted in quote.lines:
        parts = by_sku[quoted.sku_id]
        weights = [Decimal(part.quantity) for part in parts]
        goods = apportion(quoted.goods_amount, weights)
        # Discounts split within the goods of each part: rounded independently, a nearly
        # free line could leave a part paying -0.01 (found in 2% of random splits).
        discount = apportion_capped(
            quoted.promotion_discount + quoted.member_discount, weights, caps=goods
        )
        promotion = apportion_capped(quoted.promotion_discount, weights, caps=discount)
        member = [d - p for d, p in zip(discount, promotion, strict=True)]
        shipping = apportion(quoted.shipping_share, weights)
        for i, part in enumerate(parts):
            lines.append(
                OrderLine(
                    order=order,
                    merchant_id=quoted.merchant_id,  # a SKU is stocked only by its merchant
                    warehouse_id=part.warehouse_id,
                    sku_id=quoted.sku_id,
                    product_title=quoted.product_title[:200],
                    sku_code=quoted.sku_code[:64],
                    sku_attributes=(quoted.sku_attributes or "")[:255],
                    image_url=(quoted.image_url or "")[:500],
                    unit_price=to_money(quoted.unit_price),
                    quantity=part.quantity,
                    goods_amount=goods[i],
                    promotion_discount=promotion[i],
                    member_discount=member[i],
                    shipping_share=shipping[i],
                    paid_amount=goods[i] - promotion[i] - member[i] + shipping[i],
                )
            )
    return OrderLine.objects.bulk_create(lines)


def _use_coupon(*, user, held_coupon_id: int, order_no: str, at) -> None:
    used = HeldCoupon.objects.filter(pk=held_coupon_id, user=user, used_at__isnull=True).update(
        used_at=at, used_on_order_no=order_no
    )
    if not used:
        raise InvalidInput("This coupon has already been used.", code="invalid_coupon")


class IdempotencyKeyReused(DomainError):
    status_code = 422
    default_code = "idempotency_key_reused"


def _fingerprint(**request) -> str:
    """What an order request asked for, as a digest: a retry sends the same; another order
    under a reused key does not. `expected_payable` is a guard, not part of what is ordered:
    a replay returns its order unchecked (order_create)."""
    canonical = json.dumps(request, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(existing: Order, fingerprint: str) -> Order:
    # Orders made before fingerprints were kept have none: their replays are answered as before.
    if existing.idempotency_fingerprint and existing.idempotency_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for another order request: send a new key "
            "for a new order, or the same request to get the order it made.",
            extra={"order_no": existing.order_no},
        )
    return existing


def order_create(
    *,
    user,
    address_id: int,
    items: list[tuple[int, int]] | None,
    payment_method: str,
    coupon_code: str | None = None,
    idempotency_key: str = "",
    buyer_note: str = "",
    expected_payable: Decimal | None = None,
) -> Order:
    """Price, reserve stock and write the order (pending payment). All or nothing: out of
    stock, a bad coupon or bad input writes nothing. The same idempotency key with the same
    request returns the order it created the first time, also when two requests race; with
    another request it raises IdempotencyKeyReused (422). Keys are kept with their orders, so
    the window is the order's lifetime (at least 24 hours, in practice for good).

    `expected_payable` is the amount the shopper was shown: if the order would cost anything
    else (a limited-time price ended, a promotion changed, the cart changed in another tab),
    PriceChanged and nothing is written. The order is created at exactly the quote compared,
    so no price can slip in between. A replayed key returns its order unchecked.

    The hot path (DESIGN "flash sales"): every read happens before the transaction; a SKU in a
    running flash sale first passes the Redis admission gate, which answers out_of_stock without
    a transaction once its stock is gone; inside the transaction the rows are inserted in bulk
    and the stock UPDATE is the last statement before COMMIT, so a hot SKU's row is locked for
    one statement."""
    idempotency_key = (idempotency_key or "").strip()[:64]
    fingerprint = ""
    if idempotency_key:
        fingerprint = _fingerprint(
            address_id=address_id,
            items=None if items is None else [list(item) for item in items],
            payment_method=payment_method,
            coupon_code=coupon_code or "",
            buyer_note=buyer_note or "",
        )
        existing = _existing_order(user=user, idempotency_key=idempotency_key)
        if existing is not None:
            return _replay(existing, fingerprint)
    if payment_method not in PaymentMethod.values:
        raise InvalidInput("Choose a payment method.", code="invalid_payment_method")
    wanted = normalise_items(
        _items_or_cart(user=user, items=items), max_quantity=settings.CART_MAX_QUANTITY_PER_LINE
    )
    now = timezone.now()
    flash = running_flash_sales(sku_ids=[sku_id for sku_id, _quantity in wanted], at=now)
    admitted = _admit(flash=flash, wanted=wanted)
    try:
        order = _order_create_attempts(
            user=user,
            address_id=address_id,
            wanted=wanted,
            flash=flash,
            payment_method=payment_method,
            coupon_code=coupon_code,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            buyer_note=buyer_note,
            expected_payable=expected_payable,
            now=now,
        )
    except OutOfStock as error:
        # The gate let in more than the database had: set it to the database's figure.
        for sku_id in admitted:
            if sku_id == error.extra.get("sku_id"):
                flash_gate.gate_correct(sku_id=sku_id)
            else:
                flash_gate.gate_release(sku_id=sku_id, quantity=admitted[sku_id])
        raise
    except BaseException:
        for sku_id, quantity in admitted.items():
            flash_gate.gate_release(sku_id=sku_id, quantity=quantity)
        raise
    if order.created_at < now:  # a racing twin with the same key made it: our units go back
        for sku_id, quantity in admitted.items():
            flash_gate.gate_release(sku_id=sku_id, quantity=quantity)
    return order


def _admit(*, flash: dict, wanted: list[tuple[int, int]]) -> dict[int, int]:
    """Pass the flash-sale gate of every gated SKU; {sku_id: units taken from its counter}.
    OutOfStock, with nothing taken, when one's stock is gone; a SKU whose gate is unavailable
    goes the database path."""
    admitted: dict[int, int] = {}
    for sku_id, quantity in wanted:
        if sku_id not in flash:
            continue
        try:
            passed = flash_gate.gate_admit(sku_id=sku_id, quantity=quantity)
        except flash_gate.GateUnavailable:
            continue
        if not passed:
            for taken_sku, taken in admitted.items():
                flash_gate.gate_release(sku_id=taken_sku, quantity=taken)
            raise OutOfStock(_("Sold out."), extra={"sku_id": sku_id, "available": 0})
        admitted[sku_id] = quantity
    return admitted


STOCK_PLAN_ATTEMPTS = 3


def _order_create_attempts(*, user, idempotency_key: str, **fields) -> Order:
    """One transaction, again when a warehouse the plan chose ran short while another still has
    the stock (rare: only SKUs stocked in several warehouses)."""
    for attempt in range(STOCK_PLAN_ATTEMPTS):
        try:
            return _order_create_once(user=user, idempotency_key=idempotency_key, **fields)
        except StockPlanStale:
            if attempt == STOCK_PLAN_ATTEMPTS - 1:
                raise Conflict(
                    "Stock is moving fast: please try again.", code="try_again"
                ) from None
        except IntegrityError as error:
            # A racing twin with the same key inserted first; its order is the answer.
            if idempotency_key and IDEMPOTENCY_CONSTRAINT in str(error):
                winner = _existing_order(user=user, idempotency_key=idempotency_key)
                if winner is not None:
                    return _replay(winner, fields["fingerprint"])
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _order_create_once(
    *,
    user,
    address_id: int,
    wanted: list[tuple[int, int]],
    flash: dict,
    payment_method: str,
    coupon_code: str | None,
    idempotency_key: str,
    fingerprint: str,
    buyer_note: str,
    expected_payable: Decimal | None,
    now,
) -> Order:
    # Reads first, outside the transaction: none of them needs a lock.
    address = _address_of(user=user, address_id=address_id)
    quote = quote_order(
        user=user,
        items=wanted,
        province=address.province,
        coupon_code=coupon_code or None,
        at=now,
    )
    if expected_payable is not None and quote.payable_amount != to_money(expected_payable):
        raise PriceChanged(
            expected_payable=to_money(expected_payable),
            payable_amount=quote.payable_amount,
            breakdown=list(quote.breakdown),
        )
    order_no = new_business_number("O")
    plan = stock_plan_allocation(
        lines=[(line.sku_id, line.quantity) for line in quote.lines], region=address.province
    )
    with transaction.atomic():
        # The insert comes first: a racing twin with the same key waits on the unique index
        # here, fails, and finds the winner (_order_create_attempts) before it takes any stock.
        order = Order.objects.create(
            order_no=order_no,
            user=user,
            payment_method=payment_method,
            recipient=address.recipient,
            phone=address.phone,
            province=address.province,
            city=address.city,
            district=address.district,
            address_detail=address.detail,
            buyer_note=(buyer_note or "")[:255],
            goods_amount=quote.goods_amount,
            promotion_discount=quote.promotion_discount,
            member_discount=quote.member_discount,
            shipping_fee=quote.shipping_fee,
            payable_amount=quote.payable_amount,
            held_coupon_id=quote.held_coupon_id,
            idempotency_key=idempotency_key,
            idempotency_fingerprint=fingerprint,
            payment_due_at=now + settings.ORDER_PAYMENT_TIMEOUT,
        )
        lines = _lines_from_allocations(order=order, quote=quote, allocations=plan)
        price_lines = PriceLine.objects.bulk_create(
            PriceLine(
                order=order,
                merchant_id=row.merchant_id,
                kind=row.kind,
                label=row.label[:128],
                amount=to_money(row.amount),
                position=position,
            )
            for position, row in enumerate(quote.breakdown)
        )
        if quote.held_coupon_id:
            _use_coupon(user=user, held_coupon_id=quote.held_coupon_id, order_no=order_no, at=now)
        # The ordered SKUs leave the cart: one DELETE (nothing refers to cart items).
        CartItem.objects.filter(
            cart__user=user, sku_id__in=[line.sku_id for line in quote.lines]
        ).delete()
        created = order_transition_record(
            node=nodes.ORDER_CREATED,
            order=order,
            actor=user,
            transition="create",
            from_state="",
            data={"payment_method": order.payment_method},
            actor_kind=OrderEvent.ActorKind.SHOPPER,  # no staff lookups on the hot path
        )
        # Row locks last: the shopper's own limit row, then the stock rows (one statement each).
        for sku_id, quantity in wanted:
            if sku_id in flash:
                flash_sale_claim(sale=flash[sku_id], user=user, quantity=quantity)
        stock_allocate_planned(allocations=plan, order_no=order_no, actor=user)
    # The order as orders.selectors.order_get_for_user would read it back, from what was just
    # written: the API answers a new order without reading it again.
    for relation, rows in (
        ("lines", lines),
        ("price_lines", price_lines),
        ("sub_orders", []),
        ("events", [created]),
    ):
        _prefetched(order, relation, rows)
    order.is_fresh = True
    return order


def _prefetched(order: Order, relation: str, rows: list) -> None:
    """What prefetch_related(relation) would leave on `order` (Django's own cache layout)."""
    queryset = getattr(order, relation).get_queryset()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    order.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = queryset


# --- the parent order --------------------------------------------------------------------------


def _close_unpaid(*, order: Order, transition: str, node: str, actor, note: str, **kwargs):
    from_state = order.status
    getattr(order, transition)(**kwargs)
    order.save(update_fields=["status", "closed_at", "close_reason"])
    lines = lock_order_lines(order=order)
    _release_lines(lines=lines, order_no=order.order_no, reason=order.close_reason, actor=actor)
    _return_coupon(order)
    # Units of a flash sale the order held no longer count against the shopper's limit.
    flash_sale_unclaim(
        user_id=order.user_id,
        lines=[(line.sku_id, line.quantity) for line in lines],
        ordered_at=order.created_at,
    )
    order_transition_record(
        node=node,
        order=order,
        actor=actor,
        transition=transition,
        from_state=from_state,
        note=note,
    )
    return order


@transaction.atomic
def order_cancel(*, order_no: str, actor, reason: str = "Cancelled by shopper") -> Order:
    order = lock_order_for_actor(order_no=order_no, actor=actor)
    if order.status == Order.Status.CANCELLED:
        return order
    if not can_proceed(order.cancel):
        _refuse(order, "cancel")
    reason = (reason or "Cancelled by shopper")[:255]
    return _close_unpaid(
        order=order,
        transition="cancel",
        node=nodes.ORDER_CANCELLED,
        actor=actor,
        note=reason,
        at=timezone.now(),
        reason=reason,
    )


@transaction.atomic
def order_expire(*, order_id: int) -> Order:
    """The payment deadline passed: cancel and give the stock back. Does nothing to an order
    that is paid, closed or not yet due (the sweep may race a payment)."""
    order = lock_order(pk=order_id)
    now = timezone.now()
    if not can_proceed(order.expire) or order.payment_due_at > now:
        return order
    return _close_unpaid(
        order=order,
        transition="expire",
        node=nodes.ORDER_EXPIRED,
        actor=None,
        note="Not paid in time",
        at=now,
    )


@transaction.atomic
def order_pay_failed(*, order_id: int, reason: str, actor=None) -> Order:
    order = lock_order(pk=order_id)
    if order.status == Order.Status.PAYMENT_FAILED:
        return order
    if not can_proceed(order.pay_failed):
        _refuse(order, "record a failed payment")
    reason = (reason or "Payment failed")[:255]
    return _close_unpaid(
        order=order,
        transition="pay_failed",
        node=nodes.ORDER_PAYMENT_FAILED,
        actor=actor,
        note=reason,
        at=timezone.now(),
        reason=reason,
    )


def _split_into_sub_orders(*, order: Order) -> list[SubOrder]:
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


def _mark_paid(*, order: Order, transition: str, actor, note: str, **kwargs) -> Order:
    from_state = order.status
    getattr(order, transition)(**kwargs)
    order.save(update_fields=["status", "paid_at", "payment_method"])
    sub_orders = _split_into_sub_orders(order=order)
    customer_mark_first_paid(user_id=order.user_id)
    order_transition_record(
        node=nodes.ORDER_PAID,
        order=order,
        actor=actor,
        transition=transition,
        from_state=from_state,
        note=note,
        data={"payment_method": order.payment_method},
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
def order_pay_succeeded(*, order_id: int, paid_at, actor=None, method: str = "") -> Order:
    """The payment is confirmed: the order is paid and split into sub-orders. `method` is how
    it was actually paid (the shopper may have switched from the one chosen at checkout)."""
    order = lock_order(pk=order_id)
    if order.status == Order.Status.PAID:
        return order
    if not can_proceed(order.pay_succeeded):
        _refuse(order, "record a payment")
    if method:
        order.payment_method = method  # saved with the transition (update_fields)
    return _mark_paid(
        order=order,
        transition="pay_succeeded",
        actor=actor,
        note="Payment received",
        paid_at=paid_at,
    )


def order_place(*, user, **order_fields) -> Order:
    """A shopper's "place order", on the page and in the API: order_create, then a cash-on-
    delivery order goes ahead at once (submitting confirms it; left pending it would expire
    after ORDER_PAYMENT_TIMEOUT). A replayed key confirms only an order still pending (its first
    request died in between); two racing requests confirm it once, under the order lock."""
    order = order_create(user=user, **order_fields)
    if order.payment_method == PaymentMethod.COD and order.status == Order.Status.PENDING_PAYMENT:
        order = order_cod_confirm(order_no=order.order_no, actor=user)
    return order


@transaction.atomic
def order_cod_confirm(*, order_no: str, actor) -> Order:
    """Cash on delivery: the order goes ahead unpaid (cash is collected at the door)."""
    order = lock_order_for_actor(order_no=order_no, actor=actor)
    if order.status == Order.Status.PAID:
        return order
    if not can_proceed(order.cod_confirmed):
        _refuse(order, "confirm cash on delivery")
    return _mark_paid(
        order=order,
        transition="cod_confirmed",
        actor=actor,
        note="Cash on delivery confirmed",
        confirmed_at=timezone.now(),
    )


@transaction.atomic
def order_confirm_receipt(*, order_no: str, actor) -> Order:
    """The shopper confirms receipt of every parcel of the order that is on its way (only the
    shopper: see sub_order_confirm_receipt)."""
    order = lock_order_for_actor(order_no=order_no, actor=actor)
    if order.user_id != getattr(actor, "pk", None):
        raise NotFound("Order not found.")
    if order.status != Order.Status.PAID:
        _refuse(order, "confirm receipt")
    sub_orders = list(SubOrder.objects.select_for_update().filter(order=order).order_by("pk"))
    open_ones = [
        s for s in sub_orders if s.status in (SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED)
    ]
    if not open_ones:
        if any(s.status == SubOrder.Status.RECEIVED for s in sub_orders):
            return order
        raise TransitionNotAllowed(
            "Nothing of this order is on its way yet.", extra={"status": order.status}
        )
    for sub_order in open_ones:
        sub_order.order = order
        _confirm(sub_order=sub_order, actor=actor)
    return order


# --- sub-orders --------------------------------------------------------------------------------


def _sub_transition(
    *,
    sub_order: SubOrder,
    transition: str,
    node: str,
    actor,
    note: str = "",
    fields: list[str],
    **kwargs,
) -> SubOrder:
    from_state = sub_order.status
    getattr(sub_order, transition)(**kwargs)
    sub_order.save(update_fields=["status", *fields])
    order_transition_record(
        node=node,
        order=sub_order.order,
        sub_order=sub_order,
        actor=actor,
        transition=transition,
        from_state=from_state,
        note=note,
    )
    return sub_order


@transaction.atomic
def sub_order_ship(*, sub_order_id: int, actor, note: str = "") -> SubOrder:
    """Every parcel is with the carrier: the reserved stock leaves the warehouse."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status == SubOrder.Status.SHIPPED:
        return sub_order
    if not can_proceed(sub_order.ship):
        _refuse(sub_order, "ship")
    for line in _in_stock_lock_order(lock_order_lines(sub_order=sub_order)):
        quantity = line.quantity - line.refunded_quantity
        if quantity > 0:
            stock_consume(
                sku_id=line.sku_id,
                warehouse_id=line.warehouse_id,
                quantity=quantity,
                order_no=sub_order.order.order_no,
                actor=_actor_or_none(actor),
            )
    now = timezone.now()
    return _sub_transition(
        sub_order=sub_order,
        transition="ship",
        node=nodes.SUBORDER_SHIPPED,
        actor=actor,
        note=note,
        fields=["shipped_at", "auto_confirm_at"],
        at=now,
        auto_confirm_at=now + timedelta(days=settings.AUTO_CONFIRM_DAYS),
    )


@transaction.atomic
def sub_order_deliver(*, sub_order_id: int, actor=None) -> SubOrder:
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status == SubOrder.Status.DELIVERED:
        return sub_order
    if not can_proceed(sub_order.deliver):
        _refuse(sub_order, "mark delivered")
    return _sub_transition(
        sub_order=sub_order,
        transition="deliver",
        node=nodes.SUBORDER_DELIVERED,
        actor=actor,
        fields=["delivered_at"],
        at=timezone.now(),
    )


def _confirm(*, sub_order: SubOrder, actor) -> SubOrder:
    now = timezone.now()
    return _sub_transition(
        sub_order=sub_order,
        transition="confirm",
        node=nodes.SUBORDER_RECEIVED,
        actor=actor,
        note="Receipt confirmed"
        if getattr(actor, "pk", None)
        else "Receipt confirmed automatically",
        fields=["received_at", "auto_complete_at"],
        at=now,
        auto_complete_at=now + timedelta(days=settings.AFTERSALES_WINDOW_DAYS),
    )


@transaction.atomic
def sub_order_confirm_receipt(*, sub_order_no: str, actor) -> SubOrder:
    """The shopper (or the auto-confirm timer, actor None) confirms the parcel arrived. The
    timer does nothing while an after-sales case is open; the shopper still can.

    Only the shopper can say so: staff who can see the sub-order (its merchant, operations)
    get the same 404 as a stranger, since a receipt starts the after-sales clock."""
    sub_order = lock_sub_order(sub_order_no=sub_order_no, actor=actor)
    if actor is not None and sub_order.order.user_id != getattr(actor, "pk", None):
        raise NotFound("Sub-order not found.")
    if sub_order.status == SubOrder.Status.RECEIVED:
        return sub_order
    if actor is None and sub_order.aftersales_open:
        # The timer waits while a case is open (its deadline moves on when the case ends).
        return sub_order
    if not can_proceed(sub_order.confirm):
        _refuse(sub_order, "confirm receipt")
    return _confirm(sub_order=sub_order, actor=actor)


@transaction.atomic
def sub_order_refuse(*, sub_order_id: int, actor, reason: str) -> SubOrder:
    """The shopper refused the parcel. The goods come back through logistics, which returns
    them to stock on arrival; the refund follows through after-sales."""
    return _close(
        sub_order_id=sub_order_id,
        actor=actor,
        reason=reason or "Parcel refused",
        transition="refuse",
        node=nodes.SUBORDER_REFUSED,
        refusal="refuse the parcel",
    )


@transaction.atomic
def sub_order_complete(*, sub_order_id: int) -> SubOrder:
    """The after-sales window passed: the trade succeeded. Waits while a case is open."""
    sub_order = lock_sub_order_by_id(sub_order_id)
    if sub_order.status == SubOrder.Status.COMPLETED or sub_order.aftersales_open:
        return sub_order
    if not can_proceed(sub_order.complete):
        _refuse(sub_order, "complete")
    return _sub_transition(
        sub_order=sub_order,
        transition="complete",
        node=nodes.SUBORDER_COMPLETED,
        actor=None,
        note="Trade completed",
        fields=["completed_at"],
        at=timezone.now(),
    )


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


def _close(
    *,
    sub_order_id: int,
    actor,
    reason: str,
    transition: str,
    node: str,
    refusal: str = "close",
    release_stock: bool = False,
) -> SubOrder:
    """Close the sub-order for `reason` (already closed: returned as it is). Closing before
    shipment (`release_stock`) gives the stock reserved for its lines back."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status == SubOrder.Status.CLOSED:
        return sub_order
    return _close_locked(
        sub_order=sub_order,
        actor=actor,
        reason=reason,
        transition=transition,
        node=node,
        refusal=refusal,
        release_stock=release_stock,
    )


# Closing a sub-order through these, before anything of the order shipped, may give the coupon
# back (_return_coupon_if_nothing_shipped).
_CLOSED_BEFORE_SHIPMENT = ("refund", "out_of_stock")


def _close_locked(
    *,
    sub_order: SubOrder,
    actor,
    reason: str,
    transition: str,
    node: str,
    refusal: str = "close",
    release_stock: bool = False,
    fields: tuple[str, ...] = (),
) -> SubOrder:
    """_close on a sub-order its caller has locked (with its order) and found not closed;
    `fields` are what the transition changes besides closed_at and close_reason."""
    if not can_proceed(getattr(sub_order, transition)):
        _refuse(sub_order, refusal)
    reason = reason[:255]
    if release_stock:
        _release_lines(
            lines=lock_order_lines(sub_order=sub_order),
            order_no=sub_order.order.order_no,
            reason=reason,
            actor=actor,
        )
    now = timezone.now()
    sub_order = _sub_transition(
        sub_order=sub_order,
        transition=transition,
        node=node,
        actor=actor,
        note=reason,
        fields=["closed_at", "close_reason", *fields],
        at=now,
        reason=reason,
    )
    if transition in _CLOSED_BEFORE_SHIPMENT:
        _return_coupon_if_nothing_shipped(order=sub_order.order, now=now)
    return sub_order


def _return_coupon_if_nothing_shipped(*, order: Order, now) -> None:
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
        _return_coupon(order)


@transaction.atomic
def sub_order_close_out_of_stock(*, sub_order_id: int, actor, reason: str) -> SubOrder:
    """The merchant cannot ship: close before shipment and release the reserved stock."""
    return _close(
        sub_order_id=sub_order_id,
        actor=actor,
        reason=reason or "Out of stock",
        transition="out_of_stock",
        node=nodes.SUBORDER_OUT_OF_STOCK,
        release_stock=True,
    )


@transaction.atomic
def sub_order_close_refunded(*, sub_order_id: int, actor, reason: str) -> SubOrder:
    """A refund before shipment was approved: close and release the reserved stock."""
    return _close(
        sub_order_id=sub_order_id,
        actor=actor,
        reason=reason or "Refunded before shipment",
        transition="refund",
        node=nodes.SUBORDER_CLOSED,
        release_stock=True,
    )


@transaction.atomic
def sub_order_refund_all(*, sub_order_id: int, actor, reason: str) -> SubOrder:
    """Every line of a received sub-order was refunded: the trade is closed."""
    return _close(
        sub_order_id=sub_order_id,
        actor=actor,
        reason=reason or "Fully refunded",
        transition="refund_all",
        node=nodes.SUBORDER_CLOSED,
        refusal="close as refunded",
    )


# What closes a sub-order whose every unit after-sales refunded, by the state it is in:
# (transition, gives the reserved stock back, fields the transition changes besides closing).
_CLOSE_AFTER_REFUND = {
    SubOrder.Status.AWAITING_SHIPMENT: ("refund", True, ()),
    SubOrder.Status.SHIPPED: ("close_refunded", False, ("auto_confirm_at",)),
    SubOrder.Status.DELIVERED: ("close_refunded", False, ("auto_confirm_at",)),
    SubOrder.Status.RECEIVED: ("refund_all", False, ()),
}


@transaction.atomic
def sub_order_close_after_refund(*, sub_order_id: int, actor, reason: str) -> SubOrder:
    """After-sales refunded every unit of the sub-order: close it, whatever stage it reached.
    Awaiting shipment: `refund` (stock still reserved for its lines is given back, as in
    sub_order_close_refunded); shipped or delivered: `close_refunded` (automatic receipt is
    cleared); received: `refund_all`. Already closed: returned as it is. Completed (the trade
    succeeded) or anything else: TransitionNotAllowed."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status == SubOrder.Status.CLOSED:
        return sub_order
    transition, release_stock, fields = _CLOSE_AFTER_REFUND.get(
        sub_order.status, ("close_refunded", False, ())
    )
    return _close_locked(
        sub_order=sub_order,
        actor=actor,
        reason=reason or "Refunded in full",
        transition=transition,
        node=nodes.SUBORDER_CLOSED,
        refusal="close as refunded",
        release_stock=release_stock,
        fields=fields,
    )


@transaction.atomic
def order_line_record_refund(*, line_id: int, amount: Decimal, quantity: int) -> OrderLine:
    """Add a refund to a line. Never more than the line paid or holds (Conflict otherwise)."""
    if isinstance(amount, float):
        raise InvalidInput("Refund amount must be a decimal.", code="invalid_amount")
    amount = to_money(amount)
    if amount < 0 or not isinstance(quantity, int) or quantity < 0:
        raise InvalidInput("Refund amount and quantity cannot be negative.", code="invalid_amount")
    try:
        line = OrderLine.objects.select_for_update().get(pk=line_id)
    except OrderLine.DoesNotExist:
        raise NotFound("Order line not found.") from None
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


# --- a parcel lost in transit ------------------------------------------------------------------


@transaction.atomic
def sub_order_hold_auto_confirm(*, sub_order_id: int, reason: str, actor) -> SubOrder:
    """A parcel of the sub-order was lost: the clock must not confirm receipt of goods the
    shopper never got. Clears auto_confirm_at (the sweep only picks rows whose deadline has
    passed, so an empty one is never due) until logistics settles the loss. Idempotent."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status not in (SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED):
        return sub_order
    if sub_order.auto_confirm_at is None:
        return sub_order
    sub_order.auto_confirm_at = None
    sub_order.save(update_fields=["auto_confirm_at"])
    order_event_record(
        order=sub_order.order,
        sub_order=sub_order,
        actor=actor,
        transition="auto_confirm_held",
        from_state=sub_order.status,
        to_state=sub_order.status,
        note=(reason or "Parcel lost: automatic receipt on hold")[:255],
    )
    return sub_order


# The shopper gets at least this long to look at what did arrive once a hold ends, even when
# AUTO_CONFIRM_DAYS after shipping passed while it was held.
AUTO_CONFIRM_GRACE_AFTER_HOLD = timedelta(days=1)


@transaction.atomic
def sub_order_resume_auto_confirm(*, sub_order_id: int, reason: str, actor) -> SubOrder:
    """The lost parcel was settled (or turned up): the auto-confirm clock runs again, to the
    usual AUTO_CONFIRM_DAYS after shipping but never sooner than a grace period from now.
    Does nothing when no hold is in place."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status not in (SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED):
        return sub_order
    if sub_order.auto_confirm_at is not None:
        return sub_order
    now = timezone.now()
    usual = (sub_order.shipped_at or now) + timedelta(days=settings.AUTO_CONFIRM_DAYS)
    sub_order.auto_confirm_at = max(usual, now + AUTO_CONFIRM_GRACE_AFTER_HOLD)
    sub_order.save(update_fields=["auto_confirm_at"])
    order_event_record(
        order=sub_order.order,
        sub_order=sub_order,
        actor=actor,
        transition="auto_confirm_resumed",
        from_state=sub_order.status,
        to_state=sub_order.status,
        note=(reason or "Automatic receipt resumed")[:255],
    )
    return sub_order


@transaction.atomic
def sub_order_close_lost(*, sub_order_id: int, actor, reason: str) -> SubOrder:
    """Nothing of a shipped sub-order reached the shopper (its parcels were lost and refunded,
    or refused): the trade is closed. A received one (the shopper confirmed before the loss
    was known) closes as fully refunded. Already closed: returned as it is."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=actor)
    if sub_order.status == SubOrder.Status.CLOSED:
        return sub_order
    reason = (reason or "Parcel lost: refunded")[:255]
    received = sub_order.status == SubOrder.Status.RECEIVED
    transition = "refund_all" if received else "lost_refunded"
    if not can_proceed(getattr(sub_order, transition)):
        _refuse(sub_order, "close as lost")
    return _sub_transition(
        sub_order=sub_order,
        transition=transition,
        node=nodes.SUBORDER_CLOSED,
        actor=actor,
        note=reason,
        fields=["closed_at", "close_reason", *([] if received else ["auto_confirm_at"])],
        at=timezone.now(),
        reason=reason,
    )
