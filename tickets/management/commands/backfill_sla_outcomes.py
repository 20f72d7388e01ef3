"""Store the SLA verdicts of clocks that ended before the verdicts were stored.

Migration tickets 0017 added `Ticket.response_outcome` / `resolution_outcome`; a ticket
whose clock had already ended keeps them blank until its next action, so the console's
SLA filter (`sla=terlampaui…`) misses it. Run once after upgrading (then
`reports_rebuild` is not needed for these tickets: their facts are refreshed too). Safe
to run again and while the app runs: it only fills blank verdicts, batch by batch.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tickets.ticket_sla import sla_outcomes_backfill


class Command(BaseCommand):
    help = "Mengisi verdict SLA (respons/penyelesaian) yang masih kosong pada tiket lama."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--dry-run", action="store_true", help="Hanya menghitung; tidak menulis apa pun."
        )

    def handle(self, *args: Any, batch_size: int, dry_run: bool, **options: Any) -> None:
        result = sla_outcomes_backfill(batch_size=max(1, batch_size), dry_run=dry_run)
        verb = "akan diisi" if dry_run else "diisi"
        self.stdout.write(
            f"Tiket dengan verdict kosong: {result.checked}; {verb}: {result.updated}."
        )
        for (clock, verdict), count in sorted(result.filled.items()):
            self.stdout.write(f"  {clock} {verdict}: {count}")
