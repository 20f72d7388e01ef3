"""Prometheus metrics at /metrics (issue 16): present after real traffic, behind a token,
and added up over several processes."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from accounts.models import User
from lpse_support.metrics import METRICS_PATHS
from tests.test_production_start import production_environment
from testsupport.processes import ROOT, run_app_script
from testsupport.smtp import SmtpSink, run_mail_worker
from tickets import services
from tickets.models import Ticket
from tickets.tests.test_ticket_create import form_data  # noqa: F401 (a fixture)
from tickets.ticket_sla import sla_sweep

TOKEN = "metrics-token-for-tests-0123456789"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: Client, token: str = TOKEN) -> Samples:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return parse(response.content.decode())


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metrics_token(settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


@pytest.mark.django_db(transaction=True)
def test_every_metric_family_shows_real_traffic(
    client: Client,
    alice: User,
    agent: User,
    request: pytest.FixtureRequest,
    sources_online: str,
    smtp_sink: SmtpSink,
    metrics_token: str,
) -> None:
    form = {**request.getfixturevalue("form_data"), "submission_key": "metrics-1"}
    before = scrape(Client())
    # Given a reporter who opens her dashboard and files a ticket whose code the
    # simulator's Data Warehouse knows
    client.force_login(alice)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert client.get(static("js/htmx.min.js")).status_code == 200
    response = client.post(reverse("portal:ticket_create"), form)
    assert response.status_code == 302
    ticket = Ticket.objects.get(reporter=alice)
    assert ticket.code_validated
    # And an agent who takes it, the SLA sweep a month later, the mail worker
    services.ticket_take(ticket=ticket, actor=agent)
    queued = scrape(Client())
    sla_sweep(now=ticket.created_at + datetime.timedelta(days=30))
    run_mail_worker()
    # When Prometheus scrapes
    after = scrape(Client())

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # Then each family shows it
    static_file = {"view": "static", "method": "GET", "status": "2xx"}
    assert grew("lpse_http_request_duration_seconds_count", **static_file) == 1
    dashboard = {"view": "portal:dashboard", "method": "GET", "status": "2xx"}
    assert grew("lpse_http_request_duration_seconds_count", **dashboard) == 1
    assert value(after, "lpse_http_request_duration_seconds_sum", **dashboard) > 0
    create = {"view": "portal:ticket_create", "method": "POST", "status": "3xx"}
    assert grew("lpse_http_request_duration_seconds_count", **create) == 1
    assert grew("lpse_http_request_db_queries_count", view="portal:ticket_create") == 1
    # filing a ticket writes the ticket, its event, its search entry, its notices...
    assert grew("lpse_http_request_db_queries_sum", view="portal:ticket_create") >= 5
    assert grew("lpse_tickets_created_total", application=ticket.application.code) == 1
    assert grew("lpse_ticket_actions_total", action="take") == 1
    assert grew("lpse_integration_calls_total", source="dw", outcome="ok") >= 1
    assert value(after, "lpse_integration_breaker_state", source="dw") == 0
    assert grew("lpse_sla_events_total", clock="response", kind="breach") == 1
    assert grew("lpse_sla_events_total", clock="resolution", kind="breach") == 1
    assert grew("lpse_mail_deliveries_total", outcome="sent") >= 1
    # The database gauges: mail and tasks waited before the worker ran, none after
    assert value(queued, "lpse_mail_undelivered", status="pending") >= 1
    assert value(queued, "lpse_mail_oldest_pending_age_seconds") >= 0
    assert value(queued, "lpse_task_queue_depth", queue="default") >= 1
    assert value(after, "lpse_mail_undelivered", status="pending") == 0
    assert value(after, "lpse_mail_oldest_pending_age_seconds") == 0
    assert value(after, "lpse_task_queue_depth", queue="default") == 0
    assert ("lpse_task_queue_depth", (("queue", "codes"),)) in after
    # And the scrapes themselves were never timed
    assert not any(
        name.startswith("lpse_http_request") and dict(labels).get("view") == "unmatched"
        for name, labels in after
        if value(after, name, **dict(labels)) != value(before, name, **dict(labels))
    )


@pytest.mark.django_db
def test_a_breaker_that_opens_shows_in_the_gauge(client: Client, metrics_token: str) -> None:
    # Given the Data Warehouse is down (the autouse fixture points it at a closed port)
    from integrations.clients import tender_lookup
    from integrations.http import SourceUnavailable

    # When calls fail until the breaker opens
    for _ in range(settings.INTEGRATION_BREAKER_THRESHOLD):
        with pytest.raises(SourceUnavailable):
            tender_lookup("9537119")
    # Then the gauge says open, and every refused or failed call was counted by outcome
    samples = scrape(client)
    assert value(samples, "lpse_integration_breaker_state", source="dw") == 2
    assert value(samples, "lpse_integration_calls_total", source="dw", outcome="down") >= 5


def not_found_answer(client: Client, path: str, **headers: str) -> tuple[int, bytes]:
    response = client.get(path, headers=headers)
    return response.status_code, response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer wrong-token",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"bearer {TOKEN}",
        f"Basic {TOKEN}",
        TOKEN,
        f"Bearer  {TOKEN}",
    ],
)
def test_without_the_right_token_metrics_is_an_unknown_url(
    client: Client, metrics_token: str, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    unknown = not_found_answer(client, "/tidak-ada-halaman-ini", **headers)
    assert unknown[0] == 404
    for path in METRICS_PATHS:
        assert not_found_answer(client, path, **headers) == unknown


@pytest.mark.django_db
def test_without_a_configured_token_no_token_opens_metrics(client: Client, settings) -> None:
    settings.METRICS_TOKEN = ""
    unknown = not_found_answer(client, "/tidak-ada-halaman-ini")
    for authorization in ("Bearer ", "Bearer None", f"Bearer {TOKEN}"):
        assert not_found_answer(client, "/metrics", Authorization=authorization) == unknown


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_metrics_answers_reads_only(client: Client, metrics_token: str, method: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    send = getattr(client, method)
    body = {"data": b"x" * 10, "content_type": "application/octet-stream", "headers": headers}
    response = send("/metrics", **body)
    unknown = send("/tidak-ada-halaman-ini", **body)
    assert (response.status_code, response.content) == (unknown.status_code, unknown.content)
    assert response.status_code in (403, 404)


@pytest.mark.django_db
def test_a_scrape_touches_no_session(client: Client, alice: User, metrics_token: str) -> None:
    client.force_login(alice)
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response and "Cookie" not in response.get("Vary", "")
    assert response["Cache-Control"] == "no-store"
    assert b"lpse_http_request_duration_seconds" in response.content


# --- several processes ----------------------------------------------------------------

# One process of the app: `count` requests to the landing page through Django's test
# client; with "scrape", prints what /metrics answers.
APP_PROCESS = """
from django.test import Client
settings.METRICS_TOKEN = "t" * 32
client = Client()
for _ in range(int(sys.argv[2])):
    assert client.get("/").status_code == 200
