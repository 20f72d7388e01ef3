"""The outbound HTTP wrapper against a tiny local stdlib HTTP server (real loopback HTTP).

The server counts requests per path, so retries, the cache and the circuit breaker are
checked by what actually reached the wire. Time is a `FakeClock`: the test moves it, and
the wrapper's waits between retries are recorded instead of slept.
"""

import json
import logging
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from integrations.http import (
    BACKOFF_BASE_SECONDS,
    CircuitBreaker,
    SourceBadResponse,
    SourceConfig,
    SourceNotFound,
    SourceUnavailable,
    get_json,
    reset_state,
    source_config,
)
from lib.ports import free_port


class FakeClock:
    """A monotonic clock that moves only when told to; waits are recorded, not slept."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


class LocalServer:
    """A stdlib HTTP server on a free loopback port, answering from `routes`.

    A route is a callable (server, handler) -> (status, body bytes); the default routes
    cover the cases of the wrapper. `hits` counts requests per path.
    """

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.headers: list[dict[str, str]] = []
        self.routes: dict[str, Any] = {}
        self.healthy = True
        # "/slow" holds its answer until the server stops, so a client can only time out.
        self.release = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.hits[self.path] += 1
                    server.headers.append(dict(self.headers))
                    count = server.hits[self.path]
                status, body = server.answer(self.path, count, self)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def answer(self, path: str, count: int, handler: BaseHTTPRequestHandler) -> tuple[int, bytes]:
        if path in self.routes:
            status, payload = self.routes[path]
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            return status, body
        if path.startswith("/ok"):
            return 200, json.dumps({"path": path, "items": [1, 2]}).encode()
        if path == "/missing":
            return 404, b'{"detail": "not found"}'
        if path == "/always503":
            return 503, b'{"detail": "maintenance"}'
        if path == "/flaky":  # two 503s, then fine
            return (503, b"{}") if count <= 2 else (200, b'{"ok": true}')
        if path == "/500":
            return 500, b'{"detail": "boom"}'
        if path == "/auth":
            good = handler.headers.get("Authorization") == "Bearer secret"
            return (200, b'{"ok": true}') if good else (401, b'{"detail": "token"}')
        if path == "/slow":
            self.release.wait()
            return 200, b'{"ok": true}'
        if path == "/malformed":
            return 200, b'{"ok": tru'
        if path == "/toggle":
            return (200, b'{"ok": true}') if self.healthy else (503, b"{}")
        return 404, b"{}"

    def __enter__(self) -> "LocalServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def local_server() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def closed_port_url() -> str:
    """A loopback URL nothing listens on (a free port below the ephemeral range, where
    no outgoing connection or other process's bind(0) lands meanwhile)."""
    return f"http://127.0.0.1:{free_port()}"


def outcomes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        getattr(record, "outcome", "")
        for record in caplog.records
        if record.name == "integrations.http"
    ]


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    reset_state()
    yield
    reset_state()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        yield running


@pytest.fixture
def caplog_http(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="integrations.http")
    return caplog


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def config(url: str, *, clock: FakeClock | None = None, **overrides: Any) -> SourceConfig:
    base = SourceConfig(
        name="dw",
        label="Data Warehouse LKPP",
        base_url=url,
        token="secret",
        connect_timeout=0.5,
        read_timeout=0.3,
        retries=2,
        breaker_threshold=3,
        breaker_seconds=30,
        cache_seconds=60,
        not_found_cache_seconds=30,
        clock=clock or FakeClock(),
    )
    return replace(base, **overrides)


def test_success_sends_bearer_token_and_logs_one_line(server, caplog_http):
    data = get_json(config(server.url), "/ok/1")

    assert data == {"path": "/ok/1", "items": [1, 2]}
    assert server.hits["/ok/1"] == 1
    assert server.headers[0]["Authorization"] == "Bearer secret"
    [record] = [r for r in caplog_http.records if r.name == "integrations.http"]
    assert record.source == "dw"
    assert record.path == "/ok/1"
    assert record.status == 200
    assert record.attempt == 1
    assert record.outcome == "ok"
    assert isinstance(record.duration_ms, int)
    assert "secret" not in record.getMessage()


