"""The database's own limit for the writes one flash-sale order makes, measured in the same run
as the HTTP flash sale so that their ratio means something on a noisy machine.

`connections` threads, each with its own psycopg connection (as many as gunicorn has workers),
repeat one transaction: the order row, its line, the stock ledger row, and the conditional
UPDATE of one hot stock row (`allocated + 1 WHERE on_hand >= allocated + 1`), then COMMIT with
`synchronous_commit` as configured. The rows are copies of a template order and line (every
column and index of the real tables), so each transaction writes what a winning order writes,
with none of the application's reads, pricing or Python around it. The stock row has exactly
`transactions` units, so the last transaction takes the last unit.
"""

import threading
import time
from dataclasses import dataclass
from decimal import Decimal

import psycopg
from django.db import connection
from django.utils import timezone

from catalog.models import StockMove, StockRecord
from orders.models import Order, OrderLine
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


def measure(*, transactions: int, connections: int, user, sku, warehouse) -> RawLimit:
    """Run `transactions` order-shaped transactions over `connections` connections."""
    from tests.orders.factories import OrderFactory

    template = OrderFactory(user=user, payable_amount=Decimal("59.00"))
    line = OrderLine.objects.create(
        order=template,
        merchant_id=sku.product.merchant_id,
        warehouse=warehouse,
        sku=sku,
        product_title="raw",
        sku_code=sku.code,
        unit_price=Decimal("59.00"),
        quantity=1,
        goods_amount=Decimal("59.00"),
        paid_amount=Decimal("59.00"),
    )
    record = StockRecord.objects.create(sku=sku, warehouse=warehouse, on_hand=transactions)
    StockMove.objects.create(
        sku=sku, warehouse=warehouse, kind=StockMove.Kind.ADJUST, on_hand_delta=transactions
    )
    order_columns = _columns(Order, without={"order_no"})
    line_columns = _columns(OrderLine, without={"order_id"})
    move_columns = _columns(StockMove, without=set())
    insert_order = (
        f"INSERT INTO {Order._meta.db_table} (order_no, {', '.join(order_columns)}) "
        f"SELECT %s, {', '.join(order_columns)} FROM {Order._meta.db_table} WHERE id = %s "
        "RETURNING id"
    )
    insert_line = (
        f"INSERT INTO {OrderLine._meta.db_table} (order_id, {', '.join(line_columns)}) "
        f"SELECT %s, {', '.join(line_columns)} FROM {OrderLine._meta.db_table} WHERE id = %s"
    )
    insert_move = (
        f"INSERT INTO {StockMove._meta.db_table} ({', '.join(move_columns)}) "
        f"VALUES ({', '.join(['%s'] * len(move_columns))})"
    )
    take = (
        f"UPDATE {StockRecord._meta.db_table} SET allocated = allocated + 1 "
        "WHERE id = %s AND on_hand >= allocated + 1"
    )
    conninfo = _conninfo()
    left = {"count": transactions}
    lock = threading.Lock()
    errors: list[BaseException] = []
    barrier = threading.Barrier(connections + 1)

    def worker():
        try:
            with psycopg.connect(conninfo) as conn:
                barrier.wait()
                while True:
                    with lock:
                        if left["count"] == 0:
                            return
                        left["count"] -= 1
                    order_no = new_business_number("O")
                    with conn.transaction(), conn.cursor() as cursor:
                        cursor.execute(insert_order, [order_no, template.pk])
                        [order_id] = cursor.fetchone()
                        cursor.execute(insert_line, [order_id, line.pk])
                        values = {
                            "sku_id": sku.pk,
                            "warehouse_id": warehouse.pk,
                            "kind": StockMove.Kind.ALLOCATE,
                            "on_hand_delta": 0,
                            "allocated_delta": 1,
                            "reason": "Allocated at order creation",
                            "order_no": order_no,
                            "actor_id": user.pk,
                            "created_at": timezone.now(),
                        }
                        cursor.execute(insert_move, [values[c] for c in move_columns])
                        cursor.execute(take, [record.pk])
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
    assert record.allocated == transactions, (record.allocated, transactions)
    return RawLimit(transactions=transactions, connections=connections, seconds=seconds)
