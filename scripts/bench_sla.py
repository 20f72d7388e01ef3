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

from accounts.services import reporter_upsert
from lib.sla import Pause
from reference.models import Application, Category, Lpse, Priority, TicketType
from reference.services import reference_seed
from sla.calendars import CalendarBook
from sla.clocks import (
    pauses_to_json,
    ticket_dues,
)
from sla.models import Holiday, HolidayKind
from sla.seed import sla_seed
from tickets.models import Status, Ticket
from tickets.ticket_sla import clock_input, sla_sweep

RUNNING = (Status.NEW, Status.IN_PROGRESS)


def load(count: int, seed: int) -> None:
    """`count` open tickets over the last 60 days, every LPSE and priority, some paused
    before, some already answered, with due times as the services would have set them."""
    rng = random.Random(seed)
    reference_seed()
    sla_seed()
    reporter = reporter_upsert(
        source="spse",
        kd_lpse=119,
        user_id="bench",
        name="Bench",
        email="bench@example.go.id",
        role="ppk",
        instansi="Bench",
    )
    lpses = list(Lpse.objects.filter(is_active=True))
    application = Application.objects.get(code="SPSE")
    version = application.versions.first()
    category = Category.objects.filter(application=application, children__isnull=True).first()
    ticket_type = TicketType.objects.first()
    assert version is not None and category is not None and ticket_type is not None
    now = timezone.now()
    # created_at is auto_now_add; a realistic spread of ages needs it set by hand here.
    Ticket._meta.get_field("created_at").auto_now_add = False
    book = CalendarBook.load()
    batch: list[Ticket] = []
    for i in range(count):
        created = now - datetime.timedelta(minutes=rng.randint(1, 60 * 24 * 60))
        pauses: list[Pause] = []
        if rng.random() < 0.2:
            begin = created + datetime.timedelta(hours=rng.randint(1, 48))
            end = begin + datetime.timedelta(hours=rng.randint(1, 72))
            if end < now:
                pauses.append((begin, end))
        responded = created + datetime.timedelta(hours=2) if rng.random() < 0.5 else None
        if responded is not None and responded > now:
            responded = None
        ticket = Ticket(
            number=f"BENCH-{seed}-{i:07d}",
            reporter=reporter,
            reporter_role="ppk",
            notification_email="bench@example.go.id",
            title=f"Tiket uji beban {i}",
            lpse=rng.choice(lpses),
            application=application,
            version=version,
            ticket_type=ticket_type,
            category=category,
            description="Uji beban.",
            priority=rng.choices(list(Priority), weights=(2, 20, 50, 28))[0],
            status=Status.IN_PROGRESS
            if responded
            else rng.choice((Status.NEW, Status.IN_PROGRESS)),
            first_response_at=responded,
            sla_pauses=pauses_to_json(pauses),
            created_at=created,
        )
        for name, value in ticket_dues(clock_input(ticket), book).as_fields().items():
            setattr(ticket, name, value)
        # Earlier sweeps have warned and recorded what was due before now, except for
        # about one ticket in a hundred, whose warnings and breaches this run claims.
        if rng.random() >= 0.01:
            for clock in ("response", "resolution"):
                warn, due = getattr(ticket, f"{clock}_warn_at"), getattr(ticket, f"{clock}_due_at")
                if warn is not None and warn <= now:
                    setattr(ticket, f"{clock}_warned_at", warn)
                if due is not None and due <= now:
                    setattr(ticket, f"{clock}_breached_at", due)
        batch.append(ticket)
        if len(batch) == 2000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)


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
