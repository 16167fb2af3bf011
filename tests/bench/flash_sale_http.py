"""Scenario (d) `flash_http`: the flash sale of issue 3 through the real stack.

One SKU with 1,000 units in one warehouse; 2,000 shoppers (BENCH_HTTP_ATTEMPTS), each with an
address and an API token, each sending one `POST /api/orders/` with its own Idempotency-Key.
The app runs under gunicorn with DEBUG=0 on 127.0.0.1 (a free port), on the benchmark database,
with Celery tasks only enqueued on Redis (BENCH_REDIS_URL, default db 12; no worker runs, and
the queue is emptied afterwards). The load generator is another process (tests/bench/http_load.py,
asyncio streams, HTTP/1.1) keeping BENCH_HTTP_CONCURRENCY requests (default 200) in flight.

After gunicorn has stopped, the database must show exactly 1,000 orders and 1,000 units sold,
0 sellable left, a stock ledger that adds up and no order without lines; every attempt must be
answered 201 or 409 out_of_stock. Anything else (oversold, undersold, a 5xx, a dropped
connection) is a FAIL and `make bench` exits non-zero.

Server settings: BENCH_HTTP_WORKERS (default 2 x cores + 1) and BENCH_HTTP_THREADS (default 1:
sync workers; more than 1 switches to gthread). Workers x threads database connections must stay
well below PostgreSQL's max_connections; the scenario refuses to start otherwise.
"""

import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from rest_framework.authtoken.models import Token

from catalog.models import FlashSale, Merchant, StockRecord
from catalog.selectors import stock_ledger_mismatches
from notifications.services import outbox
from orders.models import Order, OrderLine
from shop.accounts.models import Address, CustomerProfile
from tests.bench import raw_sql_limit
from tests.bench.runtime import Row, Timings
from tests.catalog.factories import MerchantFactory, SKUFactory, StockRecordFactory

UNITS = 1000
ATTEMPTS = int(os.environ.get("BENCH_HTTP_ATTEMPTS", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_HTTP_CONCURRENCY", "200"))
WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
THREADS = int(os.environ.get("BENCH_HTTP_THREADS", "1"))
# BENCH_FLASH_SALE=0: the same SKU without a FlashSale, i.e. no admission gate (the database
# path every order took before flash sales existed), for comparison.
FLASH_SALE = os.environ.get("BENCH_FLASH_SALE", "1") != "0"
# BENCH_SHED=1 (off by default): the load generator stamps X-Request-Start as the reverse
# proxy does, the server sheds requests queued past SHED_MAX_QUEUE_MS (BENCH_SHED_MS) with 503 +
# Retry-After, and the shopper comes back after it (up to 20 times). Off: no stamp, no shedding.
SHED = os.environ.get("BENCH_SHED", "0") == "1"
SHED_MS = os.environ.get("BENCH_SHED_MS", "1000")
SHED_RETRY_AFTER = os.environ.get("BENCH_SHED_RETRY_AFTER", "5")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
# Usernames unique per run, so that BENCH_KEEPDB=1 can run the scenario again on the same database.
PREFIX = f"flash-http-{time.time_ns() // 1_000_000:x}"
BASE_DIR = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")
# Connections left for everything else on the server (other databases, psql, this process).
CONNECTION_HEADROOM = 20


class BenchFailure(Exception):
    pass


# --- the data -----------------------------------------------------------------------------


def _shoppers(count: int) -> list[dict]:
    """`count` shoppers in four bulk inserts: user (unusable password), profile, token, default
    address in Shanghai. Returns one attempt per shopper (token, address id, idempotency key)."""
    User = get_user_model()
    password = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"{PREFIX}-{n}", email=f"{PREFIX}-{n}@example.com", password=password)
        for n in range(count)
    )
    CustomerProfile.objects.bulk_create(
        CustomerProfile(user=user, phone="13800138000") for user in users
    )
    tokens = Token.objects.bulk_create(Token(user=user, key=Token.generate_key()) for user in users)
    addresses = Address.objects.bulk_create(
        Address(
            user=user,
            recipient="张三",
            phone="13800138000",
            province="上海",
            city="上海市",
            district="浦东新区",
            detail=f"世纪大道 {n} 号",
            is_default=True,
        )
        for n, user in enumerate(users)
    )
    return [
        {"token": token.key, "address_id": str(address.public_id), "key": f"{PREFIX}-{user.pk}"}
        for user, token, address in zip(users, tokens, addresses, strict=True)
    ]


