"""Checkout: the bill before the order (order_preview), and placing the order from the items
or the cart (order_create, order_place): priced by orders.pricing, stock reserved per
warehouse, idempotent on the shopper's Idempotency-Key, past the flash-sale gate."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cart.models import CartItem
from catalog.actors import Actor
from catalog.services import flash_gate
from catalog.services.flash_sales import flash_sale_claim, running_flash_sales
from catalog.services.stock import StockPlanStale, stock_allocate_planned, stock_plan_allocation
from shop import events as nodes
from shop.accounts.models import HeldCoupon
from shop.accounts.selectors import address_get_for_user, default_address_for_user
from shop.errors import Conflict, InvalidInput, OutOfStock, PriceChanged
from shop.ids import new_business_number
from shop.money import apportion, apportion_capped, to_money

from ..events import order_transition_record
from ..models import Order, OrderLine, PaymentMethod, PriceLine
from ..pricing import normalise_items, quote_order
from ..selectors import order_items_or_cart
from .idempotency import (
    IDEMPOTENCY_CONSTRAINT,
    order_for_key,
    order_replay,
    order_request_fingerprint,
)
from .payment import order_cod_confirm


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
        province = address_get_for_user(user=user, public_id=address_id).province
    else:
        address = default_address_for_user(user)
        if address is None:
            raise InvalidInput(
                "Add a delivery address to see the shipping fee.", code="address_required"
            )
        province = address.province
    return quote_order(
        user=user,
        items=order_items_or_cart(user=user, items=items),
        province=province,
        coupon_code=coupon_code or None,
    )


def order_for(
    *,
    order_no: str,
    user,
    payment_method: str,
    address,
    quote,
    buyer_note: str,
    idempotency_key: str,
    fingerprint: str,
    now,
) -> Order:
    """The order row, unsaved, as placing it writes it: a snapshot of the address, the quote's
    amounts, the payment deadline."""
    return Order(
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


def order_lines_for(*, order: Order, quote, allocations) -> list[OrderLine]:
    """The order's lines, unsaved: one per (SKU, warehouse) allocation; a quoted line split over
    warehouses has its amounts apportioned by quantity, so the parts add up to the quoted line
    exactly."""
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
    return lines


def price_lines_for(*, order: Order, quote) -> list[PriceLine]:
    """The order's bill rows, unsaved, in the quote's order."""
    return [
        PriceLine(
            order=order,
            merchant_id=row.merchant_id,
            kind=row.kind,
            label=row.label[:128],
            amount=to_money(row.amount),
            position=position,
        )
        for position, row in enumerate(quote.breakdown)
    ]


def _use_coupon(*, user, held_coupon_id: int, order_no: str, at) -> None:
    used = HeldCoupon.objects.filter(pk=held_coupon_id, user=user, used_at__isnull=True).update(
        used_at=at, used_on_order_no=order_no
    )
    if not used:
        raise InvalidInput("This coupon has already been used.", code="invalid_coupon")


def order_create(
    *,
    actor: Actor,
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
    one statement.

    The order is `actor`'s own: whoever places an order buys as its shopper."""
    user = actor.user
    if user is None:
        raise ValueError("An order is placed by a signed-in shopper, never by the system.")
    idempotency_key = (idempotency_key or "").strip()[:64]
    fingerprint = ""
    if idempotency_key:
        fingerprint = order_request_fingerprint(
            address_id=address_id,
            items=None if items is None else [list(item) for item in items],
            payment_method=payment_method,
            coupon_code=coupon_code or "",
            buyer_note=buyer_note or "",
        )
        existing = order_for_key(user=user, idempotency_key=idempotency_key)
        if existing is not None:
            return order_replay(existing, fingerprint)
    if payment_method not in PaymentMethod.values:
        raise InvalidInput("Choose a payment method.", code="invalid_payment_method")
    wanted = normalise_items(
        order_items_or_cart(user=user, items=items),
        max_quantity=settings.CART_MAX_QUANTITY_PER_LINE,
    )
    now = timezone.now()
    flash = running_flash_sales(sku_ids=[sku_id for sku_id, _quantity in wanted], at=now)
    admitted = _admit(flash=flash, wanted=wanted)
    try:
        order = _order_create_attempts(
            user=user,
            actor=actor,
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


def sold_out(sku_id: int) -> OutOfStock:
    """The answer to an attempt the flash-sale gate turned away: its SKU's stock is gone."""
    return OutOfStock(_("Sold out."), extra={"sku_id": sku_id, "available": 0})


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
            raise sold_out(sku_id)
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
                winner = order_for_key(user=user, idempotency_key=idempotency_key)
                if winner is not None:
                    return order_replay(winner, fields["fingerprint"])
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _order_create_once(
    *,
    user,
    actor: Actor,
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
    address = address_get_for_user(user=user, public_id=address_id)
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
        order = order_for(
            order_no=order_no,
            user=user,
            payment_method=payment_method,
            address=address,
            quote=quote,
            buyer_note=buyer_note,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            now=now,
        )
        order.save(force_insert=True)
        lines = OrderLine.objects.bulk_create(
            order_lines_for(order=order, quote=quote, allocations=plan)
        )
        price_lines = PriceLine.objects.bulk_create(price_lines_for(order=order, quote=quote))
        if quote.held_coupon_id:
            _use_coupon(user=user, held_coupon_id=quote.held_coupon_id, order_no=order_no, at=now)
        # The ordered SKUs leave the cart: one DELETE (nothing refers to cart items).
        CartItem.objects.filter(
            cart__user=user, sku_id__in=[line.sku_id for line in quote.lines]
        ).delete()
        created = order_transition_record(
            node=nodes.ORDER_CREATED,
            order=order,
            actor=actor,
            transition="create",
            from_state="",
            data={"payment_method": order.payment_method},
        )
        # Row locks last: the shopper's own limit row, then the stock rows (one statement each).
        for sku_id, quantity in wanted:
            if sku_id in flash:
                flash_sale_claim(sale=flash[sku_id], user=user, quantity=quantity)
        stock_allocate_planned(allocations=plan, order_no=order_no, actor=actor)
    # The order as orders.selectors.order_get_for_user would read it back, from what was just
    # written: the API answers a new order without reading it again.
    order_as_read_back(order, lines=lines, price_lines=price_lines, events=[created])
    return order


def order_as_read_back(order: Order, *, lines, price_lines, events) -> None:
    """Leave on a just-written `order` what orders.selectors.order_get_for_user would read back
    (a new order has no sub-orders yet), so the API answers it without reading it again."""
    for relation, rows in (
        ("lines", lines),
        ("price_lines", price_lines),
        ("sub_orders", []),
        ("events", events),
    ):
        _prefetched(order, relation, rows)
    order.is_fresh = True


def _prefetched(order: Order, relation: str, rows: list) -> None:
    """What prefetch_related(relation) would leave on `order` (Django's own cache layout)."""
    queryset = getattr(order, relation).get_queryset()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    order.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = queryset


def order_place(*, actor: Actor, **order_fields) -> Order:
    """A shopper's "place order", on the page and in the API: order_create, then a cash-on-
    delivery order goes ahead at once (submitting confirms it; left pending it would expire
    after ORDER_PAYMENT_TIMEOUT). A replayed key confirms only an order still pending (its first
    request died in between); two racing requests confirm it once, under the order lock."""
    order = order_create(actor=actor, **order_fields)
    if order.payment_method == PaymentMethod.COD and order.status == Order.Status.PENDING_PAYMENT:
        order = order_cod_confirm(order_no=order.order_no, actor=actor)
    return order
