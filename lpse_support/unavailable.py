"""The primary database is down: every page answers 503 with the Indonesian error page
(the API: its JSON error format) and `Retry-After`, not a 500.

Django's 500 handler is the one place every failure reaches, from a view or from a
middleware (a session read, say): it is `handler500` in lpse_support/urls.py and asks
the exception it is handling. Only a failure to reach the database counts (refused,
dropped, the server shutting down or starting); a query error, a deadlock or a timeout
stays a 500.
"""

import sqlite3
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

from lpse_support.middleware import API_PREFIX, _api_error

RETRY_AFTER_SECONDS = 30
# PostgreSQL's "connection exception" class, and the server shutting down, crashed or
# still starting.
_CONNECTION_SQLSTATE_CLASS = "08"
_SERVER_GONE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def is_connection_failure(error: BaseException | None) -> bool:
    """The database could not be reached (as opposed to refusing a query)."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if hasattr(cause, "sqlstate"):
        # psycopg: client-side failures (refused, lost connection) carry no SQLSTATE.
        state: str | None = getattr(cause, "sqlstate", None)
        return (
            state is None
            or state.startswith(_CONNECTION_SQLSTATE_CLASS)
            or state in _SERVER_GONE_SQLSTATES
        )
    return getattr(cause, "sqlite_errorcode", None) == sqlite3.SQLITE_CANTOPEN


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with the retry advice: the page, or the API's error format under /api/."""
    if request.path.startswith(API_PREFIX):
        message = _(
            "Layanan sedang tidak tersedia sementara. Coba lagi dalam %(seconds)d detik."
        ) % {"seconds": RETRY_AFTER_SECONDS}
        response = _api_error(503, "unavailable", message)
    else:
        # No request: the context processors would read the database.
        body = render_to_string(
            "503.html",
            {"retry_after": RETRY_AFTER_SECONDS, "call_centre": settings.HELPDESK_CALL_CENTRE},
        )
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler, except that an unreachable database answers 503."""
    if is_connection_failure(sys.exc_info()[1]):
        return service_unavailable(request)
    return django_server_error(request)
