"""Graceful stops with real processes (issue 16): gunicorn finishes the request in
flight, a task worker finishes its task (and one that is killed has its task run again),
`run_periodic` finishes its job.

Nothing here waits for time to pass: the work in flight is held by the other side (a
source that answers only when the test releases it, or a row lock the test holds), and
every wait is for a condition, with a generous upper bound.
"""

import datetime
import http.client
import signal
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from integrations.tests.test_http import LocalServer
from lib.ports import free_port
from reference.models import Category
from testsupport.processes import app_environment, start, stop, wait_until
from tickets.management.commands.release_stranded_tasks import (
    RUNNING_LEASE,
    stranded_tasks_release,
)
from tickets.models import Ticket
from tickets.tests.factories import make_ticket
from tickets.tests.test_ticket_create import form_data  # noqa: F401 (a fixture)

PYTHON = __import__("sys").executable
HOLD_LIMIT = 300  # the gate opens by itself at the latest then: no test hangs for ever


class GatedSource(LocalServer):
    """A Data Warehouse that holds every answer until the test opens the gate, then
    answers 404 ("the source does not know the code"): a real answer, not a timeout."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()
        self.gate = self.release

    def answer(self, path: str, count: int, handler: BaseHTTPRequestHandler) -> tuple[int, bytes]:
        self.arrived.set()
        self.gate.wait(HOLD_LIMIT)
        return 404, b'{"detail": "tidak ditemukan"}'

    def environment(self) -> dict[str, str]:
        """Every source is this one; nothing on our side gives up before the gate opens."""
        return {
            "INTEGRATION_DW_URL": self.url,
            "INTEGRATION_KATALOG_URL": self.url,
            "INTEGRATION_SIRUP_URL": self.url,
            "INTEGRATION_RETRIES": "0",
            "INTEGRATION_READ_TIMEOUT": str(HOLD_LIMIT),
            "INTEGRATION_BACKGROUND_READ_TIMEOUT": str(HOLD_LIMIT),
            "INTEGRATION_LOOKUP_WAIT_SECONDS": str(HOLD_LIMIT),
        }


@pytest.fixture
def gated_source() -> Iterator[GatedSource]:
    source = GatedSource()
    with source:
        yield source


def log_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def refused(port: int) -> bool:
    try:
        http.client.HTTPConnection("127.0.0.1", port, timeout=5).connect()
    except ConnectionRefusedError:
        return True
    return False


# --- (a) gunicorn -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_gunicorn_finishes_the_request_in_flight_on_sigterm(
    alice: User, upload_category: Category, gated_source: GatedSource, tmp_path: Path
) -> None:
    # Given two gunicorn workers with the production configuration, sharing a metrics
    # folder, and a reporter's session
    browser = Client()
    browser.force_login(alice)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    metrics = tmp_path / "metrics"
    env = app_environment(
        tmp_path,
        **gated_source.environment(),
        PROMETHEUS_MULTIPROC_DIR=str(metrics),
        METRICS_TOKEN="t" * 32,
    )
    log = tmp_path / "gunicorn.log"
    argv = [PYTHON, "-m", "gunicorn", "--config", "lpse_support/gunicorn_conf.py"]
    argv += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"]
    gunicorn = start([*argv, "--graceful-timeout", str(HOLD_LIMIT)], env=env, log=log)
    try:
        wait_until(lambda: answers(f"{base}/healthz"), lambda: f"gunicorn answers\n{log_text(log)}")
        # The metrics of both workers add up: six pages, whichever worker answered each
        for _ in range(6):
            assert answers(f"{base}/")
        scrape = urllib.request.Request(
            f"{base}/metrics", headers={"Authorization": "Bearer " + "t" * 32}
        )
        with urllib.request.urlopen(scrape, timeout=30) as response:
            text = response.read().decode()
        home = 'lpse_http_request_duration_seconds_count{method="GET",status="2xx",view="home"}'
        assert f"{home} 6.0" in text, text

        # When the reporter's code lookup waits on the source
        done: dict[str, Any] = {}

        def look_up() -> None:
            target = f"/tiket/buat/kode/?category={upload_category.pk}&code=9537119"
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HOLD_LIMIT)
            conn.request("GET", target, headers={"Cookie": cookie, "HX-Request": "true"})
            reply = conn.getresponse()
            done["status"], done["body"] = reply.status, reply.read().decode()

        in_flight = threading.Thread(target=look_up, daemon=True)
        in_flight.start()
        assert gated_source.arrived.wait(60), log_text(log)
        # And gunicorn is told to stop
        gunicorn.send_signal(signal.SIGTERM)
        # Then the idle worker exits while the busy one holds the request
        wait_until(
            lambda: log_text(log).count("Worker exiting") == 1,
            lambda: f"the idle worker exits\n{log_text(log)}",
        )
        assert gunicorn.poll() is None and "status" not in done
        # And a request that comes now is not taken: it gets no answer at all
        late: dict[str, Any] = {}

        def come_late() -> None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HOLD_LIMIT)
                conn.request("GET", "/")
                late["status"] = conn.getresponse().status
            except (ConnectionError, http.client.HTTPException) as error:
                late["error"] = type(error).__name__

        latecomer = threading.Thread(target=come_late, daemon=True)
        latecomer.start()
        # And once the source answers, the request in flight completes with its answer
        gated_source.gate.set()
        in_flight.join(60)
        assert done.get("status") == 200, log_text(log)
        assert "Kode tidak ditemukan di Data Warehouse LKPP" in done["body"]
        # And gunicorn exits 0; the late request was never answered, and now nobody listens
        assert gunicorn.wait(timeout=60) == 0, log_text(log)
        latecomer.join(60)
        assert "status" not in late and late.get("error"), late
        assert refused(port)
        # And the exited workers' per-process gauges were forgotten (child_exit)
        assert not list(metrics.glob("gauge_live*.db"))
    finally:
        stop(gunicorn)


# --- (b) db_worker --------------------------------------------------------------------


def code_check_task() -> DBTaskResult:
    return DBTaskResult.objects.get(task_path="tickets.tasks.recheck_code")


def start_worker(env: dict[str, str], log: Path, worker_id: str) -> Any:
    argv = [PYTHON, "manage.py", "db_worker", "--queue-name", "codes", "--no-reload"]
    argv += ["--no-startup-delay", "--interval", "0.2", "--worker-id", worker_id]
    return start(argv, env=env, log=log)


@pytest.mark.django_db(transaction=True)
def test_a_worker_finishes_its_task_on_sigterm(
    alice: User, gated_source: GatedSource, tmp_path: Path
) -> None:
    # Given a ticket filed while its source was down: its code check waits in the queue
    ticket = make_ticket(alice)
    assert code_check_task().status == TaskResultStatus.READY
    env = app_environment(tmp_path, **gated_source.environment())
    log = tmp_path / "worker.log"
    worker = start_worker(env, log, "graceful-1")
    try:
        # When the worker runs the check, held by the source, and is told to stop
        assert gated_source.arrived.wait(60), log_text(log)
        assert code_check_task().status == TaskResultStatus.RUNNING
        worker.send_signal(signal.SIGTERM)
        wait_until(lambda: "shutting down gracefully" in log_text(log), "the worker heard it")
        # Then it keeps running the task until the source answers
        assert worker.poll() is None
        assert code_check_task().status == TaskResultStatus.RUNNING
        gated_source.gate.set()
        # And then records it, and exits 0
        assert worker.wait(timeout=60) == 0, log_text(log)
    finally:
        stop(worker)
    task = code_check_task()
    assert task.status == TaskResultStatus.SUCCESSFUL, task.traceback
    ticket.refresh_from_db()
    assert ticket.code_checked_at is not None and not ticket.code_validated


@pytest.mark.django_db(transaction=True)
def test_the_task_of_a_killed_worker_is_run_again(
    alice: User, gated_source: GatedSource, tmp_path: Path
) -> None:
    # Given a worker killed (SIGKILL) while it ran a ticket's code check
    make_ticket(alice)
    env = app_environment(tmp_path, **gated_source.environment())
    log = tmp_path / "worker.log"
    worker = start_worker(env, log, "killed-1")
    try:
        assert gated_source.arrived.wait(60), log_text(log)
        worker.kill()
        worker.wait(timeout=60)
    finally:
        stop(worker)
    assert code_check_task().status == TaskResultStatus.RUNNING
    started_at = code_check_task().started_at
    assert started_at is not None
    # When the periodic sweep runs within the lease, nothing changes
    assert stranded_tasks_release(now=started_at + RUNNING_LEASE) == 0
    # But after it, the task goes back to the queue
    assert stranded_tasks_release(now=started_at + RUNNING_LEASE * 2) == 1
    assert code_check_task().status == TaskResultStatus.READY
    # And another worker runs it to the end
    gated_source.gate.set()
    worker = start_worker(env, tmp_path / "worker2.log", "second-1")
    try:
        wait_until(
            lambda: code_check_task().status == TaskResultStatus.SUCCESSFUL,
            lambda: f"the task ran again\n{log_text(tmp_path / 'worker2.log')}",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        stop(worker)
    assert code_check_task().worker_ids == ["killed-1", "second-1"]


# --- (c) run_periodic -----------------------------------------------------------------


def waiting_on_a_lock(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            [database],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


@pytest.mark.django_db(transaction=True)
def test_run_periodic_finishes_its_job_on_sigterm(alice: User, tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("holds a row lock from another connection: PostgreSQL only")
    # Given a ticket whose SLA target passed long ago, and its row locked by someone else
    long_ago = timezone.now() - datetime.timedelta(days=30)
    ticket = make_ticket(alice)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=long_ago)
    params = connection.get_connection_params()
    keys = ("dbname", "user", "password", "host", "port")
    locker = psycopg.connect(**{key: params[key] for key in keys if params.get(key)})
    log = tmp_path / "periodic.log"
    periodic = None
    try:
        locker.execute("SELECT id FROM tickets_ticket WHERE id = %s FOR UPDATE", [ticket.pk])
        env = app_environment(tmp_path, PERIODIC_INTERVAL_SECONDS="3600")
        periodic = start([PYTHON, "manage.py", "run_periodic"], env=env, log=log)
        # When the SLA sweep waits for the row and run_periodic is told to stop
        database = str(connection.settings_dict["NAME"])
        wait_until(lambda: waiting_on_a_lock(database), lambda: f"the sweep waits\n{log_text(log)}")
        periodic.send_signal(signal.SIGTERM)
        wait_until(lambda: "stopping after the current job" in log_text(log), "it heard it")
        assert periodic.poll() is None
        # Then, once the row is free, the sweep finishes its work and the loop exits 0
        locker.rollback()
        assert periodic.wait(timeout=120) == 0, log_text(log)
    finally:
        locker.close()
        if periodic is not None:
            stop(periodic)
    ticket.refresh_from_db()
    assert ticket.response_breached_at is not None


@pytest.mark.django_db(transaction=True)
def test_run_periodic_exits_0_on_sigterm_between_jobs(reference: None, tmp_path: Path) -> None:
    # Given run_periodic, started and waiting an hour for its next round
    env = app_environment(tmp_path, PERIODIC_INTERVAL_SECONDS="3600")
    log = tmp_path / "periodic.log"
    periodic = start([PYTHON, "manage.py", "run_periodic"], env=env, log=log)
    try:
        wait_until(lambda: "periodic: auto-close every" in log_text(log), lambda: log_text(log))
        # When it is told to stop, then it ends at once (after a round in progress), with 0
        periodic.send_signal(signal.SIGTERM)
        assert periodic.wait(timeout=120) == 0, log_text(log)
    finally:
        stop(periodic)
    assert "stopping after the current job" in log_text(log)
