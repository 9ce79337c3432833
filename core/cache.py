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