def test_second_lookup_comes_from_the_cache(server, caplog_http):
    first = get_json(config(server.url), "/ok/2")
    first["items"].append(99)  # callers get their own copy
    second = get_json(config(server.url), "/ok/2")

    assert second == {"path": "/ok/2", "items": [1, 2]}
    assert server.hits["/ok/2"] == 1
    assert outcomes(caplog_http) == ["ok", "cache_hit"]


def test_cache_expires(server, clock):
    source = config(server.url, clock=clock, cache_seconds=60)
    get_json(source, "/ok/3")
    clock.advance(59.5)
    get_json(source, "/ok/3")
    assert server.hits["/ok/3"] == 1

    clock.advance(0.5)
    get_json(source, "/ok/3")
    assert server.hits["/ok/3"] == 2


def test_cache_off_when_zero_seconds(server):
    source = config(server.url, cache_seconds=0)
    get_json(source, "/ok/4")
    get_json(source, "/ok/4")
    assert server.hits["/ok/4"] == 2


def test_not_found_is_not_retried_and_cached_briefly(server, clock, caplog_http):
    source = config(server.url, clock=clock, cache_seconds=60, not_found_cache_seconds=30)
    with pytest.raises(SourceNotFound):
        get_json(source, "/missing")
    clock.advance(29.5)
    with pytest.raises(SourceNotFound):
        get_json(source, "/missing")
    assert server.hits["/missing"] == 1
    clock.advance(0.5)
    with pytest.raises(SourceNotFound):
        get_json(source, "/missing")
    assert server.hits["/missing"] == 2
    assert outcomes(caplog_http) == ["not_found", "cache_not_found", "not_found"]
    assert clock.waits == []


def test_503_is_retried_with_backoff_then_unavailable(server, clock, caplog_http):
    with pytest.raises(SourceUnavailable) as caught:
        get_json(config(server.url, clock=clock, retries=2), "/always503")

    assert caught.value.reason == "error"
    assert server.hits["/always503"] == 3
    assert outcomes(caplog_http) == ["error_retry", "error_retry", "error"]
    # Backoff 0.2 s then 0.4 s, each jittered to 50–100 %; none after the last attempt.
    first, second = clock.waits
    assert 0.1 <= first <= 0.2
    assert 0.2 <= second <= 0.4


def test_backoff_is_capped(server, clock):
    with pytest.raises(SourceUnavailable):
        get_json(config(server.url, clock=clock, retries=5), "/always503")
    assert server.hits["/always503"] == 6
    assert len(clock.waits) == 5
    assert all(0.5 <= wait <= 1.0 for wait in clock.waits[3:])  # 1.6 s and 3.2 s, capped


def test_retry_recovers_from_transient_503(server, clock):
    assert get_json(config(server.url, clock=clock, retries=2), "/flaky") == {"ok": True}
    assert server.hits["/flaky"] == 3
    assert len(clock.waits) == 2


def test_500_is_not_retried(server):
    with pytest.raises(SourceUnavailable) as caught:
        get_json(config(server.url), "/500")
    assert caught.value.reason == "error"
    assert server.hits["/500"] == 1


def test_wrong_token_is_an_error_without_retry(server):
    with pytest.raises(SourceUnavailable) as caught:
        get_json(config(server.url, token="wrong"), "/auth")
    assert caught.value.reason == "error"
    assert server.hits["/auth"] == 1
    assert get_json(config(server.url), "/auth") == {"ok": True}


def test_slow_answer_times_out_within_the_bound(server, clock, caplog_http):
    # "/slow" never answers while the client waits, so only the read timeout ends each
    # attempt: the call is bounded by (retries + 1) × read timeout plus the waits below.
    with pytest.raises(SourceUnavailable) as caught:
        get_json(config(server.url, clock=clock, read_timeout=0.1, retries=1), "/slow")

    assert caught.value.reason == "timeout"
    assert server.hits["/slow"] == 2
    assert outcomes(caplog_http) == ["timeout_retry", "timeout"]
    [wait] = clock.waits
    assert BACKOFF_BASE_SECONDS / 2 <= wait <= BACKOFF_BASE_SECONDS


def test_malformed_json_is_a_bad_response_and_not_cached(server):
    source = config(server.url, breaker_threshold=1)
    for _ in range(2):
        with pytest.raises(SourceBadResponse):
            get_json(source, "/malformed")
    assert server.hits["/malformed"] == 2  # no retries, not cached, breaker untouched


