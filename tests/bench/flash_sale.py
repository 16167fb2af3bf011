"""Scenario (a): a flash sale. 50 shoppers race, one order each, for 20 units of one SKU, in
real concurrent transactions. Exactly 20 orders must win; the rest are refused with OutOfStock;
nothing is oversold."""

import time

from django.db.models import Sum

from catalog.actors import actor_for
from catalog.models import StockRecord
from orders import services
from orders.models import OrderLine, PaymentMethod
from shop.errors import OutOfStock
from tests.bench.fixtures import shoppers, stocked_skus
from tests.bench.runtime import Row, Timings, run_in_threads

SHOPPERS = 50
UNITS = 20


def run() -> list[Row]:
    [sku] = stocked_skus(1, stock=UNITS)
    buyers = shoppers(SHOPPERS, prefix="flash")
    timings = Timings()
    outcomes = {"created": 0, "out_of_stock": 0}

    def buy(user, address):
        def job():
            started = time.perf_counter()
            try:
                services.order_create(
                    actor=actor_for(user),
                    address_id=address.public_id,
                    items=[(sku.pk, 1)],
                    payment_method=PaymentMethod.ALIPAY,
                    idempotency_key=f"flash-{user.pk}",
                )
            except OutOfStock:
                outcome = "out_of_stock"
            else:
                outcome = "created"
            finally:
                timings.add(time.perf_counter() - started)
            with timings.lock:
                outcomes[outcome] += 1

        return job

    elapsed = run_in_threads([buy(user, address) for user, address in buyers])

    sold = OrderLine.objects.filter(sku=sku).aggregate(total=Sum("quantity"))["total"] or 0
    record = StockRecord.objects.get(sku=sku)
    oversold = max(0, sold - UNITS) + max(0, record.allocated - record.on_hand)
    name = f"(a) flash sale: {SHOPPERS} threads, {UNITS} units"
    return [
        Row(name, "orders created", str(outcomes["created"])),
        Row(name, "OutOfStock refusals", str(outcomes["out_of_stock"])),
        Row(name, "oversold units (must be 0)", str(oversold)),
        Row(name, "latency p50", f"{timings.p50_ms:.1f} ms"),
        Row(name, "latency p95", f"{timings.p95_ms:.1f} ms"),
        Row(name, "orders/s", f"{outcomes['created'] / elapsed:.1f}" if elapsed else "-"),
    ]