if sys.argv[3] == "scrape":
    response = client.get("/metrics", headers={"Authorization": "Bearer " + "t" * 32})
    sys.stdout.write(response.content.decode())
"""


def run_app_process(env: dict[str, str], count: int, scrape: bool) -> str:
    result = run_app_script(APP_PROCESS, str(count), "scrape" if scrape else "-", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_multiprocess_mode_adds_up_every_process(reference: None, tmp_path: Path) -> None:
    # Given three processes of the app sharing one PROMETHEUS_MULTIPROC_DIR
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    # When two of them answer 3 and 4 requests, and the third 2 more and then a scrape
    run_app_process(env, 3, scrape=False)
    run_app_process(env, 4, scrape=False)
    samples = parse(run_app_process(env, 2, scrape=True))
    # Then the scrape counts all nine requests, from the files of the three processes
    home = {"view": "home", "method": "GET", "status": "2xx"}
    assert value(samples, "lpse_http_request_duration_seconds_count", **home) == 9
    assert value(samples, "lpse_http_request_db_queries_count", view="home") == 9
    assert len({p.name.rsplit("_", 1)[1] for p in tmp_path.glob("histogram_*.db")}) == 3


SCRAPE = """
import django
django.setup()
from django.test import Client
response = Client().get(
    "/metrics", HTTP_HOST="10.20.30.40", headers={"Authorization": "Bearer " + "t" * 32}
)
print(response.status_code)
print(response.content.decode())
"""


def test_a_scrape_with_the_database_down_still_shows_the_process(tmp_path: Path) -> None:
    # Given a production start (HTTPS redirect, host check) whose database does not answer
    env = production_environment(tmp_path)
    env["DATABASE_URL"] = "postgres://lpse:secret@127.0.0.1:9/lpse_support"
    env["DJANGO_SETTINGS_MODULE"] = "lpse_support.settings"
    env["METRICS_TOKEN"] = "t" * 32
    # When Prometheus scrapes an app server by its address over plain HTTP
    result = subprocess.run(
        [sys.executable, "-c", SCRAPE], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    status, text = result.stdout.split("\n", 1)
    # Then it gets the metrics of the process, without the gauges read from the database
    assert status == "200"
    assert "lpse_http_request_duration_seconds" in text
    assert "process_cpu_seconds_total" in text
    assert "lpse_mail_undelivered" not in text
    assert "database gauges could not be read" in result.stderr