def test_closed_port_is_down(clock, caplog_http):
    with pytest.raises(SourceUnavailable) as caught:
        get_json(config(closed_port_url(), clock=clock, retries=1), "/ok")
    assert caught.value.reason == "down"
    assert outcomes(caplog_http) == ["down_retry", "down"]
    assert len(clock.waits) == 1


def test_breaker_opens_after_threshold_and_answers_without_network(clock, caplog_http):
    source = config(
        closed_port_url(), clock=clock, retries=0, breaker_threshold=2, breaker_seconds=30
    )
    for _ in range(2):
        with pytest.raises(SourceUnavailable) as caught:
            get_json(source, "/ok")
        assert caught.value.reason == "down"

    clock.advance(29.5)
    with pytest.raises(SourceUnavailable) as caught:
        get_json(source, "/ok")
    assert caught.value.reason == "circuit_open"
    # No attempt line: the open circuit answered without going to the network.
    assert outcomes(caplog_http) == ["down", "down", "circuit_open"]

    # After the window one trial goes out; it fails, so the circuit opens again at once.
    clock.advance(0.5)
    with pytest.raises(SourceUnavailable) as caught:
        get_json(source, "/ok")
    assert caught.value.reason == "down"
    with pytest.raises(SourceUnavailable) as caught:
        get_json(source, "/ok")
    assert caught.value.reason == "circuit_open"
    assert outcomes(caplog_http)[3:] == ["down", "circuit_open"]
    assert clock.waits == []


def test_half_open_trial_is_a_single_attempt_and_success_closes(server, clock, caplog_http):
    server.healthy = False
    source = config(server.url, clock=clock, retries=2, breaker_threshold=1, breaker_seconds=30)
    with pytest.raises(SourceUnavailable):
        get_json(source, "/toggle")
    assert server.hits["/toggle"] == 3  # normal call: retried
    assert len(clock.waits) == 2

    # The window counts from the failure, after the jittered backoff waits; the clock is
    # then an arbitrary float, so the steps keep a margin around the 30 s edge.
    clock.advance(29)
    with pytest.raises(SourceUnavailable) as caught:
        get_json(source, "/toggle")
    assert caught.value.reason == "circuit_open"
    clock.advance(1.5)
    with pytest.raises(SourceUnavailable) as caught:
        get_json(source, "/toggle")
    assert caught.value.reason == "error"
    assert server.hits["/toggle"] == 4  # half-open trial: no retries
    assert len(clock.waits) == 2

    server.healthy = True
    with pytest.raises(SourceUnavailable) as caught:
        get_json(source, "/toggle")
    assert caught.value.reason == "circuit_open"
    clock.advance(31)
    assert get_json(source, "/toggle") == {"ok": True}
    assert get_json(source, "/ok/5") == {"path": "/ok/5", "items": [1, 2]}  # closed again


def test_breaker_lets_only_one_trial_through():
    breaker = CircuitBreaker()
    breaker.record_failure(threshold=1, now=100.0)
    assert breaker.state == "open"
    assert breaker.admit(window=30, now=129.5) is None
    assert breaker.admit(window=30, now=130.0) == "trial"
    assert breaker.admit(window=30, now=200.0) is None  # the trial is still in flight
    assert breaker.state == "half_open"
    breaker.record_success()
    assert breaker.state == "closed"
    assert breaker.admit(window=30, now=200.0) == "closed"


def test_breaker_stays_closed_below_the_threshold():
    breaker = CircuitBreaker()
    breaker.record_failure(threshold=2, now=100.0)
    assert breaker.admit(window=30, now=100.0) == "closed"
    breaker.record_failure(threshold=2, now=101.0)
    assert breaker.admit(window=30, now=130.5) is None
    assert breaker.admit(window=30, now=131.0) == "trial"


def test_breaker_is_per_source(server):
    dead = config(closed_port_url(), retries=0, breaker_threshold=1)
    with pytest.raises(SourceUnavailable):
        get_json(dead, "/ok")
    with pytest.raises(SourceUnavailable) as caught:
        get_json(dead, "/ok")
    assert caught.value.reason == "circuit_open"
    assert get_json(replace(config(server.url), name="sirup"), "/ok/6")["path"] == "/ok/6"


