"""The flash-sale lane of order creation: the same order as order_create, written with a few raw
statements instead of some twenty ORM ones, for the one shape of request a flash sale brings by
the thousand (one SKU in a running sale, no coupon, a single warehouse).

Why a second writer: during a sale every winning attempt runs this code, and the web tier's CPU,
not PostgreSQL, was the limit (docs/benchmarks.md: about 13 ms of Python per order in
order_create, most of it the ORM compiling queries). What is the same as order_create, by
construction or checked by tests/orders/test_flash_lane.py row by row:

- the rows: Order, OrderLine, PriceLine are built by checkout's own builders (order_lines_for,
  price_lines_for) from the same quote_order result, and inserted with the values Model.save()
  would write (field defaults, auto_now_add); the cart rows of the SKU are deleted; the
  timeline row and the notification outbox come from order_transition_record, as in
  order_create; the ledger row is the one stock_allocate_planned writes;
- the guarantees: the flash sale's per-shopper limit (the same conditional upsert), the stock
  taken by the conditional UPDATE as the last statement before COMMIT (the hot row is locked for
  that one statement), all or nothing in one transaction, the idempotency key's unique index.

What is different: the pricing of one (SKU, quantity, province, membership, language) is kept
for the sale's cache window (orders.pricing keeps the catalogue reads of flash SKUs the same
way), and the single stock row of the SKU is remembered, so an attempt reads nothing before its
transaction but the shopper's facts (one query, shopper_facts_load).

Anything else returns None and the caller takes order_create, which answers every other case
(a replayed key, the limit reached, a coupon, a price check that fails, a second warehouse, the
gate down, stock short after all) exactly as before.
"""

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from cart.models import Cart, CartItem
from catalog.actors import Actor, Role
from catalog.models import FlashSalePurchase, StockMove, StockRecord
from catalog.services import flash_gate
from catalog.services.flash_sales import RunningSale, flash_sales_generation
from catalog.services.stock import Allocation, allocation_moves
from shop import events as nodes
from shop.accounts.models import Address, CustomerProfile, MembershipTier
from shop.db import (
    insertable_fields,
    json_insert_sql,
    prepared_cursor,
    read_without_health_check,
    row_as_json,
    rows_as_json,
)
from shop.errors import domain_error_body
from shop.ids import new_business_number

from ..events import order_event_for, order_transition_announce
from ..models import Order, OrderEvent, OrderLine, PaymentMethod, PriceLine
from ..pricing import MemberStatus, quote_order
from .checkout import (
    order_for,
    order_lines_for,
    price_lines_for,
    sold_out,
)
from .idempotency import order_request_fingerprint

# How long a flash SKU's quote and stock row are kept per process, never past the sale's end
# (the catalogue reads behind the quote are kept as long: orders.pricing.flash_sales).
LANE_CACHE_SECONDS = 30
# Online payment only: a cash-on-delivery order is confirmed at once (order_place), a longer
# path that flash sales do not need to be fast.
LANE_PAYMENT_METHODS = frozenset({PaymentMethod.ALIPAY, PaymentMethod.WECHAT})


@dataclass(frozen=True)
class ShopperFacts:
    """What an attempt needs to know of its shopper, read in one query."""

    user_id: int
    username: str
    address: Address | None  # None: not one of theirs
    member: MemberStatus
    replayed_order_id: int | None  # an order already made under this Idempotency-Key


