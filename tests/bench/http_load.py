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

The client is a few lines of asyncio streams speaking HTTP/1.1 (one request per connection,
`Connection: close`), not httpx: the load generator shares this 2-core machine with the server
it measures, and httpx spent about 3.7 ms of CPU per attempt, a quarter of what the server
spends on an order; this client spends a fraction of a millisecond.
"""

import asyncio
import json
import random
import sys
import time
from urllib.parse import urlsplit


class ConnectionFailed(Exception):
    """The connection broke before a whole answer arrived (the kind is in `code`)."""


class Answer:
    def __init__(self, status_code: int, headers: dict[str, str], body: bytes):
        self.status_code = status_code
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


async def _post(host: str, port: int, path: str, body: bytes, headers: dict, timeout: float):
    """One POST on a new connection; the whole answer (status, headers, body)."""
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    head += ["Content-Type: application/json", f"Content-Length: {len(body)}", "", ""]
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (TimeoutError, OSError) as error:
        raise ConnectionFailed(type(error).__name__) from error
    try:
        writer.write("\r\n".join(head).encode() + body)
        raw = await asyncio.wait_for(reader.read(), timeout)  # the server closes after it
    except (TimeoutError, OSError) as error:
        raise ConnectionFailed(type(error).__name__) from error
    finally:
        writer.close()
    header_block, separator, payload = raw.partition(b"\r\n\r\n")
    lines = header_block.decode("latin-1").split("\r\n")
    if not separator or not lines[0].startswith("HTTP/1."):
        raise ConnectionFailed("IncompleteAnswer")
    answer_headers = {}
    for line in lines[1:]:
        name, _colon, value = line.partition(":")
        answer_headers[name.strip().title()] = value.strip()
    if answer_headers.get("Transfer-Encoding", "").lower() == "chunked":
        payload = _unchunked(payload)
    length = int(answer_headers.get("Content-Length", len(payload)))
    if len(payload) < length:
        raise ConnectionFailed("IncompleteAnswer")
    return Answer(int(lines[0].split()[1]), answer_headers, payload[:length])


def _unchunked(payload: bytes) -> bytes:
    body, rest = b"", payload
    while rest:
        size_line, _crlf, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            return body
        body, rest = body + rest[:size], rest[size + 2 :]
    raise ConnectionFailed("IncompleteAnswer")


async def _attempt(target, semaphore, start, clock, spec, attempt) -> dict:
    body = json.dumps(
        {
            "address_id": attempt["address_id"],
            "items": [{"sku_id": spec["sku_id"], "quantity": 1}],
            "payment_method": "alipay",
        }
    ).encode()
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
                response = await _post(*target, "/api/orders/", body, headers, spec["timeout"])
            except ConnectionFailed as error:
                now = time.perf_counter()
                return {
                    "latency": now - began,
                    "total": now - first_sent,
                    "finished": now - clock["start"],
                    "status": 0,
                    "code": str(error),
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
    # A new connection per attempt: each is another shopper (and no request is lost to the race
    # between the server closing an idle connection and its reuse).
    spec["timeout"] = float(spec.get("timeout", 120))
    url = urlsplit(spec["base_url"])
    target = (url.hostname, url.port or 80)
    semaphore = asyncio.Semaphore(concurrency)
    start = asyncio.Event()
    clock = {"start": time.perf_counter()}
    tasks = [
        asyncio.create_task(_attempt(target, semaphore, start, clock, spec, attempt))
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
