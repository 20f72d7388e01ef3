"""The shared cache on Redis (`REDIS_URL`), which never fails a request when Redis is down.

Django's own `RedisCache`, with short timeouts (settings.py), wrapped so that a Redis
that cannot be reached (or errs) behaves like an empty cache that keeps nothing: reads give the
default, writes are dropped, `add` and `touch` say False. Whoever uses the cache already
copes with a miss, so a Redis outage costs speed, never a 500. One warning per
`LOG_INTERVAL_SECONDS` per process says that Redis is unusable (not one per call).

`count_in_window` is the one Redis-specific operation: the rate limits' counter
(api/ratelimit.py), with `None` meaning "count elsewhere".
"""

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

LOG_INTERVAL_SECONDS = 60.0
# Whatever Redis (or the client) raises: unreachable or timed out, still loading after a
# restart, out of memory, read-only, refusing our credentials, or not Redis at all (a
# wrong REDIS_URL). Errors of our own, such as a value that cannot be pickled, are raised.
UNAVAILABLE = (RedisError,)


class _OutageLog:
    """Logs the first failure, then at most one line per interval (per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._missed = 0

    def failed(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._missed += 1
            if now - self._last < LOG_INTERVAL_SECONDS:
                return
            self._last, missed, self._missed = now, self._missed, 0
        logger.warning(
            "Redis unusable (%s: %s); %d cache call(s) answered as misses",
            operation,
            error,
            missed,
        )


outage_log = _OutageLog()


class FailSoftRedisCache(RedisCache):
    """`RedisCache` that answers as an empty cache while Redis cannot be reached."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        # One immediate retry on a fresh connection: after a Redis restart the pooled
        # connections are dead, and the first call on each would otherwise be lost. A Redis
        # that is down refuses both tries at once; timeouts are not retried.
        options.setdefault("retry", Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)))
        super().__init__(server, {**params, "OPTIONS": options})

    def _soft(self, fallback: Any, operation: str, *args: Any) -> Any:
        try:
            return getattr(RedisCache, operation)(self, *args)
        except UNAVAILABLE as error:
            outage_log.failed(operation, error)
            return fallback

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return bool(self._soft(False, "add", key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._soft(default, "get", key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._soft(None, "set", key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return bool(self._soft(False, "touch", key, timeout, version))

    def delete(self, key: Any, version: Any = None) -> bool:
        return bool(self._soft(False, "delete", key, version))

    def get_many(self, keys: Iterable[Any], version: Any = None) -> dict[Any, Any]:
        return dict(self._soft({}, "get_many", keys, version))

    def has_key(self, key: Any, version: Any = None) -> bool:
        return bool(self._soft(False, "has_key", key, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            return int(super().incr(key, delta, version))
        except UNAVAILABLE as error:
            outage_log.failed("incr", error)
            # What an empty cache answers (Django's contract for a missing key).
            raise ValueError(f"Key {key!r} not found (cache unavailable).") from None

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[Any]:
        # Django's contract: the keys that could not be stored.
        return list(self._soft(list(data), "set_many", data, timeout, version))

    def delete_many(self, keys: Iterable[Any], version: Any = None) -> None:
        self._soft(None, "delete_many", keys, version)

    def clear(self) -> None:
        self._soft(None, "clear")

    def count_in_window(self, key: str, *, seconds: int) -> int | None:
        """Add one to `key`'s counter and return it; the counter expires `seconds` after
        its last count. One round trip (INCR and EXPIRE in a MULTI), atomic across every
        process. None when Redis cannot be reached."""
        redis_key = self.make_and_validate_key(key)

        try:
            # Django's client of the server (its pool); the stubs do not declare it.
            client = self._cache.get_client(redis_key, write=True)  # type: ignore[attr-defined]
            pipeline = client.pipeline(transaction=True)
            pipeline.incr(redis_key)
            pipeline.expire(redis_key, seconds)
            hits, _expiry_set = pipeline.execute()
        except UNAVAILABLE as error:
            outage_log.failed("count_in_window", error)
            return None
        return int(hits)