def shopper_facts_load(
    *, token_key: str, address_public_id: str, idempotency_key: str
) -> ShopperFacts | None:
    """The active shopper of an API token, their address with that public id, their
    membership and the order of their Idempotency-Key, in one query. None: no such active
    token (the caller answers 401 the usual way)."""
    try:
        public_id = uuid.UUID(str(address_public_id))
    except (TypeError, ValueError):
        public_id = None
    user_table = get_user_model()._meta.db_table
    # The statement is prepared (shop.db.prepared_cursor), so its plan is made without the
    # values: `idempotency_key <> ''` is written on the column, as the unique index's own
    # condition, so that the plan for any key can use that index.
    address_columns = ["id", "recipient", "phone", "province", "city", "district", "detail"]
    sql = f"""
        SELECT u.id, u.username, {", ".join(f"a.{c}" for c in address_columns)},
               p.id IS NOT NULL, t.name, t.discount_percent, p.is_new_customer,
               (SELECT o.id FROM {Order._meta.db_table} o
                 WHERE o.user_id = u.id AND o.idempotency_key = %s
                   AND o.idempotency_key <> '' LIMIT 1)
          FROM {Token._meta.db_table} k
          JOIN {user_table} u ON u.id = k.user_id
          LEFT JOIN {Address._meta.db_table} a ON a.user_id = u.id AND a.public_id = %s
          LEFT JOIN {CustomerProfile._meta.db_table} p ON p.user_id = u.id
          LEFT JOIN {MembershipTier._meta.db_table} t ON t.id = p.tier_id
         WHERE k.key = %s AND u.is_active
    """

    def read():
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, [idempotency_key, public_id, token_key])
            return cursor.fetchone()

    # The request's first statement: it stands in for the connection's health check.
    row = read_without_health_check(connection, read)
    if row is None:
        return None
    user_id, username, *address_values = row[:9]
    has_profile, tier_name, discount_percent, is_new_customer, replayed = row[9:]
    address = None
    if address_values[0] is not None and public_id is not None:
        address = Address(
            user_id=user_id,
            public_id=public_id,
            **dict(zip(address_columns, address_values, strict=True)),
        )
    # As orders.pricing.member_status_load reads it: no profile, no tier, no discount.
    member = MemberStatus()
    if has_profile:
        member = MemberStatus(
            tier_name=tier_name or "",
            discount_percent=discount_percent if tier_name is not None else Decimal("0"),
            is_new_customer=is_new_customer,
        )
    return ShopperFacts(
        user_id=user_id,
        username=username,
        address=address,
        member=member,
        replayed_order_id=replayed,
    )


# --- what is kept per process for the sale -------------------------------------------------

_lock = threading.Lock()
_quotes: dict[tuple, tuple[datetime, object]] = {}
_stock_rows: dict[tuple, tuple[datetime, tuple[int, int] | None]] = {}


def _kept(store: dict, key: tuple, at: datetime, sale: RunningSale, load):
    with _lock:
        cached = store.get(key)
    if cached is not None and at < cached[0]:
        return cached[1]
    value = load()
    until = min(at + timedelta(seconds=LANE_CACHE_SECONDS), sale.ends_at)
    with _lock:
        if len(store) > 10_000:  # a bound, not an eviction policy: sales are few
            store.clear()
        store[key] = (until, value)
    return value


def _quote(*, sale: RunningSale, quantity: int, province: str, member: MemberStatus, at):
    # The sale itself is part of the key (its price, times and limit, as this process last read
    # them: an edit in another process shows here once the running sales are read again, within
    # catalog's RUNNING_CACHE_SECONDS), and so is the language the bill rows are worded in.
    key = (
        sale,
        quantity,
        province,
        member,
        translation.get_language(),
        flash_sales_generation(),
    )
    return _kept(
        _quotes,
        key,
        at,
        sale,
        lambda: quote_order(
            user=None, items=[(sale.sku_id, quantity)], province=province, at=at, member=member
        ),
    )


def _single_stock_row(*, sale: RunningSale, at) -> tuple[int, int] | None:
    """(stock record id, warehouse id) when the SKU is stocked in exactly one active warehouse:
    then that row is the only plan stock_plan_allocation could make."""

    def load():
        rows = list(
            StockRecord.objects.filter(sku_id=sale.sku_id, warehouse__is_active=True).values_list(
                "pk", "warehouse_id"
            )[:2]
        )
        return rows[0] if len(rows) == 1 else None

    return _kept(_stock_rows, (sale.sku_id, flash_sales_generation()), at, sale, load)


def flash_lane_forget() -> None:
    """Drop what the lane keeps (tests; a process that must see an edit at once)."""
    with _lock:
        _quotes.clear()
        _stock_rows.clear()


# --- the writes ----------------------------------------------------------------------------


_statements: dict[str, str] = {}


def _statement(name: str, build) -> str:
    """A statement's text, built once per process: the rows travel as JSON parameters
    (shop.db.rows_as_json), so the text never changes, and psycopg parses it once."""
    sql = _statements.get(name)
    if sql is None:
        sql = _statements[name] = build()
    return sql


def _insert_with_parent(alias: str, model) -> str:
    """A CTE that inserts the rows of one JSON parameter, each with the new order's id."""
    fields = insertable_fields(model, without=("order_id",))
    insert = json_insert_sql(model, fields, connection=connection, parent=("order_id", "new_order"))
    return f"{alias} AS ({insert} RETURNING id)"


