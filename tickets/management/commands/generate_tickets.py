"""Generate a realistic synthetic data set: N tickets with their history (issue 8).

    manage.py generate_tickets --tickets 100000 --seed 1 [--batch 5000] [--end 2026-01-31]

What is generated, and how, is the business of `tickets/synthetic/`: this command reads
the options and prints the progress.
"""

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from tickets.synthetic import SyntheticError, SyntheticRun
from tickets.synthetic.stats import dataset_stats


class Command(BaseCommand):
    help = "Generate a realistic synthetic data set of N tickets (deterministic per seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--days", type=int, default=730, help="period length (days)")
        parser.add_argument(
            "--end", default="", help="end of the period, YYYY-MM-DD (default: now)"
        )
        parser.add_argument(
            "--stats", action="store_true", help="print what the data set looks like after"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        total = options["tickets"]
        if options["end"]:
            day = datetime.date.fromisoformat(options["end"])
            end = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
        else:
            end = timezone.now().replace(microsecond=0)
        try:
            run = SyntheticRun(
                tickets=total,
                seed=options["seed"],
                end=end,
                days=options["days"],
                batch=options["batch"],
            )
        except SyntheticError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{run.reporter_count} reporters ready "
            f"({time.perf_counter() - started:.1f} s); writing {total} tickets"
        )
        for written in run.batches():
            if options["verbosity"] >= 1:
                elapsed = time.perf_counter() - started
                self.stdout.write(f"  {written}/{total} tickets, {elapsed:.1f} s")
        counts = run.finish()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"done in {elapsed:.1f} s ({connection.vendor}):")
        for label, count in sorted(counts.items()):
            self.stdout.write(f"  {label:<32} {count:>10}")
        if options["stats"]:
            for line in dataset_stats():
                self.stdout.write(line)
