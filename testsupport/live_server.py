"""pytest plugin: a test's live server is quiet before its database is emptied.

A transactional test ends by emptying every table (`TRUNCATE ...`). A browser may still
have a request running in the live server then: a panel the page loads after itself, a
poll for live updates. On PostgreSQL such a request holds locks on some tables and waits
for others that the TRUNCATE already holds, and PostgreSQL breaks the deadlock by failing
one of them: if it fails the TRUNCATE, the test errors at teardown (seen in CI:
`test_the_queue_keys`, "deadlock detected" in the flush).

So the live server's WSGI application is wrapped in a gate that counts the requests in
flight. At the end of each test that uses the live server, before the flush, the gate
closes (a later request is answered 503 at once, without touching the database) and the
teardown waits until every request in flight has finished. The next test reopens it.
Registered through `pytest_plugins` in the root conftest.
"""

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

# Only a safety net: a request still running after this long is a bug in the test or
# the page, and the teardown says so instead of hanging.
_DRAIN_LIMIT_SECONDS = 120


class _Closing:
    """The application's response, reporting when the server has closed it."""

    def __init__(self, result: Iterable[bytes], done: Callable[[], None]) -> None:
        self._result = result
        self._done = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._result)

    def close(self) -> None:
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            self._done()


class RequestGate:
    """A WSGI wrapper that counts requests in flight and can refuse new ones."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self._condition = threading.Condition()
        self._open = True
        self.in_flight = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self._condition:
            if not self._open:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"The test is over.\n"]
            self.in_flight += 1
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._finished()
            raise
        return _Closing(result, self._finished)

    def _finished(self) -> None:
        with self._condition:
            self.in_flight -= 1
            self._condition.notify_all()

    def reopen(self) -> None:
        with self._condition:
            self._open = True

    def close_and_drain(self, timeout: float = _DRAIN_LIMIT_SECONDS) -> bool:
        """Refuse new requests; True once none is in flight (False past the timeout)."""
        with self._condition:
            self._open = False
            return self._condition.wait_for(lambda: self.in_flight == 0, timeout=timeout)


def gate_of(live_server: Any) -> RequestGate:
    """The gate around this live server's application (installed on first use)."""
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    if not isinstance(app, RequestGate):
        app = RequestGate(app)
        httpd.set_app(app)
    return app


@pytest.fixture(autouse=True)
def live_server_drained(request: pytest.FixtureRequest) -> Iterator[None]:
    """Before a live-server test's database is emptied, its live server is quiet."""
    if "live_server" not in request.fixturenames:
        yield
        return
    # Set up first so that it is torn down (the flush) after this fixture's teardown.
    request.getfixturevalue("_django_db_helper")
    gate = gate_of(request.getfixturevalue("live_server"))
    gate.reopen()
    yield
    if not gate.close_and_drain():
        pytest.fail(
            f"{gate.in_flight} live-server request(s) still running "
            f"{_DRAIN_LIMIT_SECONDS} s after the test",
            pytrace=False,
        )
