"""`manage.py run_periodic`: the periodic jobs without cron (issue 16)."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from tickets import services
from tickets.management.commands.run_periodic import Job, periodic_jobs, run_due, run_forever
from tickets.models import CloseReason, Status, Ticket
from tickets.tests.factories import make_ticket


@pytest.mark.django_db(transaction=True)
def test_once_runs_every_periodic_job(
    monkeypatch: pytest.MonkeyPatch, alice: User, agent: User
) -> None:
    # Given a resolution alice never confirmed, and mails whose tasks were lost
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    services.ticket_resolve(ticket=ticket, actor=agent, body="Sudah diperbaiki.")
    DBTaskResult.objects.all().delete()
    # When, two weeks later, the periodic jobs run once
    later = timezone.now() + datetime.timedelta(days=14)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("run_periodic", "--once")
    # Then the auto-close closed the ticket, and the mail sweep enqueued the lost mail again
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.close_reason) == (Status.CLOSED, CloseReason.AUTO_CLOSED)
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_mail").exists()


def test_the_jobs_are_the_documented_periodic_commands(settings) -> None:
    settings.PERIODIC_INTERVAL_SECONDS = 30
    jobs = periodic_jobs()
    assert [job.name for job in jobs] == [
        "auto-close",
        "sla-sweep",
        "mail-sweep",
        "code-sweep",
        "task-sweep",
        "monthly-report",
    ]
    assert {job.interval for job in jobs} == {30}


@pytest.mark.django_db
def test_a_failing_job_is_reported_and_the_others_still_run() -> None:
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("database gone")

    jobs = [Job("broken", broken, 60), Job("fine", lambda: ran.append("fine"), 60)]
    next_run: dict[str, float] = {}
    assert run_due(jobs, next_run, 100.0) == ["broken"]
    assert ran == ["fine"]
    # Both are scheduled again: a failure is retried at the next interval, not at once
    assert next_run == {"broken": 160.0, "fine": 160.0}
    assert run_due(jobs, next_run, 159.0) == [] and ran == ["fine"]


@pytest.mark.django_db
def test_the_loop_runs_each_job_at_its_interval_until_asked_to_stop() -> None:
    # A clock the loop's waits move forward (no real waiting)
    now = [1000.0]
    runs: list[tuple[str, float]] = []
    stop = threading.Event()

    def job(name: str) -> Job:
        def run() -> None:
            runs.append((name, now[0] - 1000.0))
            if len([r for r in runs if r[0] == "fast"]) == 4:
                stop.set()  # as SIGTERM does: the loop ends after this round

        return Job(name, run, 60 if name == "fast" else 120)

    def wait(seconds: float) -> None:
        now[0] += seconds

    run_forever([job("fast"), job("slow")], stop, clock=lambda: now[0], wait=wait)
    assert runs == [
        ("fast", 0.0), ("slow", 0.0), ("fast", 60.0), ("fast", 120.0), ("slow", 120.0),
        ("fast", 180.0),
    ]  # fmt: skip
