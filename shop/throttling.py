"""Rate limits on writes (DRF throttles on the shared Redis cache), for the API and the pages.

A view opts in with `throttle_scope = "<scope>"`; the rates are settings
(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]). A signed-in caller is counted per account, anyone
else per client address. Reads are never counted. When Redis cannot be reached the limit is not
applied (and logged): a cache outage must not stop checkout or sign-in.
"""

import functools
import logging
import uuid

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext
from redis.exceptions import RedisError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from shop.cache import cache_redis_client, redis_script

logger = logging.getLogger(__name__)


# DRF's counter is a list of times read with a GET and written back with a SET: two round
# trips and a pickle per request, and requests that arrive together all read the same list, so
# a burst passes the limit. On Redis the same sliding window is a sorted set changed by one
# script, atomically: one round trip, and the limit holds however many requests race.
# Returns {1, count} when counted, {0, count, oldest time} when over the limit.
_WINDOW_LUA = """
local now, duration, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - duration)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, count, oldest[2]}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(duration))
return {1, count + 1}
"""


def _counted_in_redis(throttle, client, key: str) -> bool:
    script = redis_script(client, _WINDOW_LUA)
    throttle.now = throttle.timer()
    member = f"{throttle.now!r}:{uuid.uuid4().hex[:8]}"  # two requests in one microsecond
    allowed, count, *oldest = script(
        keys=[f"{key}:window"],
        args=[repr(throttle.now), throttle.duration, throttle.num_requests, member],
    )
    # What DRF's wait() reads: the requests in the window, the oldest last.
    throttle.history = [float(oldest[0])] * int(count) if oldest else []
    return bool(allowed)


def _counted(throttle, request, view) -> bool:
    try:
        client = cache_redis_client()
        if client is None:  # a cache without scripts (make run's fallback): DRF's own counter
            return SimpleRateThrottle.allow_request(throttle, request, view)
        if throttle.rate is None:
            return True
        key = throttle.get_cache_key(request, view)
        return True if key is None else _counted_in_redis(throttle, client, key)
    except (RedisError, OSError) as exc:
        logger.warning("rate limit %s not applied, cache unavailable: %s", throttle.scope, exc)
        return True


class ScopedWriteThrottle(ScopedRateThrottle):
    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return _counted(self, request, view)


class PageThrottle(SimpleRateThrottle):
    """The same counters for a storefront form: `PageThrottle("sign_up").wait_for(request)` is
    None while the caller is within the limit, else the seconds until the next try."""

    cache_format = ScopedRateThrottle.cache_format

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait_for(self, request) -> int | None:
        if _counted(self, request, None):
            return None
        return max(1, int(self.wait() or 1))


def too_many_message(seconds: int, what) -> str:
    minutes = max(1, -(-seconds // 60))
    return gettext("Too many %(what)s. Please try again in %(minutes)s min.") % {
        "what": what,
        "minutes": minutes,
    }


def throttle_page_posts(scope: str, what):
    """For a storefront view whose POST the API also offers (placing an order, an after-sales
    request): its posts count against the API's rate for `scope`, so the page is no way around
    the limit. Over it, nothing is tried: the page is shown again with a message."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                wait = PageThrottle(scope).wait_for(request)
                if wait is not None:
                    messages.error(request, too_many_message(wait, what))
                    response = redirect(request.get_full_path())
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
