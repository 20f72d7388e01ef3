"""Write the report fact row of every ticket again (tickets/facts.py).

Run once after upgrading to the version that introduced the reports (tickets filed
before it have no fact row yet), and whenever the numbers are in doubt; the services keep
the rows current between runs. Safe while the app runs: each chunk is written in its own
short statements, and a ticket changed meanwhile is written again by its own action.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tickets.facts import ticket_facts_rebuild


class Command(BaseCommand):
    help = "Menulis ulang fakta laporan setiap tiket (tickets/facts.py)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=2000)

    def handle(self, *args: Any, chunk_size: int, **options: Any) -> None:
        done = 0
        for done in ticket_facts_rebuild(chunk_size=max(1, chunk_size)):
            if options["verbosity"] > 1:
                self.stdout.write(f"{done} tiket")
        self.stdout.write(f"Fakta laporan ditulis ulang: {done} tiket.")
