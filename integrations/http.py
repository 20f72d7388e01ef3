"""The one way LPSE Support talks to outside sources (Data Warehouse, Katalog, SiRUP).

Every outbound call goes through `get_json` / `fetch` so that all of them share the same
protections, because a slow or dead source must never hold up a reporter filing a
ticket:

* separate connect and read timeouts per source, read from settings at call time;
* an optional budget per call (`source_config(..., budget=)`): connect, read, retries
  and the waits between them together never take longer, in whatever process the
  call runs, because breaker and cache state are per process and cannot promise that;
* a few retries with exponential backoff and jitter, only for idempotent GETs and only
  on failures that a second try can cure (connection errors, timeouts, 502/503/504);
* a circuit breaker per source: after `INTEGRATION_BREAKER_THRESHOLD` consecutive
  failed calls the source is skipped for `INTEGRATION_BREAKER_SECONDS`, then a single
  trial call (without retries) decides whether it is back, so a dead source costs at
  most one timeout per window;
* a short-lived in-process LRU cache of answers (and, more briefly, of "not found"),
  because the same code is looked up several times while one ticket is written;
* one structured log line and one count (lib/metrics.py) per network attempt, cache
  hit or short-circuit.

Time comes from a `Clock` (the system's monotonic clock and `time.sleep` unless a
source is given another), so that backoff, breaker windows, cache expiry and logged
durations can be driven by a test instead of by waiting.

`http.client` is used directly (no dependency, separate connect/read timeouts) and it
never consults proxy variables from the environment.
"""

import copy
import http.client
import json
import logging
import random
import socket
import threading
import time
import urllib.parse
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from django.conf import settings

from lib.metrics import BREAKER_STATE, BREAKER_VALUES, INTEGRATION_CALLS
from lib.requestid import HEADER as REQUEST_ID_HEADER
from lib.requestid import request_id

logger = logging.getLogger("integrations.http")

T = TypeVar("T")

UnavailableReason = Literal["timeout", "down", "error", "circuit_open"]

# Statuses that mean "the source is struggling, try again shortly".
RETRYABLE_STATUSES = frozenset({502, 503, 504})
# First backoff before a retry, doubled each time, capped; each wait is jittered to
# 50–100 % so that many workers do not retry in lockstep.
BACKOFF_BASE_SECONDS = 0.2
BACKOFF_MAX_SECONDS = 1.0
# Answers bigger than this are not what the sources send; refuse rather than buffer.
MAX_RESPONSE_BYTES = 1024 * 1024
CACHE_MAX_ENTRIES = 1024
USER_AGENT = "LPSE-Support/1.0"

# The known sources: name -> (settings prefix, label shown to people).
SOURCES: dict[str, tuple[str, str]] = {
    "dw": ("INTEGRATION_DW", "Data Warehouse LKPP"),
    "katalog": ("INTEGRATION_KATALOG", "Katalog Elektronik"),
    "sirup": ("INTEGRATION_SIRUP", "SiRUP"),
}
_DEFAULT_URL = "http://127.0.0.1:8001"
_DEFAULT_TOKENS = {
    "dw": "dev-dw-token",
    "katalog": "dev-katalog-token",
    "sirup": "dev-sirup-token",
}


# --- Errors -----------------------------------------------------------------------


class SourceError(Exception):
    """A lookup at an outside source did not give a usable answer."""

    code: str = "error"

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source


class SourceNotFound(SourceError):
    """The source answered 404: it does not know the code."""

    code = "not_found"


class SourceUnavailable(SourceError):
    """The source could not be asked: timeout, down, server error or circuit open."""

    def __init__(self, source: str, reason: UnavailableReason, message: str) -> None:
        super().__init__(source, f"{reason}: {message}")
        self.reason: UnavailableReason = reason
        self.code = reason


class SourceBadResponse(SourceError):
    """The source answered, but not with JSON of the expected shape."""

    code = "bad_response"


# --- Time -------------------------------------------------------------------------


