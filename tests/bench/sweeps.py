"""Scenario (e) `sweeps`: the unpaid-order expiry sweep costs O(due rows), not O(table).

The orders table is filled to BENCH_SWEEP_SMALL (default 10,000) and then BENCH_SWEEP_LARGE
(default 1,000,000; 200,000 is a quicker honest run) orders, with one SQL statement each time
(`INSERT ... SELECT generate_series`, copies of a template order): 90 % paid, 10 % unpaid and
not yet due. At each size BENCH_SWEEP_DUE (default 500) unpaid orders are made due, and the
bench times the sweep's pick of one batch (`select_for_update(skip_locked)` over the partial
index `order_unpaid_due`) and one whole `sweep_unpaid_orders_once()` that expires them all, and
records the pick's EXPLAIN (ANALYZE) plan. Both figures should stay flat while the table grows
a hundredfold.
"""

import os
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from orders import tasks
from orders.models import Order
from tests.bench.runtime import Row
from tests.orders.factories import OrderFactory

SMALL = int(os.environ.get("BENCH_SWEEP_SMALL", "10000"))
LARGE = int(os.environ.get("BENCH_SWEEP_LARGE", "1000000"))
DUE = int(os.environ.get("BENCH_SWEEP_DUE", "500"))


def _fill(template: Order, *, start: int, stop: int, prefix: str) -> None:
    """Orders start..stop-1 as copies of `template`: 1 in 10 unpaid with a deadline an hour
    ahead, the others paid."""
    columns = [
        f.column
        for f in Order._meta.concrete_fields
        if not f.primary_key and f.column != "order_no"
    ]
    overrides = {
        "status": "CASE WHEN g %% 10 = 0 THEN 'pending_payment' ELSE 'paid' END",
        "payment_due_at": "now() + interval '1 hour'",
        "idempotency_key": "''",
        "created_at": "now() - (g || ' seconds')::interval",
    }
    select = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
    table = Order._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (order_no, {', '.join(columns)}) "
            f"SELECT %s || g, {select} FROM {table} t, generate_series(%s, %s) g "
            "WHERE t.id = %s",
            [prefix, start, stop - 1, template.pk],
        )
        cursor.execute(f"ANALYZE {table}")


def _make_due(count: int) -> None:
    table = Order._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET payment_due_at = now() - interval '1 minute' WHERE id IN ("
            f"SELECT id FROM {table} WHERE status = 'pending_payment' "
            "AND payment_due_at > now() ORDER BY id LIMIT %s)",
            [count],
        )


def _pick_plan() -> tuple[float, str]:
    due = Order.objects.filter(
        status=Order.Status.PENDING_PAYMENT, payment_due_at__lte=timezone.now()
    )
    query = (
        due.select_for_update(skip_locked=True)
        .order_by("payment_due_at", "pk")
        .values_list("pk", flat=True)[: settings.SWEEP_BATCH_SIZE]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = query.query.sql_with_params()
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        pick_ms = (time.perf_counter() - started) * 1000
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return pick_ms, plan


def _measure(size: int) -> dict:
    _make_due(DUE)
    pick_ms, plan = _pick_plan()
    started = time.perf_counter()
    expired = tasks.sweep_unpaid_orders_once()
    sweep_s = time.perf_counter() - started
    return {"size": size, "pick_ms": pick_ms, "sweep_s": sweep_s, "expired": expired, "plan": plan}


def run() -> list[Row]:
    template = OrderFactory(payment_due_at=timezone.now() + timedelta(hours=1))
    _fill(template, start=1, stop=SMALL, prefix="SWS")
    results = [_measure(Order.objects.count())]
    started = time.perf_counter()
    _fill(template, start=SMALL, stop=LARGE, prefix="SWL")
    fill_s = time.perf_counter() - started
    results.append(_measure(Order.objects.count()))

    rows = []
    for result in results:
        name = f"(e) expiry sweep: {result['size']:,} orders, {DUE} due"
        rows += [
            Row(name, "pick of one batch (FOR UPDATE SKIP LOCKED)", f"{result['pick_ms']:.2f} ms"),
            Row(name, f"sweep expiring the {DUE} due", f"{result['sweep_s']:.2f} s"),
            Row(name, "orders expired", str(result["expired"])),
        ]
        print(
            f"  EXPLAIN at {result['size']:,} orders:\n    "
            + result["plan"].replace("\n", "\n    ")
        )
    rows.append(Row("(e) expiry sweep", f"fill {LARGE - SMALL:,} more orders", f"{fill_s:.1f} s"))
    expired_ok = all(r["expired"] == DUE for r in results)
    rows.append(Row("(e) expiry sweep", "result", "PASS" if expired_ok else "FAIL"))
    return rows
