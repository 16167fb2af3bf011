"""`make bench` (python -m tests.bench): flash sale, storefront latency and order throughput,
measured on a throw-away PostgreSQL database `shop_bench`, never the developer's data.

Environment: BENCH_PRODUCTS (extra products for the storefront, default 3000), BENCH_REQUESTS
(requests per page kind, default 40), BENCH_ONLY (comma list of a,b,c), BENCH_KEEPDB=1 to keep
shop_bench between runs.

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


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    # The benchmarks must not write into the developer's Redis either: an in-memory cache, and
    # an in-process broker. Tasks the services enqueue on commit (notifications) are queued
    # there and not run: the figures are the cost of the request, not of its side effects.
    os.environ["REDIS_URL"] = "locmem://"
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # seed_demo writes product pictures: into a temporary folder, not the developer's media.
    media_root = tempfile.mkdtemp(prefix="shop-bench-media-")
    os.environ["MEDIA_ROOT"] = media_root
    warnings.filterwarnings("ignore", message="No directory at")
    import django
    from django.conf import settings

    django.setup()
    # Production-like request handling (no query log, no debug pages) while keeping the local
    # static-files storage that DEBUG chose at import time.
    settings.DEBUG = False

    from tests.bench import flash_sale, order_throughput, storefront
    from tests.bench.runtime import bench_database, print_table

    scenarios = {"a": flash_sale, "b": storefront, "c": order_throughput}
    wanted = [s.strip() for s in os.environ.get("BENCH_ONLY", "a,b,c").split(",") if s.strip()]
    unknown = set(wanted) - set(scenarios)
    if unknown:
        print(f"Unknown scenario(s) in BENCH_ONLY: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2

    rows = []
    started = time.perf_counter()
    try:
        with bench_database(keep=os.environ.get("BENCH_KEEPDB") == "1"):
            for key in wanted:
                print(f"Running scenario ({key}) {scenarios[key].__name__} ...", flush=True)
                rows.extend(scenarios[key].run())
    finally:
        shutil.rmtree(media_root, ignore_errors=True)
    print_table(rows)
    print(f"Total {time.perf_counter() - started:.1f} s on database shop_bench.")
    oversold = [row for row in rows if row.metric.startswith("oversold") and row.value != "0"]
    return 1 if oversold else 0


if __name__ == "__main__":
    sys.exit(main())
