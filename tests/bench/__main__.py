"""`make bench` (python -m tests.bench): flash sale, storefront latency, order throughput and
the flash sale over HTTP under gunicorn, measured on a throw-away PostgreSQL database
`shop_bench` (BENCH_DATABASE), never the developer's data.

`python -m tests.bench flash_http` (or `d`, or several names) runs only those scenarios:
a = flash_sale, b = storefront, c = order_throughput, d = flash_http, e = sweeps (the expiry
sweep at BENCH_SWEEP_SMALL and BENCH_SWEEP_LARGE orders; not in the default run: filling a
million orders takes minutes), f = help_search (help-centre search over 1,000 articles).

Environment: BENCH_PRODUCTS (extra products for the storefront, default 3000), BENCH_REQUESTS
(requests per page kind, default 40), BENCH_ONLY (comma list of scenario letters when no names
are given, default a,b,c,d,f), BENCH_KEEPDB=1 to keep the database between runs,
BENCH_DATABASE (default shop_bench).
Scenario d reads BENCH_HTTP_ATTEMPTS, BENCH_HTTP_CONCURRENCY, BENCH_HTTP_WORKERS,
BENCH_HTTP_THREADS and BENCH_REDIS_URL (see tests/bench/flash_sale_http.py).

The threads of scenarios (a) and (c) share one Python process, so their latencies include waiting
for the interpreter as well as for PostgreSQL's row locks: compare runs on the same machine, and
read orders/s as a floor for one web process.
"""

import os
import shutil
import sys
import tempfile
import time
import warnings


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    # The benchmarks must not write into the developer's Redis either: an in-memory cache, and
    # an in-process broker. Tasks the services enqueue on commit (notifications) are queued
    # there and not run: the figures are the cost of the request, not of its side effects.
    # Scenario d's gunicorn needs a real broker: Redis db 12 (BENCH_REDIS_URL), emptied after.
    os.environ["REDIS_URL"] = "locmem://"
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # seed_demo pays its demo after-sales orders through the payment sandbox, as `make run` does.
    os.environ.setdefault("PAYMENT_SANDBOX", "1")
    # seed_demo writes product pictures: into a temporary folder, not the developer's media.
    media_root = tempfile.mkdtemp(prefix="shop-bench-media-")
    os.environ["MEDIA_ROOT"] = media_root
    try:
        return _run(argv)
    finally:
        shutil.rmtree(media_root, ignore_errors=True)


def _run(argv: list[str]) -> int:
    warnings.filterwarnings("ignore", message="No directory at")
    import django
    from django.conf import settings

    django.setup()
    # Production-like request handling (no query log, no debug pages) while keeping the local
    # static-files storage that DEBUG chose at import time.
    settings.DEBUG = False

    from tests.bench import (
        flash_sale,
        flash_sale_http,
        help_search,
        order_throughput,
        storefront,
        sweeps,
    )
    from tests.bench.runtime import BENCH_DATABASE, bench_database, print_table

    scenarios = {
        "a": flash_sale,
        "b": storefront,
        "c": order_throughput,
        "d": flash_sale_http,
        "e": sweeps,
        "f": help_search,
    }
    aliases = {
        "flash_sale": "a",
        "storefront": "b",
        "order_throughput": "c",
        "flash_http": "d",
        "sweeps": "e",
        "help_search": "f",
    }
    # The sweep bench fills a million orders: asked for by name, not part of the default run.
    names = argv if argv else os.environ.get("BENCH_ONLY", "a,b,c,d,f").split(",")
    wanted = [aliases.get(name.strip(), name.strip()) for name in names if name.strip()]
    unknown = set(wanted) - set(scenarios)
    if unknown:
        known = ", ".join(f"{key} ({name})" for name, key in aliases.items())
        print(f"Unknown scenario(s): {', '.join(sorted(unknown))}; known: {known}", file=sys.stderr)
        return 2

    rows = []
    started = time.perf_counter()
    with bench_database(keep=os.environ.get("BENCH_KEEPDB") == "1"):
        for key in wanted:
            print(f"Running scenario ({key}) {scenarios[key].__name__} ...", flush=True)
            rows.extend(scenarios[key].run())
    print_table(rows)
    print(f"Total {time.perf_counter() - started:.1f} s on database {BENCH_DATABASE}.")
    oversold = [row for row in rows if row.metric.startswith("oversold") and row.value != "0"]
    failed = [row for row in rows if row.metric == "result" and not row.value.startswith("PASS")]
    return 1 if oversold or failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
