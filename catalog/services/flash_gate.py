"""The admission gate of flash sales: a Redis counter per hot SKU that mirrors its sellable stock.

An order attempt for a SKU in a running flash sale first takes its units from the counter with
one atomic Lua script. When the counter cannot cover them the attempt is answered 409
`out_of_stock` before any database transaction is opened, so the thousands of attempts that
arrive after the stock is gone cost one Redis round trip each instead of a transaction.

PostgreSQL stays the only truth; the counter is only a hint that may be too high, never
trusted to sell:

- An admitted attempt still takes its stock with the conditional UPDATE of
  catalog.services.stock, so a counter that is too high costs extra database attempts, never an
  oversell.
- A counter that is too low would refuse stock that exists. It is kept from staying low: an
  admitted attempt that fails for any reason but stock gives its units back; one that the
  database finds out of stock sets the counter to the database's figure; every stock change
  outside the order path drops the key, and the next attempt rebuilds it from the database;
  the beat task `catalog.tasks.reconcile_flash_gates` compares every running sale's counter
  with the database and repairs it.
- A counter that does not exist (a sale's first attempt, Redis started empty, the key dropped)
  is built from the database with `SET NX`, so concurrent builders agree.
- Redis unreachable: the gate answers "not gated" and the attempt takes the database path
  (no order lost, nothing oversold), and for RETRY_AFTER_FAILURE_SECONDS the gate is not even
  tried (no attempt waits out a socket timeout). The process then rebuilds each counter from
  the database the first time Redis answers again.
"""

import contextlib
import logging
import threading
import time

import redis
from django.conf import settings
from django.db.models import F, Sum

from catalog.models import StockRecord

logger = logging.getLogger(__name__)

KEY = "flash:gate:{sku_id}"
# A counter outlives its sale by a day at most, even if nobody deletes it.
KEY_TTL_SECONDS = 24 * 3600

