"""Scenario (c): order creation throughput when shoppers buy different SKUs (no shared stock
row, so no lock contention): THREADS shoppers each place ORDERS_EACH orders concurrently."""

import time

from catalog.actors import actor_for
from orders import services
from orders.models import Order, PaymentMethod
from tests.bench.fixtures import shoppers, stocked_skus
from tests.bench.runtime import Row, Timings, run_in_threads

THREADS = 8
ORDERS_EACH = 25


def run() -> list[Row]:
    buyers = shoppers(THREADS, prefix="throughput")
    skus = stocked_skus(THREADS * ORDERS_EACH, stock=10)
    timings = Timings()
    before = Order.objects.count()

    def place_all(user, address, my_skus):
        def job():
            for sku in my_skus:
                started = time.perf_counter()
                services.order_create(
                    actor=actor_for(user),
                    address_id=address.public_id,
                    items=[(sku.pk, 1)],
                    payment_method=PaymentMethod.ALIPAY,
                )
                timings.add(time.perf_counter() - started)

        return job

    jobs = [
        place_all(user, address, skus[i * ORDERS_EACH : (i + 1) * ORDERS_EACH])
        for i, (user, address) in enumerate(buyers)
    ]
    elapsed = run_in_threads(jobs)
    created = Order.objects.count() - before
    name = f"(c) order create: {THREADS} threads x {ORDERS_EACH} distinct SKUs"
    return [
        Row(name, "orders created", str(created)),
        Row(name, "latency p50", f"{timings.p50_ms:.1f} ms"),
        Row(name, "latency p95", f"{timings.p95_ms:.1f} ms"),
        Row(name, "orders/s", f"{created / elapsed:.1f}" if elapsed else "-"),
    ]
