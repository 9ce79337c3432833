"""Django's Redis cache, made to treat an unreachable Redis as an empty cache.

The cache holds rate-limit counters and a copy of each session (written through to the database), so
while Redis is down a request must still be served: every operation then answers like a miss and writes
nothing, and the process stops trying Redis for a short pause so that pages do not wait on timeouts.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 10
_FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)


class _ResilientClient(RedisCacheClient):
    _down_until = 0.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        """One ``redis.Redis`` per connection pool, kept: Django's client makes a new one for every
        operation, and making one (its table of reply parsers) costs as much as a round trip to Redis.
        A ``redis.Redis`` is safe to share between threads; its pool hands each a connection."""
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _guard(self, name, default, *args, **kwargs):
        if time.monotonic() < _ResilientClient._down_until:
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _FAILURES as exc:
            _ResilientClient._down_until = time.monotonic() + PAUSE_SECONDS
            logger.warning("Redis cache unreachable (%s); serving without it for %d s", exc, PAUSE_SECONDS)
            return default

    def add(self, key, value, timeout):
        return self._guard("add", False, key, value, timeout)

    def get(self, key, default):
        return self._guard("get", default, key, default)

    def set(self, key, value, timeout):
        return self._guard("set", None, key, value, timeout)

    def touch(self, key, timeout):
        return self._guard("touch", False, key, timeout)

    def delete(self, key):
        return self._guard("delete", False, key)

    def get_many(self, keys):
        return self._guard("get_many", {}, keys)

    def has_key(self, key):
        return self._guard("has_key", False, key)

    def set_many(self, data, timeout):
        return self._guard("set_many", None, data, timeout)

    def delete_many(self, keys):
        return self._guard("delete_many", None, keys)

    def clear(self):
        return self._guard("clear", False)


class ResilientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that degrades to a miss while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ResilientClient

    def count_many(self, keys: list[tuple[str, int, bool]]) -> dict[str, int]:
        """Rate-limit counters in one round trip (see ``redis_count_many``); while Redis is unreachable
        nothing is counted (every counter reads 0), like every other operation here."""
        if time.monotonic() < _ResilientClient._down_until:
            return {key: 0 for key, _ttl, _increment in keys}
        try:
            return redis_count_many(self, keys)
        except _FAILURES as exc:
            _ResilientClient._down_until = time.monotonic() + PAUSE_SECONDS
            logger.warning("Redis cache unreachable (%s); serving without it for %d s", exc, PAUSE_SECONDS)
            return {key: 0 for key, _ttl, _increment in keys}


# SET key 0 EX ttl NX then INCR for each counted key (the first request of a window sets its expiry), GET for
# each only read; as one script, atomic, in one command (a pipeline of ten commands cost three times its
# round trip in redis-py's Python, on every tracking page).
_COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  if ARGV[2 * i] == '1' then
    redis.call('SET', key, 0, 'EX', tonumber(ARGV[2 * i - 1]), 'NX')
    counts[i] = redis.call('INCR', key)
  else
    counts[i] = tonumber(redis.call('GET', key)) or 0
  end
end
return counts
"""


def redis_count_many(cache: RedisCache, keys: list[tuple[str, int, bool]]) -> dict[str, int]:
    """Counters for ``[(key, ttl seconds, increment)]`` in one round trip (``_COUNT_SCRIPT``): counted ones
    go up by one, the others are only read. The values are the plain integers Django's Redis cache stores
    for ints, so ``cache.get`` reads them too."""
    client = cache._cache.get_client(write=True)
    script = getattr(client, "_tongxin_count_script", None)
    if script is None:  # sent by its digest (EVALSHA), loaded again if Redis lost it
        script = client._tongxin_count_script = client.register_script(_COUNT_SCRIPT)
    names = [cache.make_and_validate_key(key) for key, _ttl, _increment in keys]
    args = [value for _key, ttl, increment in keys for value in (int(ttl), 1 if increment else 0)]
    replies = script(keys=names, args=args)
    return {key: int(reply or 0) for (key, _ttl, _increment), reply in zip(keys, replies, strict=True)}
