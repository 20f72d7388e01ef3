"""The request id: one string that follows a request into its log lines and its calls
to the outside sources (`X-Request-ID` in and out). No Django here.

The web's first middleware binds it for the request (the proxy's `X-Request-ID` when
well-formed, else a new one); `integrations.http` sends it along; `RequestIdFilter` puts
it on every log record (`-` outside a request). Background tasks enqueued during a
request carry it (`request_id_kwargs`) and run under it; a task enqueued elsewhere runs
under a new one.
"""

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

HEADER = "X-Request-ID"
# What an id from the proxy may look like: nginx's $request_id (32 hex), a UUID, a ULID…
# never spaces, line breaks or anything a log line or a header could be bent with.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,64}")

_current: ContextVar[str] = ContextVar("request_id", default="")


def request_id() -> str:
    """The id of the request this code runs for ("" outside a request)."""
    return _current.get()


def request_id_from(incoming: str | None) -> str:
    """The id to use for a request: the incoming one if well-formed, else a new one."""
    if incoming is not None and _WELL_FORMED.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def request_id_kwargs() -> dict[str, str]:
    """What a task is enqueued with so that its run logs under the request's id (nothing
    outside a request)."""
    current = _current.get()
    return {"request_id": current} if current else {}


@contextmanager
def request_id_bound(value: str) -> Iterator[str]:
    """Run the block as request `value`."""
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, for the log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        return True