def sale_stock(units: int) -> StockRecord:
    """The sale's SKU at 59.00 with `units` in one warehouse of a third-party merchant."""
    merchant = MerchantFactory(slug=PREFIX, name=PREFIX, kind=Merchant.Kind.THIRD_PARTY)
    return StockRecordFactory(
        on_hand=units,
        sku__code=PREFIX,
        sku__price=Decimal("59.00"),
        sku__product__merchant=merchant,
        warehouse__code=PREFIX,
        warehouse__merchant=merchant,
    )


def flash_sale_start(sku) -> FlashSale:
    """A flash sale of `sku` at its price, running for the next hour, one unit per shopper."""
    now = timezone.now()
    return FlashSale.objects.create(
        sku=sku,
        name=PREFIX,
        price=Decimal("59.00"),
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        per_shopper_limit=1,
    )


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def _check_connection_budget(server_connections: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int")
        [maximum] = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        [in_use] = cursor.fetchone()
    if server_connections > maximum - in_use - CONNECTION_HEADROOM:
        raise BenchFailure(
            f"gunicorn would open {server_connections} database connections; PostgreSQL allows "
            f"{maximum} and {in_use} are in use. Lower BENCH_HTTP_WORKERS or BENCH_HTTP_THREADS."
        )


# --- the server ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_environment() -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on loopback: no TLS proxy in front, so no redirect to https.
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=_database_url(),
        REDIS_URL=REDIS_URL,
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="0",
        LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore",
        SHED_MAX_QUEUE_MS=SHED_MS if SHED else "0",
        SHED_RETRY_AFTER_SECONDS=SHED_RETRY_AFTER,
    )
    return env


