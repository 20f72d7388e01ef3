"""Benchmark of the SLA sweep: how long computing the due times of N open tickets takes.

    make bench-sla                       (throwaway PostgreSQL, 10,000 tickets)
    BENCH_SLA_TICKETS=50000 make bench-sla

Needs a migrated, empty database (DATABASE_URL); `make bench-sla` makes one. Prints
numbers, asserts nothing: the target (issue 5) is under 5 s for 10,000 open tickets.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lpse_support.settings")

import django

django.setup()

from django.db import connection
from django.utils import timezone

from sla.models import Holiday, HolidayKind
from tickets.models import Status, Ticket
from tickets.synthetic import SyntheticRun
from tickets.ticket_sla import sla_sweep

# The open tickets' statuses: those whose clocks run, and how often each.
RUNNING_MIX = ((Status.NEW, 20.0), (Status.IN_PROGRESS, 45.0))
_SWEPT = (
    "response_warned_at",
    "response_breached_at",
    "resolution_warned_at",
    "resolution_breached_at",
)


def load(count: int, seed: int) -> None:
    """`count` open tickets filed over the last 60 days, each with its history, with the
    SLA columns the services and earlier sweeps have set (tickets/synthetic/)."""
    run = SyntheticRun(tickets=count, seed=seed, end=timezone.now(), days=60, open_only=RUNNING_MIX)
    for _written in run.batches():
        pass
    run.finish()
    # About one ticket in a hundred missed the earlier sweeps: this run claims its
    # warnings and breaches.
    rng = random.Random(seed)
    ids = list(Ticket.objects.order_by("id").values_list("id", flat=True))
    missed = [pk for pk in ids if rng.random() < 0.01]
    Ticket.objects.filter(pk__in=missed).update(**dict.fromkeys(_SWEPT))


def timed(label: str) -> None:
    started = time.perf_counter()
    result = sla_sweep()
    elapsed = time.perf_counter() - started
    print(
        f"{label:<46} {elapsed:6.2f} s   checked={result.checked} "
        f"recomputed={result.recomputed} warned={result.warned} breached={result.breached}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    if Ticket.objects.exists():
        sys.exit("bench_sla: the database must be empty (use `make bench-sla`).")
    started = time.perf_counter()
    load(args.tickets, args.seed)
    print(
        f"database: {connection.vendor}; loaded {args.tickets} open tickets in "
        f"{time.perf_counter() - started:.1f} s"
    )
    timed("sweep 1 (first warnings and breaches)")
    timed("sweep 2 (steady state: nothing changed)")
    # A national day off on the most recent Wednesday: most open tickets' clocks move.
    today = timezone.localdate()
    Holiday.objects.create(
        date=today - datetime.timedelta(days=(today.weekday() - 2) % 7 or 7),
        name="Libur uji beban",
        kind=HolidayKind.LOCAL,
    )
    timed("sweep 3 (a holiday added: due times move)")
    timed("sweep 4 (steady state again)")


if __name__ == "__main__":
    main()