def flash_lane_applies(*, facts, sale, quantity: int, payment_method: str, now) -> bool:
    """False where order_create answers differently from a plain new order: a replayed key
    (its order), an address not the shopper's (404), cash on delivery (confirmed at once),
    a quantity past the limit (409) or out of range (400), a sale that ended meanwhile."""
    return (
        facts.address is not None
        and facts.replayed_order_id is None
        and payment_method in LANE_PAYMENT_METHODS
        and 0 < quantity <= min(sale.per_shopper_limit, settings.CART_MAX_QUANTITY_PER_LINE)
        and sale.runs_at(now)
    )


@dataclass(frozen=True)
class WrittenOrder:
    """A new order as the lane wrote it, with its rows: what its 201 answer is made of, without
    building the related querysets that order_as_read_back leaves for the serializer."""

    order: Order
    lines: list[OrderLine]
    price_lines: list[PriceLine]
    events: list[OrderEvent]


class _NotInLane(Exception):
    """Roll the lane's transaction back; order_create decides."""


def flash_order_create(
    *,
    facts: ShopperFacts,
    sale: RunningSale,
    quantity: int,
    payment_method: str,
    idempotency_key: str,
    buyer_note: str = "",
    now: datetime | None = None,
) -> WrittenOrder | None:
    """Write the order order_create would write for one SKU of a running flash sale whose gate
    has admitted `quantity` units, or None (nothing written) where order_create must decide."""
    now = now or timezone.now()
    if not flash_lane_applies(
        facts=facts, sale=sale, quantity=quantity, payment_method=payment_method, now=now
    ):
        return None
    address = facts.address
    stock_row = _single_stock_row(sale=sale, at=now)
    if stock_row is None:
        return None
    stock_record_id, warehouse_id = stock_row
    quote = _quote(
        sale=sale, quantity=quantity, province=address.province, member=facts.member, at=now
    )
    user = get_user_model()(pk=facts.user_id, username=facts.username, is_active=True)
    actor = Actor(role=Role.SHOPPER, user=user)
    buyer_note = (buyer_note or "").strip()
    order_no = new_business_number("O")
    fingerprint = ""
    if idempotency_key:
        fingerprint = order_request_fingerprint(
            address_id=address.public_id,
            items=[[sale.sku_id, quantity]],
            payment_method=payment_method,
            coupon_code="",
            buyer_note=buyer_note,
        )
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
    plan = [Allocation(sale.sku_id, warehouse_id, quantity, stock_record_id)]
    lines = order_lines_for(order=order, quote=quote, allocations=plan)
    price_lines = price_lines_for(order=order, quote=quote)
    [move] = allocation_moves(allocations=plan, order_no=order_no, actor=actor)
    created = order_event_for(
        order=order, actor=actor, transition="create", from_state="", to_state=order.status
    )
    try:
        with transaction.atomic():
            _write_order(
                order=order,
                lines=lines,
                price_lines=price_lines,
                event=created,
                sale=sale,
                user=user,
            )
            # As order_transition_record: the same domain event, the outbox in this transaction.
            order_transition_announce(
                node=nodes.ORDER_CREATED,
                order=order,
                event=created,
                data={"payment_method": order.payment_method},
            )
            _take_stock(move=move, stock_record_id=stock_record_id, quantity=quantity)
    except (_NotInLane, IntegrityError, OperationalError):
        # The limit reached, the stock short after all, a twin with the same key, or the hot
        # row's lock not granted in time: nothing was written; order_create gives the answer
        # (and the API's error handler words a lock timeout, which the lane bypasses).
        return None
    return WrittenOrder(order=order, lines=lines, price_lines=price_lines, events=[created])