def _start_gunicorn(port: int, log) -> subprocess.Popen:
    command = [
        str(GUNICORN),
        "shop.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--backlog",
        "2048",
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--log-level",
        "warning",
    ]
    if THREADS > 1:
        command += ["--worker-class", "gthread", "--threads", str(THREADS)]
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=_server_environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_until_healthy(server: subprocess.Popen, base_url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchFailure(f"gunicorn exited with status {server.returncode} before /healthz")
        try:
            response = httpx.get(f"{base_url}/healthz", timeout=5)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as error:
            last = type(error).__name__
        time.sleep(0.2)
    raise BenchFailure(f"/healthz did not answer 200 within {seconds:.0f} s: {last}")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop of its own workers
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _empty_queue() -> tuple[int, int]:
    """How many tasks the run enqueued and how many outbox rows wait on the delivery doorbell's
    list; then drop them and the admission counters (no worker ran, and the rows they name
    disappear with the benchmark database)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        queues = {"celery", *(q.name for q in settings.CELERY_TASK_QUEUES)}
        queued = sum(client.llen(queue) for queue in queues)
        waiting = client.llen(outbox.DUE_LIST_KEY)
        client.delete(*queues, outbox.DUE_LIST_KEY, outbox.BELL_KEY)
        _drop_gate_counters(client)
        return queued, waiting
    finally:
        client.close()


def _drop_gate_counters(client) -> None:
    """Admission counters name SKU ids of a benchmark database that no longer exists; a run
    that was killed (or anything else on this Redis db) may have left some: the next database
    reuses the ids, and a stale counter would refuse stock that exists."""
    gates = list(client.scan_iter("flash:gate:*"))
    if gates:
        client.delete(*gates)


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished children (load generator,
    gunicorn and its workers once stopped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (5 min {five:.2f})"


# --- the load -----------------------------------------------------------------------------


def _load(base_url: str, sku_id: int, attempts: list[dict]) -> dict:
    spec = {
        "base_url": base_url,
        "sku_id": sku_id,
        "concurrency": CONCURRENCY,
        "attempts": attempts,
        "stamp_request_start": SHED,
        "max_retries": 20 if SHED else 0,
    }
    finished = subprocess.run(
        [sys.executable, "-m", "tests.bench.http_load"],
        cwd=BASE_DIR,
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if finished.returncode != 0:
        raise BenchFailure(f"the load generator failed:\n{finished.stderr[-2000:]}")
    return json.loads(finished.stdout)


def _outcomes(results: list[dict]) -> tuple[dict[str, int], dict[str, int]]:
    kinds = {
        "201 created": 0,
        "200 replayed": 0,
        "409 out_of_stock": 0,
        "409 other": 0,
        "other 4xx": 0,
        "5xx": 0,
        "connection errors": 0,
    }
    details: dict[str, int] = {}
    for result in results:
        status, code = result["status"], result["code"]
        if status == 201:
            kind = "201 created"
        elif status == 200:
            kind = "200 replayed"
        elif status == 409:
            kind = "409 out_of_stock" if code == "out_of_stock" else "409 other"
        elif 400 <= status < 500:
            kind = "other 4xx"
        elif status >= 500:
            kind = "5xx"
        else:
            kind = "connection errors"
        kinds[kind] += 1
        if kind not in ("201 created", "409 out_of_stock"):
            label = f"{status or 'conn'} {code}".strip()
            details[label] = details.get(label, 0) + 1
    return kinds, details


def run() -> list[Row]:
    if ATTEMPTS < 2 * UNITS:
        print(f"  note: BENCH_HTTP_ATTEMPTS={ATTEMPTS} is fewer than the issue's 2,000", flush=True)
    _check_connection_budget(WORKERS * THREADS)
    load_before = _load_average()
    stock = sale_stock(UNITS)
    sku = stock.sku
    attempts = _shoppers(ATTEMPTS)

    # The database's own limit first, in the same minutes, over as many connections as the
    # server will have.
    raw = raw_sql_limit.measure(
        transactions=UNITS,
        connections=WORKERS * THREADS,
        users=list(
            get_user_model()
            .objects.filter(username__startswith=f"{PREFIX}-")
            .order_by("pk")[: UNITS + 1]
        ),
        sku=SKUFactory(code=f"{PREFIX}-raw", product=sku.product),
        warehouse=stock.warehouse,
    )
    print(f"  raw-SQL limit: {raw.per_second:.1f} order transactions/s", flush=True)
    if FLASH_SALE:
        flash_sale_start(sku)
    connection.close()  # the server's workers, not this process, talk to the database now
    import redis

    with redis.Redis.from_url(REDIS_URL) as client:
        _drop_gate_counters(client)
        client.delete(outbox.DUE_LIST_KEY, outbox.BELL_KEY)

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w+", prefix="shop-bench-gunicorn-", suffix=".log") as log:
        server = _start_gunicorn(port, log)
        try:
            _wait_until_healthy(server, base_url)
            before_load = _children_cpu()
            load = _load(base_url, sku.pk, attempts)
            load_cpu = _children_cpu() - before_load
        finally:
            _stop(server)
        # gunicorn's master has reaped its workers: their CPU time is now ours to read.
        server_cpu = _children_cpu() - before_load - load_cpu
        log.seek(0)
        server_log = log.read()

    results = load["results"]
    wall = load["wall_seconds"]
    kinds, details = _outcomes(results)
    timings = Timings(seconds=[result["latency"] for result in results])
    waits = Timings(seconds=[result.get("total", result["latency"]) for result in results])
    shed_answers = sum(result.get("shed", 0) for result in results)
    shed_shoppers = sum(1 for result in results if result.get("shed"))
    sold_out_after = max(
        (result["finished"] for result in results if result["status"] == 201), default=0.0
    )
    queued, waiting = _empty_queue()

    load_after = _load_average()
    shoppers_orders = Order.objects.filter(
        user__username__startswith=f"{PREFIX}-", lines__sku=sku
    ).distinct()
    orders = shoppers_orders.count()
    without_lines = Order.objects.filter(
        user__username__startswith=f"{PREFIX}-", lines__isnull=True
    ).count()
    sold = OrderLine.objects.filter(sku=sku).aggregate(total=Sum("quantity"))["total"] or 0
    record = StockRecord.objects.get(sku=sku)
    sellable = record.on_hand - record.allocated
    mismatches = stock_ledger_mismatches()

    problems = []
    if orders != UNITS or sold != UNITS or record.allocated != UNITS:
        problems.append(f"{orders} orders, {sold} units sold, {record.allocated} allocated")
    if sellable != 0:
        problems.append(f"{sellable} sellable left")
    if kinds["201 created"] != UNITS:
        problems.append(f"{kinds['201 created']} answers 201")
    if kinds["201 created"] + kinds["409 out_of_stock"] != len(results):
        problems.append("answers other than 201 / 409 out_of_stock: " + json.dumps(details))
    if mismatches:
        problems.append(f"stock ledger mismatches: {mismatches}")
    if without_lines:
        problems.append(f"{without_lines} orders without lines")
    if problems:
        print("  FAIL: " + "; ".join(problems), flush=True)
        errors = [line for line in server_log.splitlines() if line.strip()]
        if errors:
            print("  last lines of the gunicorn log:\n    " + "\n    ".join(errors[-30:]))

    server_kind = f"{WORKERS} sync workers" if THREADS == 1 else f"{WORKERS} x {THREADS} gthread"
    name = f"(d) flash sale over HTTP: gunicorn, {UNITS} units"
    while_stock_lasted = kinds["201 created"] / sold_out_after if sold_out_after else 0.0
    over_run = kinds["201 created"] / wall if wall else 0.0
    ratio = 100 * while_stock_lasted / raw.per_second if raw.per_second else 0.0
    ratio_run = 100 * over_run / raw.per_second if raw.per_second else 0.0
    p99_ok = timings.p99_ms < 2000
    rows = [
        Row(name, "load average before / after", f"{load_before} / {load_after}"),
        Row(name, "admission gate", "FlashSale + Redis gate" if FLASH_SALE else "none (DB path)"),
        Row(
            name,
            f"raw-SQL limit ({raw.connections} conns)",
            f"{raw.per_second:.1f} tx/s ({raw.transactions} in {raw.seconds:.2f} s)",
        ),
        Row(name, "orders/s while stock lasted", f"{while_stock_lasted:.1f}"),
        Row(name, "flash sale / raw-SQL limit", f"{ratio:.1f} % (target >= 30 %)"),
        Row(name, "same, over the whole run", f"{ratio_run:.1f} %"),
        Row(name, "p99 under 2 s", "yes" if p99_ok else "no"),
        Row(name, "server CPU (all workers)", f"{server_cpu:.1f} s"),
        Row(name, "server CPU per attempt", f"{1000 * server_cpu / max(len(results), 1):.1f} ms"),
        Row(name, "load generator CPU", f"{load_cpu:.1f} s"),
        Row(name, "order attempts", str(len(results))),
        Row(name, "concurrency (connections)", str(CONCURRENCY)),
        Row(name, "server", f"{server_kind}, DEBUG=0"),
        Row(name, "duration", f"{wall:.2f} s"),
        Row(name, "sold out after", f"{sold_out_after:.2f} s"),
        Row(name, "orders/s (201s / duration)", f"{kinds['201 created'] / wall:.1f}"),
        Row(name, "attempts/s", f"{len(results) / wall:.1f}"),
        Row(name, "latency p50", f"{timings.p50_ms:.0f} ms"),
        Row(name, "latency p95", f"{timings.p95_ms:.0f} ms"),
        Row(name, "latency p99", f"{timings.p99_ms:.0f} ms"),
        Row(name, "load shedding", f"after {SHED_MS} ms in the queue" if SHED else "off"),
        Row(name, "503 shed answers (retried)", f"{shed_answers} to {shed_shoppers} shoppers"),
        Row(name, "shopper's whole wait p50", f"{waits.p50_ms:.0f} ms"),
        Row(name, "shopper's whole wait p99", f"{waits.p99_ms:.0f} ms"),
    ]
    rows += [Row(name, kind, str(count)) for kind, count in kinds.items()]
    rows += [
        Row(name, "units sold (must be 1000)", str(sold)),
        Row(name, "sellable left (must be 0)", str(sellable)),
        Row(name, "orders in database", str(orders)),
        Row(name, "stock ledger mismatches", str(len(mismatches))),
        Row(name, "tasks enqueued (no worker)", str(queued)),
        Row(name, "pushes on the doorbell list", str(waiting)),
        Row(name, "result", "FAIL" if problems else "PASS"),
    ]
    return rows