class Clock(Protocol):
    """Where the wrapper reads elapsed time and how it waits between retries."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: `time.monotonic` and `time.sleep`."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK: Clock = SystemClock()


# --- Configuration ----------------------------------------------------------------


@dataclass(frozen=True)
class SourceConfig:
    """Where and how to reach one source; built from settings by `source_config`."""

    name: str
    label: str
    base_url: str
    token: str
    connect_timeout: float = 2.0
    read_timeout: float = 3.0
    retries: int = 2
    breaker_threshold: int = 5
    breaker_seconds: float = 30.0
    cache_seconds: float = 60.0
    not_found_cache_seconds: float = 30.0
    # The most the whole call may take (every attempt and wait), or None: no budget
    # beyond the timeouts and retries. Each attempt's timeouts are cut to what is left.
    budget: float | None = None
    # Breaker and cache state are per process and compare times from this clock, so only
    # a test (after `reset_state`) gives a source another one.
    clock: Clock = SYSTEM_CLOCK


def source_config(
    name: str,
    *,
    clock: Clock = SYSTEM_CLOCK,
    budget: float | None = None,
    read_timeout: float | None = None,
) -> SourceConfig:
    """The configuration of source `name` ("dw", "katalog", "sirup") from settings now.

    Read at call time (never at import) so that tests and operators can change settings
    without restarting anything that imported this module. `clock` is the time the
    calls to this source run on; `budget` the most one call may take, all attempts
    together; `read_timeout` replaces the configured one (a caller nobody waits for).
    """
    prefix, label = SOURCES[name]
    cache_seconds = float(getattr(settings, "INTEGRATION_CACHE_SECONDS", 60))
    return SourceConfig(
        name=name,
        label=label,
        base_url=str(getattr(settings, f"{prefix}_URL", "") or _DEFAULT_URL),
        token=str(getattr(settings, f"{prefix}_TOKEN", _DEFAULT_TOKENS[name])),
        connect_timeout=float(getattr(settings, "INTEGRATION_CONNECT_TIMEOUT", 2.0)),
        read_timeout=(
            read_timeout
            if read_timeout is not None
            else float(getattr(settings, "INTEGRATION_READ_TIMEOUT", 3.0))
        ),
        retries=max(0, int(getattr(settings, "INTEGRATION_RETRIES", 2))),
        breaker_threshold=max(1, int(getattr(settings, "INTEGRATION_BREAKER_THRESHOLD", 5))),
        breaker_seconds=float(getattr(settings, "INTEGRATION_BREAKER_SECONDS", 30)),
        cache_seconds=cache_seconds,
        not_found_cache_seconds=float(
            getattr(settings, "INTEGRATION_NOT_FOUND_CACHE_SECONDS", min(30.0, cache_seconds))
        ),
        budget=budget,
        clock=clock,
    )


# --- Circuit breaker --------------------------------------------------------------


class CircuitBreaker:
    """Consecutive-failure breaker for one source (closed → open → half-open → …).

    Callers pass the current monotonic time (`now`), so the breaker holds no clock.
    A breaker named after its source publishes its state (lib/metrics.py).
    """

    def __init__(self, source: str = "") -> None:
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False
        self._source = source
        self._publish()

    def _publish(self) -> None:
        if self._source:
            BREAKER_STATE.labels(self._source).set(BREAKER_VALUES[self._state()])

    def admit(self, *, window: float, now: float) -> Literal["closed", "trial"] | None:
        """May a call go out? "closed": normal call; "trial": the one half-open call;
        None: the circuit is open, answer at once without a network call."""
        with self._lock:
            if self._opened_at is None:
                return "closed"
            if now - self._opened_at < window or self._trial_in_flight:
                return None
            self._trial_in_flight = True
            self._publish()
            return "trial"

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_in_flight = False
            self._publish()

    def record_failure(self, *, threshold: int, now: float) -> None:
        with self._lock:
            self._failures += 1
            if self._trial_in_flight or self._failures >= threshold:
                self._opened_at = now
            self._trial_in_flight = False
            self._publish()

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._trial_in_flight else "open"


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(source: SourceConfig) -> CircuitBreaker:
    """The breaker of `source` (one per source name and base URL, per process)."""
    key = f"{source.name} {source.base_url}"
    with _breakers_lock:
        breaker = _breakers.get(key)
        if breaker is None:
            breaker = _breakers[key] = CircuitBreaker(source.name)
        return breaker


# --- Cache ------------------------------------------------------------------------

_NOT_FOUND = object()
_MISS = object()
_CacheKey = tuple[str, str, str, str]
_cache: "OrderedDict[_CacheKey, tuple[float, Any]]" = OrderedDict()
_cache_lock = threading.Lock()


def _cache_get(key: _CacheKey, *, now: float) -> Any:
    with _cache_lock:
        entry = _cache.get(key)
        if entry is None:
            return _MISS
        expires_at, value = entry
        if now >= expires_at:
            del _cache[key]
            return _MISS
        _cache.move_to_end(key)
        return value


def _cache_put(key: _CacheKey, value: Any, seconds: float, *, now: float) -> None:
    if seconds <= 0:
        return
    with _cache_lock:
        _cache[key] = (now + seconds, value)
        _cache.move_to_end(key)
        while len(_cache) > CACHE_MAX_ENTRIES:
            _cache.popitem(last=False)


def reset_state() -> None:
    """Forget all breaker and cache state (tests; or after reconfiguring sources)."""
    with _breakers_lock:
        _breakers.clear()
    with _cache_lock:
        _cache.clear()


# --- One attempt ------------------------------------------------------------------


@dataclass(frozen=True)
class _Attempt:
    status: int  # 0 when no HTTP answer arrived
    body: bytes = b""
    failure: UnavailableReason | None = None
    detail: str = ""


def _attempt(
    source: SourceConfig, path: str, *, connect_timeout: float, read_timeout: float
) -> _Attempt:
    url = urllib.parse.urlsplit(source.base_url.rstrip("/") + path)
    connection_class = (
        http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(url.hostname or "", url.port, timeout=connect_timeout)
    target = url.path + (f"?{url.query}" if url.query else "")
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if current := request_id():
        headers[REQUEST_ID_HEADER] = current
    if source.token:
        headers["Authorization"] = f"Bearer {source.token}"
    try:
        connection.connect()
        if connection.sock is not None:
            connection.sock.settimeout(read_timeout)
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        body = response.read(MAX_RESPONSE_BYTES + 1)
        return _Attempt(status=response.status, body=body)
    except TimeoutError as exc:  # socket.timeout is TimeoutError since 3.10
        return _Attempt(status=0, failure="timeout", detail=str(exc) or "timed out")
    except http.client.HTTPException as exc:
        return _Attempt(status=0, failure="error", detail=type(exc).__name__)
    except (OSError, socket.gaierror) as exc:
        return _Attempt(status=0, failure="down", detail=type(exc).__name__)
    finally:
        connection.close()


def _log(
    source: SourceConfig,
    path: str,
    *,
    status: int,
    started: float,
    attempt: int,
    outcome: str,
    level: int = logging.INFO,
) -> None:
    duration_ms = round((source.clock.monotonic() - started) * 1000)
    INTEGRATION_CALLS.labels(source.name, outcome).inc()
    logger.log(
        level,
        "source=%s path=%s status=%s duration_ms=%s attempt=%s outcome=%s",
        source.name,
        path,
        status,
        duration_ms,
        attempt,
        outcome,
        extra={
            "source": source.name,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "attempt": attempt,
            "outcome": outcome,
        },
    )


def _backoff(retry: int) -> float:
    return min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2**retry) * random.uniform(0.5, 1.0)


# --- Public API -------------------------------------------------------------------


def _identity(data: Any) -> Any:
    return data


def get_json(source: SourceConfig, path: str) -> Any:
    """GET `path` (starting with "/") from `source`; the decoded JSON answer.

    Raises SourceNotFound, SourceUnavailable or SourceBadResponse. The answer may come
    from the short-lived cache; callers get their own copy.
    """
    return copy.deepcopy(fetch(source, path, _identity))


def fetch(source: SourceConfig, path: str, parse: Callable[[Any], T]) -> T:
    """GET `path` from `source`, decode JSON and turn it into `parse(data)`.

    `parse` raises ValueError/TypeError/KeyError (turned into SourceBadResponse) when
    the answer has the wrong shape; only parsed answers are cached, so a broken answer
    is not remembered. Cache entries are per parser (its qualified name), so different
    parsers of the same path do not share entries. Return values should be immutable,
    since a cached one is handed out again.
    """
    if not path.startswith("/"):
        raise ValueError("path must start with '/'")
    tag = f"{getattr(parse, '__module__', '')}.{getattr(parse, '__qualname__', '')}"
    key = (source.name, source.base_url, path, tag)
    clock = source.clock
    started = clock.monotonic()

    cached = _cache_get(key, now=started)
    if cached is not _MISS:
        if cached is _NOT_FOUND:
            _log(source, path, status=404, started=started, attempt=0, outcome="cache_not_found")
            raise SourceNotFound(source.name, f"{path} not found (cached)")
        _log(source, path, status=200, started=started, attempt=0, outcome="cache_hit")
        return cached  # stored by this parser

    if source.budget is not None and source.budget <= 0:
        _log(source, path, status=0, started=started, attempt=0, outcome="no_budget")
        raise SourceUnavailable(source.name, "timeout", "no time left to ask")

    breaker = breaker_for(source)
    admission = breaker.admit(window=source.breaker_seconds, now=clock.monotonic())
    if admission is None:
        _log(
            source,
            path,
            status=0,
            started=started,
            attempt=0,
            outcome="circuit_open",
            level=logging.WARNING,
        )
        raise SourceUnavailable(source.name, "circuit_open", "circuit breaker is open")

    # The half-open trial is a single attempt: a still-dead source costs one timeout.
    max_attempts = 1 if admission == "trial" else source.retries + 1
    deadline = started + source.budget if source.budget is not None else None
    result = _Attempt(status=0, failure="timeout", detail="budget used up")
    for attempt in range(1, max_attempts + 1):
        attempt_started = clock.monotonic()
        connect_timeout, read_timeout = source.connect_timeout, source.read_timeout
        if deadline is not None:
            left = deadline - attempt_started
            if left <= 0:
                break  # a wait overran the budget: the last attempt's failure stands
            connect_timeout, read_timeout = min(connect_timeout, left), min(read_timeout, left)
        try:
            result = _attempt(
                source, path, connect_timeout=connect_timeout, read_timeout=read_timeout
            )
        except Exception:
            # A bug or bad configuration (e.g. an invalid URL): never leave a half-open
            # trial marked in flight, or the circuit would stay open for good.
            breaker.record_failure(threshold=source.breaker_threshold, now=clock.monotonic())
            raise
        retryable = result.failure in {"timeout", "down", "error"} or (
            result.status in RETRYABLE_STATUSES
        )
        if result.failure is not None:
            outcome: str = result.failure
        elif 200 <= result.status < 300:
            outcome = "ok"
        elif result.status == 404:
            outcome = "not_found"
        else:
            outcome = "error"
        wait = _backoff(attempt - 1)
        will_retry = (
            retryable
            and attempt < max_attempts
            # A retry that could not even start within the budget is not made.
            and (deadline is None or clock.monotonic() + wait < deadline)
        )
        _log(
            source,
            path,
            status=result.status,
            started=attempt_started,
            attempt=attempt,
            outcome=outcome + ("_retry" if will_retry else ""),
            level=logging.INFO if outcome in {"ok", "not_found"} else logging.WARNING,
        )
        if not will_retry:
            break
        clock.sleep(wait)

    if result.failure is not None:
        breaker.record_failure(threshold=source.breaker_threshold, now=clock.monotonic())
        raise SourceUnavailable(source.name, result.failure, result.detail)
    if result.status == 404:
        breaker.record_success()
        _cache_put(key, _NOT_FOUND, source.not_found_cache_seconds, now=clock.monotonic())
        raise SourceNotFound(source.name, f"{path} not found")
    if not 200 <= result.status < 300:
        # 401/403 (wrong token), 5xx: the source cannot serve us now.
        breaker.record_failure(threshold=source.breaker_threshold, now=clock.monotonic())
        raise SourceUnavailable(source.name, "error", f"HTTP {result.status}")

    # The source answered: whatever the body holds, it is up.
    breaker.record_success()
    if len(result.body) > MAX_RESPONSE_BYTES:
        raise SourceBadResponse(source.name, f"{path}: answer larger than {MAX_RESPONSE_BYTES}")
    try:
        data = json.loads(result.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceBadResponse(source.name, f"{path}: not JSON ({exc})") from exc
    try:
        value = parse(data)
    except SourceBadResponse:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SourceBadResponse(source.name, f"{path}: unexpected shape ({exc!r})") from exc
    _cache_put(key, value, source.cache_seconds, now=clock.monotonic())
    return value
