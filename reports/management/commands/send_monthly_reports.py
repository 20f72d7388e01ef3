"""Mail each supervisor last month's report (reports/monthly.py).

    python manage.py send_monthly_reports                     # what is due today (periodic)
    python manage.py send_monthly_reports --month 2026-11     # that month, by hand
    python manage.py send_monthly_reports --dry-run           # list, write nothing

Each person gets a month's mail once, however often this runs.
"""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.monthly import MonthNotOver, monthly_reports_send


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(f"--month: gunakan format YYYY-MM, bukan {value!r}.") from error


class Command(BaseCommand):
    help = "Mail each supervisor last month's report (once per person and month)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", default="", help="YYYY-MM (default: the month due today)")
        parser.add_argument("--dry-run", action="store_true", help="compute, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        month = _month(options["month"]) if options["month"] else None
        try:
            run = monthly_reports_send(month=month, dry_run=options["dry_run"])
        except MonthNotOver as error:
            raise CommandError(f"Bulan {error.args[0]:%Y-%m} belum selesai.") from error
        if run.month is None:
            if options["verbosity"] > 1:
                self.stdout.write(
                    "Laporan bulanan: belum waktunya (sebelum hari kerja pertama bulan ini)."
                )
            return
        for user, summary in run.summaries:
            if options["dry_run"] or options["verbosity"] > 1:
                self.stdout.write(
                    f"{user.email}: {summary.scope}: {summary.created} dibuat, "
                    f"{summary.closed} ditutup, {summary.backlog_end} terbuka di akhir bulan"
                )
        if options["dry_run"]:
            self.stdout.write(
                f"Laporan bulanan {run.month:%Y-%m}: {len(run.summaries)} penerima "
                "(uji coba, tidak ada email ditulis)."
            )
        elif run.sent or options["verbosity"] > 1:
            self.stdout.write(f"Laporan bulanan {run.month:%Y-%m}: {run.sent} email ditulis.")
