"""What every benchmark scenario shares: a throw-away database, timing, threads, the table.

The benchmarks never run against the developer's database: `bench_database()` creates (or
re-creates) PostgreSQL database `shop_bench` with Django's own test utilities, migrates it, and
drops it at the end.
"""

import contextlib
import os
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, connections
from django.test.utils import setup_databases, teardown_databases

# BENCH_DATABASE lets two people (or two checkouts) benchmark on one server side by side.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "shop_bench")


@contextlib.contextmanager
def bench_database(*, keep: bool = False):
    for alias in connections:
        connections[alias].settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DATABASE
    # No serialized copy of the rows (that is for TransactionTestCase's serialized_rollback,
    # which the benchmarks never use): on a kept 100k-product database it took over 12 minutes.
    config = setup_databases(verbosity=0, interactive=False, keepdb=keep, serialized_aliases=set())
    try:
        yield
    finally:
        connections.close_all()
        if not keep:
            teardown_databases(config, verbosity=0)


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, value: float) -> None:
        with self.lock:
            self.seconds.append(value)

    def percentile(self, pct: float) -> float:
        if not self.seconds:
            return 0.0
        ordered = sorted(self.seconds)
        if len(ordered) == 1:
            return ordered[0]
        return statistics.quantiles(ordered, n=100, method="inclusive")[int(pct) - 1]

    @property
    def p50_ms(self) -> float:
        return self.percentile(50) * 1000

    @property
    def p95_ms(self) -> float:
        return self.percentile(95) * 1000

    @property
    def p99_ms(self) -> float:
        return self.percentile(99) * 1000


def timed(timings: Timings, func: Callable, *args, **kwargs):
    started = time.perf_counter()
    try:
        return func(*args, **kwargs)
    finally:
        timings.add(time.perf_counter() - started)


def run_in_threads(jobs: list[Callable[[], None]]) -> float:
    """Run each job in its own thread, all released together; the wall time of the whole race.
    Each thread closes its own database connection when done."""
    barrier = threading.Barrier(len(jobs) + 1)
    errors: list[BaseException] = []

    def worker(job):
        try:
            barrier.wait()
            job()
        except BaseException as error:  # reported after the race, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


@dataclass
class Row:
    scenario: str
    metric: str
    value: str


def print_table(rows: list[Row]) -> None:
    widths = [
        max(len(header), *(len(getattr(row, attr)) for row in rows))
        for header, attr in (("Scenario", "scenario"), ("Metric", "metric"), ("Value", "value"))
    ]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    print(line)
    headers = ("Scenario", "Metric", "Value")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print(line)
    previous = None
    for row in rows:
        scenario = row.scenario if row.scenario != previous else ""
        previous = row.scenario
        cells = (scenario.ljust(widths[0]), row.metric.ljust(widths[1]), row.value.rjust(widths[2]))
        print("| " + " | ".join(cells) + " |")
    print(line)
