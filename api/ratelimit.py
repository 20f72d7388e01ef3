"""API rate limits shared by every process: per user (all of their tokens together) and,
for requests without a valid token, per client address.

Counted in fixed windows, so that the budget holds across gunicorn workers and machines:
- with the shared cache on Redis (REDIS_URL), in Redis: one round trip per request (an
  atomic INCR and EXPIRE of the window's own key);
- without it, and whenever Redis cannot be reached, in the database: one atomic upsert
  per request (api.RateCounter). During a Redis outage every process counts there, so
  no client gets unlimited calls and none gets an error; the window in which Redis
  stops or comes back may allow a client up to its budget once more (each store
  counts the window on its own).
"""

import math
import threading
import time
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from accounts.clientip import client_ip
from api.models import RateCounter

_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def rate_parse(rate: str) -> tuple[int, int]:
    """ "120/m" → (120, 60): requests allowed and the window in seconds."""
    count, _slash, unit = rate.partition("/")
    unit = unit.strip().lower()
    digits = unit.rstrip("abcdefghijklmnopqrstuvwxyz")
    name = unit[len(digits) :]
    if not count.strip().isdigit() or name not in _PERIODS or (digits and not digits.isdigit()):
        raise ValueError(f"Invalid rate {rate!r}: expected N/s, N/m, N/h or N/d")
    return int(count), (int(digits) if digits else 1) * _PERIODS[name]


def client_address(request: HttpRequest) -> str:
    """The client's address: X-Forwarded-For only through TRUSTED_PROXIES."""
    return client_ip(request) or "unknown"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int


_UPSERT = """
INSERT INTO {table} ("key", "window_start", "expires", "hits") VALUES (%s, %s, %s, 1)
ON CONFLICT ("key") DO UPDATE SET
    "hits" = CASE WHEN {table}."window_start" = excluded."window_start"
                  THEN {table}."hits" + 1 ELSE 1 END,
    "window_start" = excluded."window_start",
    "expires" = excluded."expires"
RETURNING "hits"
"""


def rate_hit(key: str, *, rate: str, now: float) -> Verdict:
    """Count one request of `key` and say whether it is within `rate`."""
    limit, period = rate_parse(rate)
    window_start = int(now // period) * period
    expires = window_start + period
    hits = _shared_hits(key, window_start=window_start, period=period)
    if hits is None:
        hits = _database_hits(key, window_start=window_start, expires=expires, now=now)
    return Verdict(hits <= limit, max(1, math.ceil(expires - now)))


@runtime_checkable
class WindowCounter(Protocol):
    """A cache that counts atomically across processes (lpse_support.cache's Redis)."""

    def count_in_window(self, key: str, *, seconds: int) -> int | None: ...


def _shared_hits(key: str, *, window_start: int, period: int) -> int | None:
    """The window's count in Redis; None without Redis or while it cannot be reached."""
    shared = caches["default"]
    if not isinstance(shared, WindowCounter):
        return None
    # The window is in the key, so a new window starts at zero; the key outlives its
    # window by at most a period.
    return shared.count_in_window(f"ratelimit:{key}:{window_start}", seconds=period)


def _database_hits(key: str, *, window_start: int, expires: int, now: float) -> int:
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=table), [key, window_start, expires])
        row = cursor.fetchone()
    hits = int(row[0])
    if hits == 1:
        # A new window for this key: drop the rows of keys that have gone quiet, so the
        # table holds only the currently active users and addresses.
        RateCounter.objects.filter(expires__lt=int(now)).delete()
    return hits


class UserRateThrottle(BaseThrottle):
    """django-ninja throttle: API_RATE_LIMIT per user, API_ANON_RATE_LIMIT per address.

    The rates are read on every request (settings may change in tests and at runtime
    reloads); the verdict's wait is kept per thread for `wait()` (gthread workers share
    this instance).
    """

    timer = staticmethod(time.time)

    def __init__(self) -> None:
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if getattr(request, "auth", None) is not None and user is not None and user.pk:
            verdict = rate_hit(f"user:{user.pk}", rate=settings.API_RATE_LIMIT, now=self.timer())
        else:
            verdict = anonymous_hit(request, now=self.timer())
        self._local.retry_after = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return float(getattr(self._local, "retry_after", 1))


def anonymous_hit(request: HttpRequest, *, now: float | None = None) -> Verdict:
    """Count a request without a valid token against its address's budget."""
    return rate_hit(
        f"addr:{client_address(request)}",
        rate=settings.API_ANON_RATE_LIMIT,
        now=UserRateThrottle.timer() if now is None else now,
    )
