"""The load generator of the HTTP flash sale, run in its own process so that it never shares an
interpreter with the server: `python -m tests.bench.http_load < spec.json > results.json`.

It imports nothing from Django. The spec (JSON on stdin) names the base URL, the SKU, the
concurrency limit and one attempt per entry (token, address id, idempotency key). Every attempt
is `POST /api/orders/` with its own Idempotency-Key over a new connection; at most
`concurrency` are in flight at once. The result (JSON on stdout) has, per attempt, the latency in
seconds and either the HTTP status with the body's error code or the connection error's kind,
plus the wall time from the first request sent to the last answer received.

With `stamp_request_start` each request carries X-Request-Start as a reverse proxy would stamp
it, so the server sheds requests that queued too long (503 + Retry-After); with `max_retries`
a shed attempt comes back after Retry-After (with jitter), like the storefront's busy page.
`latency` is then the last answer's, `total` the shopper's whole wait, `shed` how often.
"""

import asyncio
import json
import random
import sys
import time

import httpx


async def _attempt(client, semaphore, start, clock, spec, attempt) -> dict:
    body = {
        "address_id": attempt["address_id"],
        "items": [{"sku_id": spec["sku_id"], "quantity": 1}],
        "payment_method": "alipay",
    }
    headers = {
        "Authorization": f"Token {attempt['token']}",
        "Idempotency-Key": attempt["key"],
    }
    stamp = spec.get("stamp_request_start", False)
    retries_left = int(spec.get("max_retries", 0))
    shed = 0
    await start.wait()
    first_sent = None
    while True:
        async with semaphore:
            began = time.perf_counter()
            first_sent = first_sent or began
            if stamp:
                # What the reverse proxy in front stamps on arrival (nginx `t=${msec}`); on
                # loopback, the moment the client sends is the moment the proxy would receive.
                headers["X-Request-Start"] = f"t={time.time():.3f}"
            try:
                response = await client.post("/api/orders/", json=body, headers=headers)
            except httpx.HTTPError as error:
                now = time.perf_counter()
                return {
                    "latency": now - began,
                    "total": now - first_sent,
                    "finished": now - clock["start"],
                    "status": 0,
                    "code": type(error).__name__,
                    "shed": shed,
                }
            now = time.perf_counter()
        if response.status_code == 503 and retries_left > 0 and "Retry-After" in response.headers:
            # A shed request never reached the order service: come back when told, as the
            # storefront's busy page and a well-behaved app do.
            shed += 1
            retries_left -= 1
            await asyncio.sleep(float(response.headers["Retry-After"]) * (0.5 + random.random()))
            continue
        break
    code = ""
    if response.status_code >= 400:
        try:
            code = str(response.json().get("code", ""))
        except ValueError:
            code = "not_json"
    return {
        "latency": now - began,
        "total": now - first_sent,
        "finished": now - clock["start"],
        "status": response.status_code,
        "code": code,
        "shed": shed,
    }


async def _run(spec: dict) -> dict:
    concurrency = int(spec["concurrency"])
    # No keep-alive: each attempt is another shopper on their own connection (and no request
    # is lost to the race between the server closing an idle connection and its reuse).
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=0)
    timeout = httpx.Timeout(float(spec.get("timeout", 120)))
    semaphore = asyncio.Semaphore(concurrency)
    start = asyncio.Event()
    clock = {"start": time.perf_counter()}
    client = httpx.AsyncClient(base_url=spec["base_url"], limits=limits, timeout=timeout)
    async with client:
        tasks = [
            asyncio.create_task(_attempt(client, semaphore, start, clock, spec, attempt))
            for attempt in spec["attempts"]
        ]
        await asyncio.sleep(0)  # let the first `concurrency` tasks take the semaphore
        clock["start"] = time.perf_counter()
        start.set()
        results = await asyncio.gather(*tasks)
        wall = time.perf_counter() - clock["start"]
    return {"wall_seconds": wall, "results": results}


def main() -> int:
    spec = json.load(sys.stdin)
    json.dump(asyncio.run(_run(spec)), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
