"""Django's Redis cache with one client per connection pool instead of one per operation.

django.core.cache.backends.redis builds a new `redis.Redis` object for every get or set (about
0.12 ms of Python here, as much as the round trip itself). A Redis client is thread-safe and
only borrows connections from its pool, so one per pool is enough; the pools, options and
behaviour are Django's own.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients

    def redis_client(self):
        """The Redis client behind this cache, for the few things a get and a set cannot say
        (a list, a script): same server, same pool, the keys cleared with the cache."""
        return self._cache.get_client(write=True)


def cache_redis_client():
    """The default cache's Redis client, or None when the cache is not Redis (make run's
    fallback, the benchmarks' in-process cache)."""
    from django.core.cache import cache

    client = getattr(cache, "redis_client", None)
    return client() if client is not None else None


_scripts: dict[tuple[int, str], object] = {}


def redis_script(client, source: str):
    """`source` (Lua) registered on `client` once per process; call the result with keys= and
    args= (redis-py runs it by its SHA and loads it again after a Redis restart)."""
    key = (id(client), source)
    script = _scripts.get(key)
    if script is None:
        script = _scripts[key] = client.register_script(source)
    return script
