"""The database's own limit for the writes one flash-sale order makes, measured in the same run
as the HTTP flash sale so that their ratio means something on a noisy machine.

`connections` threads, each with its own psycopg connection (as many as gunicorn has workers),
repeat one transaction that writes what a winning order writes: copies of every row of a
template order placed through order_create (the order, its lines and bill rows, its timeline
row, its notification outbox rows and its stock ledger row), the shopper's flash-sale count
upserted, the cart's rows of the SKU deleted, and the conditional UPDATE of one hot stock row
(`allocated + 1 WHERE on_hand >= allocated + 1`), then COMMIT with `synchronous_commit` as
configured: one statement per table, with none of the application's reads, pricing or Python
around it. The stock row has exactly `transactions` units, so the last transaction takes the last
unit.
"""

import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import psycopg
from django.db import connection
from django.utils import timezone

from cart.models import Cart, CartItem
from catalog.models import FlashSale, FlashSalePurchase, StockMove, StockRecord
from notifications.models import OutboxMessage
from orders.models import Order, OrderEvent, OrderLine, PriceLine
from shop.ids import new_business_number


@dataclass
class RawLimit:
    transactions: int
    connections: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.transactions / self.seconds if self.seconds else 0.0


def _columns(model, *, without: set[str]) -> list[str]:
    return [
        field.column
        for field in model._meta.concrete_fields
        if not field.primary_key and field.column not in without
    ]


def _conninfo() -> str:
    db = connection.settings_dict
    parts = {
        "dbname": db["NAME"],
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "127.0.0.1",
        "port": str(db.get("PORT") or 5432),
    }
    return " ".join(f"{key}={value!r}" for key, value in parts.items() if value)


def _copy(model, *, where: str, overrides: dict[str, str]) -> str:
    """INSERT ... SELECT of the template's rows of `model`, some columns computed instead."""
    columns = _columns(model, without=set())
    select = [overrides.get(column, column) for column in columns]
    return (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(select)} FROM {model._meta.db_table} WHERE {where}"
    )


def measure(*, transactions: int, connections: int, users, sku, warehouse) -> RawLimit:
    """Run `transactions` order-shaped transactions over `connections` connections, each for
    another of `users` (the flash-sale count is per shopper)."""
    from catalog.actors import Actor, Role
    from orders.services import order_create
    from tests.accounts.factories import AddressFactory

    template_user = users[0]
    StockRecord.objects.create(sku=sku, warehouse=warehouse, on_hand=transactions + 1)
    StockMove.objects.create(
        sku=sku, warehouse=warehouse, kind=StockMove.Kind.ADJUST, on_hand_delta=transactions + 1
    )
    now = timezone.now()
    sale = FlashSale.objects.create(
        sku=sku,
        name="raw-SQL limit",
        price=Decimal("59.00"),
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=1),
        per_shopper_limit=1,
    )
    template = order_create(
        actor=Actor(role=Role.SHOPPER, user=template_user),
        address_id=AddressFactory(user=template_user).public_id,
        items=[(sku.pk, 1)],
        payment_method="alipay",
    )
    record = StockRecord.objects.get(sku=sku, warehouse=warehouse)
    order_columns = _columns(Order, without={"order_no"})
    insert_order = (
        f"INSERT INTO {Order._meta.db_table} (order_no, {', '.join(order_columns)}) "
        f"SELECT %(order_no)s, {', '.join(order_columns)} FROM {Order._meta.db_table} "
        "WHERE id = %(template)s RETURNING id"
    )
    by_template = "order_id = %(template)s"
    copies = [
        _copy(OrderLine, where=by_template, overrides={"order_id": "%(order_id)s"}),
        _copy(PriceLine, where=by_template, overrides={"order_id": "%(order_id)s"}),
        _copy(
            OrderEvent,
            where=by_template,
            overrides={"order_id": "%(order_id)s", "created_at": "now()"},
        ),
        _copy(
            OutboxMessage,
            where="subject_type = 'order' AND subject_id = %(template)s",
            overrides={
                "subject_id": "%(order_id)s",
                "event_key": "event_key || '-' || %(order_id)s",
                "created_at": "now()",
            },
        ),
        f"INSERT INTO {FlashSalePurchase._meta.db_table} (flash_sale_id, user_id, quantity) "
        "VALUES (%(sale)s, %(user)s, 1) ON CONFLICT (flash_sale_id, user_id) DO UPDATE "
        f"SET quantity = {FlashSalePurchase._meta.db_table}.quantity + 1 "
        f"WHERE {FlashSalePurchase._meta.db_table}.quantity + 1 <= 1",
        f"DELETE FROM {CartItem._meta.db_table} WHERE sku_id = %(sku)s AND cart_id IN "
        f"(SELECT id FROM {Cart._meta.db_table} WHERE user_id = %(user)s)",
        _copy(
            StockMove,
            where="order_no = %(template_no)s",
            overrides={"order_no": "%(order_no)s", "created_at": "now()"},
        ),
    ]
    take = (
        f"UPDATE {StockRecord._meta.db_table} SET allocated = allocated + 1 "
        "WHERE id = %(record)s AND on_hand >= allocated + 1"
    )
    conninfo = _conninfo()
    left = {"count": transactions}
    lock = threading.Lock()
    errors: list[BaseException] = []
    barrier = threading.Barrier(connections + 1)
    shoppers = iter(user.pk for user in users[1:])

    def worker():
        try:
            with psycopg.connect(conninfo) as conn:
                barrier.wait()
                while True:
                    with lock:
                        if left["count"] == 0:
                            return
                        left["count"] -= 1
                        user_id = next(shoppers)
                    values = {
                        "order_no": new_business_number("O"),
                        "template": template.pk,
                        "template_no": template.order_no,
                        "sale": sale.pk,
                        "user": user_id,
                        "sku": sku.pk,
                        "record": record.pk,
                    }
                    with conn.transaction(), conn.cursor() as cursor:
                        cursor.execute(insert_order, values)
                        [values["order_id"]] = cursor.fetchone()
                        for statement in copies:
                            cursor.execute(statement, values)
                        cursor.execute(take, values)
                        if cursor.rowcount != 1:
                            raise RuntimeError("the raw-SQL limit ran out of stock")
        except BaseException as error:  # reported after the run
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    record.refresh_from_db()
    assert record.allocated == transactions + 1, (record.allocated, transactions)
    return RawLimit(transactions=transactions, connections=connections, seconds=seconds)
