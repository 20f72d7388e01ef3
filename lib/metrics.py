"""The Prometheus metric objects of LPSE Support (prometheus-client; no Django here).

They are defined once, low, so that the place where each event happens can count it
(`integrations.http`, `tickets.services`, `tickets.ticket_sla`, `notifications.mail`)
without importing the web layer. `/metrics` (lpse_support/metrics.py) exposes them,
together with the gauges it reads from the database at scrape time.

Several processes: when `PROMETHEUS_MULTIPROC_DIR` is set in the environment before
this module is imported, prometheus-client keeps every value in a file of that folder
per process, and a scrape adds up the files of all processes (gunicorn workers, and the
task workers and `run_periodic` on the same machine when they are given the same
folder). The gunicorn configuration (lpse_support/gunicorn.conf.py) forgets the gauges
of workers that exit.
"""

import os
from pathlib import Path

from prometheus_client import Counter, Gauge, Histogram

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Seconds: from a fast cached page to a slow export or a 50 MB upload.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
QUERY_BUCKETS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500)

REQUEST_LATENCY = Histogram(
    "lpse_http_request_duration_seconds",
    "Time to answer a request, by route name, method and status class.",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
REQUEST_QUERIES = Histogram(
    "lpse_http_request_db_queries",
    "Database queries one request made, by route name.",
    ["view"],
    buckets=QUERY_BUCKETS,
)
TICKETS_CREATED = Counter(
    "lpse_tickets_created",
    "Tickets filed, by application code.",
    ["application"],
)
TICKET_ACTIONS = Counter(
    "lpse_ticket_actions",
    "Ticket actions that went through (take, reply, escalate, resolve, ...), by action.",
    ["action"],
)
SLA_EVENTS = Counter(
    "lpse_sla_events",
    "SLA warnings and breaches recorded by the sweep, by clock and kind.",
    ["clock", "kind"],
)
INTEGRATION_CALLS = Counter(
    "lpse_integration_calls",
    "Calls to the outside sources (each network attempt, cache answer or refusal), "
    "by source and outcome.",
    ["source", "outcome"],
)
# Per process (each has its own breaker); in multiprocess mode one series per live pid.
BREAKER_STATE = Gauge(
    "lpse_integration_breaker_state",
    "Circuit breaker of a source in this process: 0 closed, 1 half-open, 2 open.",
    ["source"],
    multiprocess_mode="liveall",
)
BREAKER_VALUES = {"closed": 0, "half_open": 1, "open": 2}
MAIL_DELIVERIES = Counter(
    "lpse_mail_deliveries",
    "Delivery attempts of outgoing mail, by outcome (sent, retry, failed).",
    ["outcome"],
)


def status_class(status: int) -> str:
    """The status class, e.g. "2xx" or "4xx": few label values, not one per code."""
    return f"{status // 100}xx"


def multiproc_dir() -> Path | None:
    """The multiprocess folder of this process, or None in single-process mode."""
    value = os.environ.get(MULTIPROC_ENV, "")
    return Path(value) if value else None