def _write_order(
    *, order: Order, lines, price_lines, event: OrderEvent, sale: RunningSale, user
) -> None:
    """Order, lines, bill rows, the timeline row, the cart's rows of the SKU and the shopper's
    count against the sale's limit: one statement."""
    sql = _statement("order", _order_statement)
    quantity = sum(line.quantity for line in lines)
    values = [
        row_as_json(order, insertable_fields(Order)),
        rows_as_json(lines, insertable_fields(OrderLine, without=("order_id",))),
        rows_as_json(price_lines, insertable_fields(PriceLine, without=("order_id",))),
        rows_as_json([event], insertable_fields(OrderEvent, without=("order_id",))),
        sale.sku_id,
        user.pk,
        sale.id,
        user.pk,
        quantity,
        sale.per_shopper_limit,
    ]
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, values)
        order_id, line_ids, bill_ids, event_id, claimed = cursor.fetchone()
    if not claimed:
        raise _NotInLane("the shopper's limit of this sale is reached")
    order.pk = order_id
    order._state.adding = False
    for rows, ids in ((lines, line_ids), (price_lines, bill_ids), ([event], [event_id])):
        for row, pk in zip(rows, ids, strict=True):
            row.pk, row.order_id = pk, order_id
            row._state.adding = False


def _order_statement() -> str:
    purchases = FlashSalePurchase._meta.db_table
    new_order = json_insert_sql(Order, insertable_fields(Order), connection=connection, single=True)
    return f"""
        WITH new_order AS ({new_order} RETURNING id),
        {_insert_with_parent("new_lines", OrderLine)},
        {_insert_with_parent("new_bill", PriceLine)},
        {_insert_with_parent("new_event", OrderEvent)},
        cart_cleared AS (
            DELETE FROM {CartItem._meta.db_table}
             WHERE sku_id = %s
               AND cart_id IN (SELECT id FROM {Cart._meta.db_table} WHERE user_id = %s)
        ), claimed AS (
            INSERT INTO {purchases} (flash_sale_id, user_id, quantity) VALUES (%s, %s, %s)
            ON CONFLICT (flash_sale_id, user_id) DO UPDATE
                SET quantity = {purchases}.quantity + EXCLUDED.quantity
                WHERE {purchases}.quantity + EXCLUDED.quantity <= %s
            RETURNING quantity
        )
        SELECT (SELECT id FROM new_order),
               ARRAY(SELECT id FROM new_lines ORDER BY id),
               ARRAY(SELECT id FROM new_bill ORDER BY id),
               (SELECT id FROM new_event),
               EXISTS (SELECT 1 FROM claimed)
    """


def _take_stock(*, move: StockMove, stock_record_id: int, quantity: int) -> None:
    """The ledger row and the conditional UPDATE of the stock row: one statement, the last
    before COMMIT."""
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            _statement("stock", _stock_statement),
            [
                row_as_json(move, insertable_fields(StockMove)),
                quantity,
                stock_record_id,
                quantity,
            ],
        )
        if cursor.fetchone() is None:
            raise _NotInLane("the stock row no longer covers the order")


def _stock_statement() -> str:
    ledger = json_insert_sql(
        StockMove, insertable_fields(StockMove), connection=connection, single=True
    )
    return f"""
        WITH ledger AS ({ledger})
        UPDATE {StockRecord._meta.db_table} SET allocated = allocated + %s
         WHERE id = %s AND on_hand >= allocated + %s
        RETURNING id
    """


# --- an attempt ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SoldOut:
    """The gate turned the attempt away: answer 409 out_of_stock, nothing was opened."""

    sku_id: int

    def body(self) -> dict:
        return domain_error_body(sold_out(self.sku_id))


def flash_lane_attempt(
    *,
    facts: ShopperFacts,
    sale: RunningSale,
    quantity: int,
    payment_method: str,
    idempotency_key: str,
    buyer_note: str = "",
    now: datetime | None = None,
) -> WrittenOrder | SoldOut | None:
    """One attempt of the lane: past the sale's admission gate (as order_create's _admit), then
    flash_order_create. None: order_create must answer it (the units taken from the gate are
    given back first)."""
    now = now or timezone.now()
    if not flash_lane_applies(
        facts=facts, sale=sale, quantity=quantity, payment_method=payment_method, now=now
    ):
        return None
    try:
        admitted = flash_gate.gate_admit(sku_id=sale.sku_id, quantity=quantity)
    except flash_gate.GateUnavailable:
        return None
    if not admitted:
        return SoldOut(sale.sku_id)
    try:
        order = flash_order_create(
            facts=facts,
            sale=sale,
            quantity=quantity,
            payment_method=payment_method,
            idempotency_key=idempotency_key,
            buyer_note=buyer_note,
            now=now,
        )
    except BaseException:
        flash_gate.gate_release(sku_id=sale.sku_id, quantity=quantity)
        raise
    if order is None:
        flash_gate.gate_release(sku_id=sale.sku_id, quantity=quantity)
    return order
