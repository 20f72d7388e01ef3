"""`GET /metrics` for Prometheus, and the per-request measurements.

`MetricsMiddleware` times every request that reaches it (after the health probes, so
their frequent answers do not dilute the latency of the pages) and counts its database
queries, labelled by route name (`portal:ticket_detail`; `static` for static files,
`unmatched` for 404s and redirects before any URL is resolved), method and status class.

`/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>` (compared in constant
time); without a token configured, or with a missing or wrong one, the request goes on
as any other, so it gets the same 404 as an unknown URL. A scrape reads no body, never
touches the session, and is not timed itself. Besides the counters of lib/metrics.py
(added up over every process sharing `PROMETHEUS_MULTIPROC_DIR`), it reads a few
gauges from the database, one cheap query each: mail waiting for delivery and the age
of the oldest, and the task queues' depth.
"""

import hmac
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from lib.metrics import REQUEST_LATENCY, REQUEST_QUERIES, multiproc_dir, status_class
from notifications.models import MailStatus, OutgoingMail

logger = logging.getLogger(__name__)

METRICS_PATHS = ("/metrics", "/metrics/")
UNMATCHED = "unmatched"
STATIC = "static"
# Any other method a client makes up is counted as "other": labels stay few.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time (the same in every process). With
    the database down they are left out: the scrape still shows the process metrics."""

    def collect(self) -> Iterator[Metric]:
        try:
            families = list(self._read())
        except DatabaseError:
            logger.warning("metrics: the database gauges could not be read", exc_info=True)
            return
        yield from families

    def _read(self) -> Iterator[Metric]:
        now = timezone.now()
        # Pending and sending rows are the partial index `mail_undelivered`.
        undelivered = OutgoingMail.objects.filter(
            status__in=[MailStatus.PENDING, MailStatus.SENDING]
        )
        mail = GaugeMetricFamily(
            "lpse_mail_undelivered",
            "Outgoing mail not delivered yet, by status.",
            labels=["status"],
        )
        counts = dict(undelivered.values_list("status").annotate(n=Count("pk")).order_by())
        for status in (MailStatus.PENDING, MailStatus.SENDING):
            mail.add_metric([status.value], counts.get(status.value, 0))
        yield mail
        oldest = undelivered.filter(status=MailStatus.PENDING).aggregate(m=Min("enqueued_at"))["m"]
        yield GaugeMetricFamily(
            "lpse_mail_oldest_pending_age_seconds",
            "Seconds since the oldest mail still waiting for delivery was enqueued (0: none).",
            value=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        )
        depth = GaugeMetricFamily(
            "lpse_task_queue_depth",
            "Background tasks waiting to run (READY), by queue.",
            labels=["queue"],
        )
        ready = dict(
            DBTaskResult.objects.filter(status=TaskResultStatus.READY)
            .values_list("queue_name")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for queue in settings.TASKS["default"].get("QUEUES", ["default"]):
            depth.add_metric([queue], ready.get(queue, 0))
        yield depth


class _ThisProcess(Collector):
    """The metrics of this process alone (single-process mode)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def exposition() -> bytes:
    """The text a scrape gets."""
    registry = CollectorRegistry(auto_describe=False)
    if multiproc_dir() is not None:
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return generate_latest(registry)


def _authorized(request: HttpRequest) -> bool:
    token = str(settings.METRICS_TOKEN)
    if not token:
        return False
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return str(match.view_name)
    # Static files are answered by WhiteNoise before any URL is resolved.
    return STATIC if request.path_info.startswith(settings.STATIC_URL or "/static/") else UNMATCHED


class MetricsMiddleware:
    """Answers an authorized scrape; times and counts the queries of everything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path_info in METRICS_PATHS
            and request.method in ("GET", "HEAD")
            and _authorized(request)
        ):
            response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
            response["Cache-Control"] = "no-store"
            return response
        queries = [0]

        def count(execute: Callable[..., Any], *args: Any) -> Any:
            queries[0] += 1
            return execute(*args)

        started = time.perf_counter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(count))
            response = self.get_response(request)
        view = _view_name(request)
        method = request.method if request.method in METHODS else "other"
        status = status_class(response.status_code)
        REQUEST_LATENCY.labels(view, method, status).observe(time.perf_counter() - started)
        REQUEST_QUERIES.labels(view).observe(queries[0])
        return response