# -2: no counter (build it from the database), -1: not enough left, else the units left after
# taking ARGV[1]. GET and DECRBY in one script: no other attempt runs in between.
_ADMIT_LUA = """
local left = redis.call('GET', KEYS[1])
if not left then return -2 end
local wanted = tonumber(ARGV[1])
if tonumber(left) < wanted then return -1 end
return redis.call('DECRBY', KEYS[1], wanted)
"""
NO_COUNTER = -2
NOT_ENOUGH = -1
# Give units back only to a counter that still exists: one dropped meanwhile is rebuilt from
# the database, which never counted these units as taken.
_RELEASE_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -2 end
return redis.call('INCRBY', KEYS[1], ARGV[1])
"""

_lock = threading.Lock()
_client: redis.Redis | None = None
_admit_script = None
_release_script = None
# After this process saw Redis fail, whatever Redis holds when it answers again may be stale
# (a restart from an old snapshot): each SKU's counter is rebuilt before its next use.
_state = {"failed": False, "retry_at": 0.0}
# After a failure, the gate is not tried for this long: each attempt would otherwise wait out
# the socket timeout before taking the database path.
RETRY_AFTER_FAILURE_SECONDS = 5.0
_rebuilt_since_failure: set[int] = set()


class GateUnavailable(Exception):
    """Redis did not answer: take the database path."""


def _redis() -> redis.Redis | None:
    global _client, _admit_script, _release_script
    url = settings.FLASH_GATE_REDIS_URL or settings.REDIS_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None  # locmem cache (benchmarks in one process, SQLite dev setups): no gate
    if time.monotonic() < _state["retry_at"]:
        raise GateUnavailable("Redis failed a moment ago")
    with _lock:
        if _client is None:
            # Short timeouts: a Redis that does not answer must not hold a shopper; the
            # database path is always there.
            _client = redis.Redis.from_url(
                url, socket_timeout=0.25, socket_connect_timeout=0.25, health_check_interval=30
            )
            _admit_script = _client.register_script(_ADMIT_LUA)
            _release_script = _client.register_script(_RELEASE_LUA)
    return _client


def _failed(error: Exception) -> GateUnavailable:
    logger.warning("Flash-sale gate: Redis unavailable (%s); database path", error)
    with _lock:
        _state["failed"] = True
        _state["retry_at"] = time.monotonic() + RETRY_AFTER_FAILURE_SECONDS
        _rebuilt_since_failure.clear()
    return GateUnavailable(str(error))


def sellable_in_database(sku_id: int) -> int:
    total = StockRecord.objects.filter(sku_id=sku_id, warehouse__is_active=True).aggregate(
        sellable=Sum(F("on_hand") - F("allocated"))
    )["sellable"]
    return max(total or 0, 0)


def gate_rebuild(*, sku_id: int, only_if_missing: bool) -> int:
    """Set the counter of `sku_id` to its sellable stock in the database; returns it."""
    client = _redis()
    if client is None:
        raise GateUnavailable("no Redis configured")
    sellable = sellable_in_database(sku_id)
    try:
        client.set(KEY.format(sku_id=sku_id), sellable, ex=KEY_TTL_SECONDS, nx=only_if_missing)
    except redis.RedisError as error:
        raise _failed(error) from error
    if _state["failed"]:
        _rebuilt_since_failure.add(sku_id)
    return sellable


def gate_admit(*, sku_id: int, quantity: int) -> bool:
    """Take `quantity` units of `sku_id` from its counter. True: admitted (give them back with
    gate_release if the order is not made); False: the stock is gone, answer 409 without a
    transaction. Raises GateUnavailable when Redis does not answer."""
    client = _redis()
    if client is None:
        raise GateUnavailable("no Redis configured")
    key = KEY.format(sku_id=sku_id)
    try:
        if _state["failed"] and sku_id not in _rebuilt_since_failure:
            gate_rebuild(sku_id=sku_id, only_if_missing=False)
        left = _admit_script(keys=[key], args=[quantity], client=client)
        if left == NO_COUNTER:
            gate_rebuild(sku_id=sku_id, only_if_missing=True)
            left = _admit_script(keys=[key], args=[quantity], client=client)
    except redis.RedisError as error:
        raise _failed(error) from error
    return left >= 0


def gate_release(*, sku_id: int, quantity: int) -> None:
    """Give back units an admitted attempt did not use (bad coupon, limit reached, crash...).
    Redis failing meanwhile: nothing to do, the counter is rebuilt before its next use."""
    try:
        client = _redis()
    except GateUnavailable:
        return
    if client is None:
        return
    try:
        _release_script(keys=[KEY.format(sku_id=sku_id)], args=[quantity], client=client)
    except redis.RedisError as error:
        _failed(error)


def gate_correct(*, sku_id: int) -> None:
    """The database refused an admitted attempt for want of stock: the counter was too high.
    Set it to the database's figure."""
    with contextlib.suppress(GateUnavailable):
        gate_rebuild(sku_id=sku_id, only_if_missing=False)


def gate_forget(*, sku_id: int) -> None:
    """Stock changed outside the order path (restock, release, adjustment): drop the counter;
    the next attempt rebuilds it from the database."""
    try:
        client = _redis()
    except GateUnavailable:
        return  # rebuilt before its next use anyway
    if client is None:
        return
    try:
        client.delete(KEY.format(sku_id=sku_id))
    except redis.RedisError as error:
        _failed(error)


def gate_read(*, sku_id: int) -> int | None:
    client = _redis()
    if client is None:
        raise GateUnavailable("no Redis configured")
    try:
        value = client.get(KEY.format(sku_id=sku_id))
    except redis.RedisError as error:
        raise _failed(error) from error
    return None if value is None else int(value)


def gate_reset_process_state() -> None:
    """Forget that Redis failed (tests)."""
    with _lock:
        _state["failed"] = False
        _state["retry_at"] = 0.0
        _rebuilt_since_failure.clear()
