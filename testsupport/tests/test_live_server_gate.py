"""The live server's gate (testsupport/live_server.py): a test's teardown waits for the
requests in flight and refuses new ones, so none holds locks while tables are emptied."""

import threading
from typing import Any

import pytest

from testsupport.live_server import RequestGate


def _start_response(statuses: list[str]) -> Any:
    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        statuses.append(status)

    return start_response


def test_the_gate_waits_for_a_request_in_flight_and_refuses_new_ones() -> None:
    entered, release = threading.Event(), threading.Event()
    answered: list[bytes] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        entered.set()
        release.wait()
        start_response("200 OK", [])
        return [b"page"]

    gate = RequestGate(app)
    statuses: list[str] = []

    def serve() -> None:
        result = gate({}, _start_response(statuses))
        answered.extend(result)
        result.close()

    server = threading.Thread(target=serve)
    server.start()
    entered.wait()
    # While the request runs the gate is not drained, and a new request is refused
    assert gate.close_and_drain(timeout=0) is False
    assert gate({}, _start_response(statuses)) == [b"The test is over.\n"]
    assert statuses == ["503 Service Unavailable"]
    release.set()
    server.join()
    assert answered == [b"page"]
    assert gate.close_and_drain(timeout=0) is True
    assert gate.in_flight == 0
    # Reopened for the next test, it serves again
    gate.reopen()
    result = gate({}, _start_response(statuses))
    assert gate.in_flight == 1
    result.close()
    assert gate.in_flight == 0


def test_a_request_that_raises_is_no_longer_in_flight() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("boom")

    gate = RequestGate(app)
    with pytest.raises(RuntimeError):
        gate({}, _start_response([]))
    assert gate.close_and_drain(timeout=0) is True
