"""May this read go to the read replica? The opt-in scope of the heavy read-only pages
and the request's read-your-writes state. No Django here: the database router
(lpse_support/dbrouter.py) asks `replica_allowed()`, the stickiness middleware
(lpse_support/replica.py) binds the request's state.

A read goes to the replica only when all hold:
- the code runs inside `replica_reads()` (a view, a report or an export that opted in);
- the person has not written recently: not in this request (`note_write`), and not in
  the last few seconds (the request's `pinned` callable: a signed cookie, a mark in the
  shared cache). Everything else reads the primary, as without a replica.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class RequestState:
    """What a request knows about its person's recent writes."""

    # Whether the person wrote in the last few seconds; asked at most once, and only
    # when a read could go to the replica (it may cost a cache round trip).
    recently_wrote: Callable[[], bool]
    wrote: bool = False
    # Whether a read of this request went to the replica (a lost replica connection is
    # then worth answering again from the primary).
    read_replica: bool = False
    _pinned: bool | None = None

    def pinned(self) -> bool:
        if self.wrote:
            return True
        if self._pinned is None:
            self._pinned = self.recently_wrote()
        return self._pinned


_scope: ContextVar[bool] = ContextVar("replica_scope", default=False)
_request: ContextVar[RequestState | None] = ContextVar("replica_request", default=None)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads of the block go to the replica (a context manager or a decorator).

    Only for read-only code that tolerates data a few seconds old for other people's
    changes. A streamed answer (an export) must enter it inside its generator: the
    view's scope has ended by the time the body is produced.
    """
    token = _scope.set(True)
    try:
        yield
    finally:
        _scope.reset(token)


def replica_allowed() -> bool:
    """Inside `replica_reads()` and for a person who has not written recently."""
    if not _scope.get():
        return False
    state = _request.get()
    return state is None or not state.pinned()


def note_write() -> None:
    """This request changed data: its later reads, and the person's next requests for a
    few seconds, stay on the primary."""
    state = _request.get()
    if state is not None:
        state.wrote = True


def current_request_state() -> RequestState | None:
    """The read-your-writes state of the running request (None outside one)."""
    return _request.get()


def note_replica_read() -> None:
    """A read of this request goes to the replica."""
    state = _request.get()
    if state is not None:
        state.read_replica = True


@contextmanager
def request_bound(recently_wrote: Callable[[], bool]) -> Iterator[RequestState]:
    """Run a request with its own read-your-writes state."""
    state = RequestState(recently_wrote)
    token = _request.set(state)
    try:
        yield state
    finally:
        _request.reset(token)
