"""Run the periodic commands for places without cron or systemd timers.

    python manage.py run_periodic            # every job at start, then at its interval
    python manage.py run_periodic --once     # every job once, then exit (cron, tests)

The jobs are the ones README *Periodic work* lists. Each is safe on several machines at
once (each claims its rows with a conditional UPDATE), so this loop may run on every app
server. One failing job is logged and does not stop the others; SIGTERM or SIGINT lets
the job that is running finish, then the loop exits.
"""

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], None]
    interval: float  # seconds between the starts of two runs


def _command(name: str) -> Callable[[], None]:
    def run() -> None:
        call_command(name)

    return run


def periodic_jobs() -> list[Job]:
    """Every periodic job, at the interval of `PERIODIC_INTERVAL_SECONDS` (default 60)."""
    every = float(settings.PERIODIC_INTERVAL_SECONDS)
    return [
        # Resolutions the reporter leaves unconfirmed close after N working days.
        Job("auto-close", _command("close_unconfirmed_tickets"), every),
        # SLA due times recomputed, warnings at 20 % left, breaches recorded.
        Job("sla-sweep", _command("sla_sweep"), every),
        # Mails whose task was lost or whose worker died are enqueued again.
        Job("mail-sweep", _command("send_pending_mail"), every),
        # Background code checks whose task was lost are enqueued again.
        Job("code-sweep", _command("recheck_pending_codes"), every),
        # Tasks left RUNNING by a worker that died go back to the queue.
        Job("task-sweep", _command("release_stranded_tasks"), every),
        # Last month's report to each supervisor, from the first working day (once each).
        Job("monthly-report", _command("send_monthly_reports"), every),
    ]


def run_due(jobs: Sequence[Job], next_run: dict[str, float], now: float) -> list[str]:
    """Run every job that is due at `now` (monotonic seconds) and schedule its next run;
    returns the names of the jobs that failed."""
    failed = []
    for job in jobs:
        if next_run.get(job.name, now) > now:
            continue
        next_run[job.name] = now + job.interval
        try:
            job.run()
        except Exception:
            logger.exception("periodic job %s failed", job.name)
            failed.append(job.name)
        finally:
            # A long-running loop must not keep a connection the database has dropped.
            close_old_connections()
    return failed


def run_forever(
    jobs: Sequence[Job],
    stop: threading.Event,
    *,
    clock: Callable[[], float] = time.monotonic,
    wait: Callable[[float], object] | None = None,
) -> None:
    """Run the jobs at their intervals until `stop` is set (checked between rounds).
    `wait(seconds)` sleeps until the next job is due (default: `stop.wait`, which a
    signal cuts short)."""
    pause = wait if wait is not None else stop.wait
    next_run: dict[str, float] = {}
    while not stop.is_set():
        run_due(jobs, next_run, clock())
        if not stop.is_set():
            pause(max(min(next_run.values(), default=clock() + 1.0) - clock(), 0.0))


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (auto-close, SLA sweep, mail sweep, code re-check sweep, "
        "stranded task sweep, monthly report mail) "
        "every PERIODIC_INTERVAL_SECONDS; --once runs each once. Safe on several machines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = periodic_jobs()
        if options["once"]:
            failed = run_due(jobs, {}, time.monotonic())
            if failed:
                raise CommandError(f"Periodic jobs failed: {', '.join(failed)}")
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            logger.info("periodic: %s received, stopping after the current job", signum)
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        schedule = ", ".join(f"{job.name} every {job.interval:g} s" for job in jobs)
        logger.info("periodic: %s", schedule)
        run_forever(jobs, stop)
