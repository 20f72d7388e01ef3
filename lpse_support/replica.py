"""Read-your-writes with a replica: a person who has just written reads from the
primary for REPLICA_STICKY_SECONDS (lib/replica.py, lpse_support/dbrouter.py).

After a request that wrote (a POST, PUT, PATCH or DELETE that succeeded, or any request
that changed a row of the domain) the person is marked twice:
- a short signed cookie, for the browser (whichever app server answers next);
- a mark in the shared cache under their user id, for an API client with a token (no
  cookies) and for the other app servers.
A cookie that is forged, garbled or older than REPLICA_STICKY_SECONDS reads as absent.
Without a replica nothing is marked.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from lib.replica import current_request_state, request_bound
from lpse_support.dbrouter import replica_alias, replica_lost
from lpse_support.unavailable import is_connection_failure

logger = logging.getLogger(__name__)

STICKY_COOKIE = "lpsesupport_primary"
_SALT = "lpse_support.replica.sticky"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _cache_key(user_id: object) -> str:
    return f"replica:pinned:{user_id}"


def _user_id(request: HttpRequest) -> object | None:
    # The API's token authentication sets request.user before the endpoint reads.
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _recently_wrote(request: HttpRequest) -> bool:
    if request.get_signed_cookie(
        STICKY_COOKIE, default=None, salt=_SALT, max_age=settings.REPLICA_STICKY_SECONDS
    ):
        return True
    user_id = _user_id(request)
    if user_id is None:
        return False
    try:
        return bool(cache.get(_cache_key(user_id)))
    except Exception:  # a cache that is down must not fail the page: read the primary
        logger.warning("replica stickiness: cache unreadable", exc_info=True)
        return True


def _pin(request: HttpRequest, response: HttpResponse) -> None:
    seconds = settings.REPLICA_STICKY_SECONDS
    response.set_signed_cookie(
        STICKY_COOKIE,
        "1",
        salt=_SALT,
        max_age=seconds,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    user_id = _user_id(request)
    if user_id is None:
        return
    try:
        cache.set(_cache_key(user_id), 1, seconds)
    except Exception:  # the cookie still holds for the browser
        logger.warning("replica stickiness: cache unwritable", exc_info=True)


class PrimaryStickinessMiddleware:
    """Binds each request's read-your-writes state; marks the person after a write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_alias():
            return self.get_response(request)
        with request_bound(lambda: _recently_wrote(request)) as state:
            response = self.get_response(request)
        succeeded_write = request.method not in _SAFE_METHODS and response.status_code < 400
        if state.wrote or succeeded_write:
            _pin(request, response)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        """A safe request whose replica connection was lost while it ran (the replica
        stopped) is answered again, once, from the primary: the reader never sees the
        replica go."""
        state = current_request_state()
        if (
            state is None
            or not state.read_replica
            or request.method not in _SAFE_METHODS
            or getattr(request, "_replica_retried", False)
            or not is_connection_failure(exc)
        ):
            return None
        request._replica_retried = True  # type: ignore[attr-defined]
        replica_lost(replica_alias())
        state.read_replica = False
        return self.get_response(request)