def test_reset_state_forgets_cache_and_breaker(server):
    get_json(config(server.url), "/ok/7")
    reset_state()
    get_json(config(server.url), "/ok/7")
    assert server.hits["/ok/7"] == 2


def test_proxy_from_environment_is_never_used(server, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.setenv(name, closed_port_url())
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert get_json(config(server.url), "/ok/8")["path"] == "/ok/8"


def test_source_config_reads_settings_at_call_time(settings):
    settings.INTEGRATION_DW_URL = "http://dw.example.test"
    settings.INTEGRATION_DW_TOKEN = "tok"
    settings.INTEGRATION_READ_TIMEOUT = 1.5
    settings.INTEGRATION_RETRIES = 0
    source = source_config("dw")
    assert source.base_url == "http://dw.example.test"
    assert source.token == "tok"
    assert source.read_timeout == 1.5
    assert source.retries == 0
    settings.INTEGRATION_READ_TIMEOUT = 2.5
    assert source_config("dw").read_timeout == 2.5


def test_default_settings(settings):
    # The suite's autouse fixture takes sources offline without retries; put back the
    # project's own default to check it.
    from lpse_support import settings as project_settings

    settings.INTEGRATION_RETRIES = project_settings.INTEGRATION_RETRIES
    settings.INTEGRATION_KATALOG_URL = project_settings.INTEGRATION_KATALOG_URL
    source = source_config("katalog")
    assert source.token == "dev-katalog-token"
    assert (source.connect_timeout, source.read_timeout, source.retries) == (2.0, 3.0, 2)
    assert (source.breaker_threshold, source.breaker_seconds) == (5, 30.0)
    assert (source.cache_seconds, source.not_found_cache_seconds) == (60.0, 30.0)


def test_path_must_be_absolute(server):
    with pytest.raises(ValueError):
        get_json(config(server.url), "ok")


# --- The budget of one call (issue 15: a slow source never makes anyone wait) ----------


def test_budget_cuts_each_attempts_timeout_to_what_is_left(server, clock, caplog_http):
    # Given a read timeout far beyond the budget and a source that never answers
    source = config(server.url, clock=clock, read_timeout=30, retries=0, budget=0.15)
    # When the call is made, then it ends as a timeout once the budget is spent (the
    # test would hang for 30 s if the read timeout were not cut)
    with pytest.raises(SourceUnavailable) as caught:
        get_json(source, "/slow")
    assert caught.value.reason == "timeout"
    assert server.hits["/slow"] == 1
    assert outcomes(caplog_http) == ["timeout"]


def test_budget_stops_retries_whose_wait_would_overrun_it(server, clock, caplog_http):
    # Given many retries allowed but a budget of half a second
    source = config(server.url, clock=clock, retries=10, budget=0.5)
    with pytest.raises(SourceUnavailable):
        get_json(source, "/always503")
    # Then the waits between tries stay within the budget and the retries stop early
    assert sum(clock.waits) < 0.5
    assert 2 <= server.hits["/always503"] < 11
    assert outcomes(caplog_http)[-1] == "error"  # the last attempt says no more retry


def test_budget_of_nothing_asks_nothing_and_leaves_the_breaker_alone(server, clock):
    source = config(server.url, clock=clock, budget=0, breaker_threshold=1)
    with pytest.raises(SourceUnavailable) as caught:
        get_json(source, "/ok/budget")
    assert caught.value.reason == "timeout"
    assert server.hits["/ok/budget"] == 0
    # A budget spent before asking says nothing about the source.
    assert get_json(config(server.url, clock=clock), "/ok/budget")["path"] == "/ok/budget"


def test_a_cached_answer_needs_no_budget(server, clock):
    get_json(config(server.url, clock=clock), "/ok/cached")
    assert get_json(config(server.url, clock=clock, budget=0), "/ok/cached")["path"]
    assert server.hits["/ok/cached"] == 1


def test_source_config_takes_a_budget_and_a_longer_read_timeout(settings):
    settings.INTEGRATION_READ_TIMEOUT = 3
    source = source_config("dw", budget=1.0, read_timeout=15.0)
    assert (source.budget, source.read_timeout) == (1.0, 15.0)
    assert (source_config("dw").budget, source_config("dw").read_timeout) == (None, 3.0)
