"""What one winning flash-sale order costs the web process, measured in process: N orders through
Django's WSGI handler and the whole middleware stack, on a benchmark database of their own.

    python -m tests.bench.lane_instructions                 # CPU time per order (noisy)
    LANE_MODE=count valgrind --tool=callgrind --instr-atstart=no \\
        python -m tests.bench.lane_instructions             # instructions, run after run the same

In count mode the orders run with callgrind's instrumentation switched on around them only
(`callgrind_control -i on`), so `callgrind_annotate` of the output file gives their
instructions: divide its PROGRAM TOTALS by LANE_ORDERS. That figure moves by 0.1 % between runs
whatever else the machine does, where CPU time moves by a third; it does not see the kernel,
PostgreSQL or Redis. Environment: LANE_ORDERS (default 50), BENCH_DATABASE (default
shop_bench_lane, kept between runs), Redis db 13 (emptied first).
"""

import io
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
os.environ.setdefault("BENCH_DATABASE", "shop_bench_lane")
os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/13"
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")

WARM_UP_ORDERS = 20


def _environ(attempt: dict, sku_id: int) -> dict:
    body = json.dumps(
        {
            "address_id": attempt["address_id"],
            "items": [{"sku_id": sku_id, "quantity": 1}],
            "payment_method": "alipay",
        }
    ).encode()
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/orders/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"Token {attempt['token']}",
        "HTTP_IDEMPOTENCY_KEY": attempt["key"],
        "HTTP_ACCEPT_LANGUAGE": "zh-hans",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def main() -> int:
    import django

    django.setup()

    import redis
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    import tests.bench.flash_sale_http as flash_http
    from shop.warmup import warm_up
    from tests.bench.runtime import bench_database

    settings.DEBUG = False  # no query log: as production runs
    orders = int(os.environ.get("LANE_ORDERS", "50"))
    count = os.environ.get("LANE_MODE") == "count"
    with bench_database(keep=True):
        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
        stock = flash_http.sale_stock(orders + WARM_UP_ORDERS)
        flash_http.flash_sale_start(stock.sku)
        attempts = flash_http._shoppers(orders + WARM_UP_ORDERS)
        connection.close()
        handler = WSGIHandler()
        warm_up()
        statuses: dict[str, int] = {}

        def order(attempt):
            answered = {}

            def start_response(status, headers, exc_info=None):
                answered["status"] = status

            b"".join(handler(_environ(attempt, stock.sku_id), start_response))
            statuses[answered["status"]] = statuses.get(answered["status"], 0) + 1

        for attempt in attempts[:WARM_UP_ORDERS]:  # the sale's reads, kept per process
            order(attempt)
        measured = attempts[WARM_UP_ORDERS:]
        if count:
            switch = ["callgrind_control", "-i"]
            subprocess.run([*switch, "on", str(os.getpid())], check=True, capture_output=True)
        started = time.process_time()
        for attempt in measured:
            order(attempt)
        cpu = time.process_time() - started
        if count:
            subprocess.run([*switch, "off", str(os.getpid())], check=True, capture_output=True)
        print(f"answers: {statuses}")
        if not count:
            print(f"CPU per winning order: {1000 * cpu / len(measured):.3f} ms")
        return 0 if statuses == {"201 Created": len(attempts)} else 1


if __name__ == "__main__":
    sys.exit(main())
