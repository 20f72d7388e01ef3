"""`GET /healthz` and `GET /readyz` for the proxy, the service manager and monitoring.

- `/healthz`: the process answers (nothing else is asked; never touches the database).
- `/readyz`: 503 only when the primary database cannot be reached, so a stalled mail
  server or a slow bucket never takes every app server out of the proxy. Everything else
  is reported in the JSON body as `ok` / `degraded` with 200: the cache, the attachment
  storage, how late the oldest due background task and the oldest due mail are, and
  the read replica (down, or lagging more than REPLICA_MAX_LAG_SECONDS).

Both are answered by the first middleware, before host validation, the HTTPS redirect,
sessions or anything that could read the database: a probe may come over plain HTTP
from the proxy's address, with any Host. The answers hold no personal data: states,
counts of seconds, nothing else. GET and HEAD only; no body is read.
"""

import datetime
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import DatabaseError, connections
from django.db.models import Min, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from lpse_support.dbrouter import lag_exceeded, replica_alias, replica_lag_seconds
from lpse_support.storage import AttachmentS3Storage
from notifications.models import MailStatus, OutgoingMail

logger = logging.getLogger(__name__)

HEALTH_PATHS = ("/healthz", "/healthz/")
READY_PATHS = ("/readyz", "/readyz/")
OK, DEGRADED = "ok", "degraded"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def primary_reachable() -> bool:
    """One round trip to the primary database, on this thread's connection."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The connection may be broken for good: the next request opens a new one.
        connections["default"].close()
        return False
    return True


def _lateness(oldest_due: datetime.datetime | None, now: datetime.datetime) -> float:
    return max((now - oldest_due).total_seconds(), 0.0) if oldest_due is not None else 0.0


def _backlog(oldest_due: datetime.datetime | None, now: datetime.datetime) -> dict[str, Any]:
    late = _lateness(oldest_due, now)
    state = DEGRADED if late > settings.READY_BACKLOG_DEGRADED_SECONDS else OK
    return {"status": state, "oldest_due_late_seconds": round(late)}


def check_tasks(now: datetime.datetime) -> dict[str, Any]:
    """How late the oldest background task that should have started is (no worker?)."""
    # A task enqueued without `run_after` is stored with the largest date and is due
    # from its enqueueing on.
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    dues = ready.aggregate(
        at_once=Min("enqueued_at", filter=Q(run_after=get_date_max())),
        scheduled=Min("run_after", filter=Q(run_after__lte=now)),
    )
    oldest = min((due for due in dues.values() if due is not None), default=None)
    return _backlog(oldest, now)


def check_mail(now: datetime.datetime) -> dict[str, Any]:
    """How late the oldest mail due for sending is (mail server down? no worker?)."""
    oldest = OutgoingMail.objects.filter(
        status=MailStatus.PENDING, next_attempt_at__lte=now
    ).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    return _backlog(oldest, now)


def check_cache(now: datetime.datetime) -> dict[str, Any]:
    """A value written to the cache reads back."""
    key, value = "readyz:probe", now.isoformat()
    cache.set(key, value, 30)
    return {"status": OK if cache.get(key) == value else DEGRADED}


def check_storage(now: datetime.datetime) -> dict[str, Any]:
    """The attachment storage can take files: a local folder that is (or can be made) a
    writable directory, or a bucket that answers (asked once, with short timeouts)."""
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        folder = Path(storage.location)
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent  # created with the first upload
        usable = folder.is_dir() and os.access(folder, os.W_OK)
        return {"status": OK if usable else DEGRADED}
    if isinstance(storage, AttachmentS3Storage):
        storage.probe()
    else:
        storage.exists("readyz-probe")
    return {"status": OK}


def check_replica(now: datetime.datetime) -> dict[str, Any]:
    """The read replica answers and is no further behind than REPLICA_MAX_LAG_SECONDS
    (while it is not, the router reads from the primary)."""
    alias = replica_alias()
    if not alias:
        return {"status": OK, "configured": False}
    connection = connections[alias]
    try:
        lag = replica_lag_seconds(connection)
    except DatabaseError:
        connection.close()
        return {"status": DEGRADED, "reachable": False}
    return {
        "status": DEGRADED if lag_exceeded(lag) else OK,
        "reachable": True,
        # None: the replica has replayed nothing yet and is behind.
        "lag_seconds": None if lag is None else round(lag, 1),
    }


CHECKS: dict[str, Callable[[datetime.datetime], dict[str, Any]]] = {
    "tasks": check_tasks,
    "mail": check_mail,
    "cache": check_cache,
    "storage": check_storage,
    "replica": check_replica,
}


def readiness() -> tuple[int, dict[str, Any]]:
    """The HTTP status and body of /readyz."""
    if not primary_reachable():
        return 503, {"status": "unavailable", "checks": {"database": {"status": "down"}}}
    now = timezone.now()
    checks: dict[str, Any] = {"database": {"status": OK}}
    for name, check in CHECKS.items():
        try:
            checks[name] = check(now)
        except Exception:  # a check that fails degrades; it never takes the server out
            logger.exception("readiness check %s failed", name)
            checks[name] = {"status": DEGRADED}
    state = OK if all(c["status"] == OK for c in checks.values()) else DEGRADED
    return 200, {"status": state, "checks": checks}


class HealthMiddleware:
    """Answers the two probes first; every other request passes through untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path not in HEALTH_PATHS and path not in READY_PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
            return _no_store(response)
        if path in HEALTH_PATHS:
            return _no_store(JsonResponse({"status": OK}))
        status, body = readiness()
        return _no_store(JsonResponse(body, status=status))
