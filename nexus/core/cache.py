"""A Redis cache for values that are only worth having: when Redis cannot answer, it misses.

Rendered Markdown and computed lists (the `best_effort` cache alias) can always be recomputed, so
a Redis outage must cost time, never a failed request. Counters that guard something (login
limits, throttles) stay on the `default` alias, whose errors propagate: they fail closed.

Both time every call to Redis (nexus_cache_operation_duration_seconds, on /metrics), by alias.
"""

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from prometheus_client import Histogram
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What an unreachable or failing Redis raises through redis-py (OSError: a refused socket).
UNAVAILABLE = (RedisError, OSError)
# One warning per process this often while Redis stays away, not one per cache call.
WARN_EVERY_SECONDS = 30.0

operation_seconds = Histogram(
    "nexus_cache_operation_duration_seconds",
    "Time a call to the Redis cache took (errors included), by cache alias and operation.",
    ["cache", "operation"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
TIMED_OPERATIONS = (
    "add",
    "get",
    "get_many",
    "has_key",
    "set",
    "set_many",
    "touch",
    "delete",
    "delete_many",
    "incr",
)


def _timed(operation: str) -> Any:
    untimed = getattr(RedisCacheClient, operation)

    def timed(self: "ReusingRedisCacheClient", *args: Any, **kwargs: Any) -> Any:
        with operation_seconds.labels(cache=self.alias, operation=operation).time():
            return untimed(self, *args, **kwargs)

    timed.__name__ = timed.__qualname__ = operation
    return timed


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, building one redis-py client per connection pool instead of one per
    cache call: building one fills its table of reply parsers (~170 entries), which cost more
    than the round trip to Redis on a cached page (0.2 ms of a 2 ms hit). redis-py clients are
    thread-safe; the pool behind them is the same either way."""

    # The label of its timings: the settings' alias it serves.
    alias = "default"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own choice of server (writes to the first, reads spread); absent from its stubs.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


# Each Redis call timed (add, get, ...), Django's own methods underneath; the best-effort client's
# error handling wraps these, so a call to an unreachable Redis is timed too.
for _operation in TIMED_OPERATIONS:
    setattr(ReusingRedisCacheClient, _operation, _timed(_operation))


class StrictRedisCache(RedisCache):
    """Django's RedisCache, its errors propagating (the `default` alias), with reused clients."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


class BestEffortRedisCacheClient(ReusingRedisCacheClient):
    """Django's Redis client whose reads miss and whose writes are dropped while Redis is away."""

    alias = "best_effort"
    _last_warning = -WARN_EVERY_SECONDS

    def _unavailable(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning >= WARN_EVERY_SECONDS:
            BestEffortRedisCacheClient._last_warning = now
            logger.warning("Cache unavailable, %s skipped: %s", operation, error)

    def get(self, key: Any, default: Any) -> Any:
        try:
            return super().get(key, default)
        except UNAVAILABLE as error:
            self._unavailable("get", error)
            return default

    def get_many(self, keys: Any) -> dict[Any, Any]:
        try:
            return super().get_many(keys)
        except UNAVAILABLE as error:
            self._unavailable("get_many", error)
            return {}

    def has_key(self, key: Any) -> bool:
        try:
            return super().has_key(key)
        except UNAVAILABLE as error:
            self._unavailable("has_key", error)
            return False

    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        try:
            return super().add(key, value, timeout)
        except UNAVAILABLE as error:
            self._unavailable("add", error)
            return False

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        try:
            super().set(key, value, timeout)
        except UNAVAILABLE as error:
            self._unavailable("set", error)

    def set_many(self, data: Any, timeout: Any) -> None:
        try:
            super().set_many(data, timeout)
        except UNAVAILABLE as error:
            self._unavailable("set_many", error)

    def touch(self, key: Any, timeout: Any) -> bool:
        try:
            return super().touch(key, timeout)
        except UNAVAILABLE as error:
            self._unavailable("touch", error)
            return False

    def delete(self, key: Any) -> bool:
        # A delete that cannot reach Redis leaves a stale value behind once Redis is back; the
        # values cached here are keyed by content or expire within minutes, so that is bounded.
        try:
            return super().delete(key)
        except UNAVAILABLE as error:
            self._unavailable("delete", error)
            return False

    def delete_many(self, keys: Any) -> None:
        try:
            super().delete_many(keys)
        except UNAVAILABLE as error:
            self._unavailable("delete_many", error)


class BestEffortRedisCache(RedisCache):
    """Django's RedisCache, degraded to misses while Redis is unreachable (incr still raises)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = BestEffortRedisCacheClient
