"""Write every ticket's full-text search entry again (tickets/search.py)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tickets.search import search_rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search entries of all tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        done = search_rebuild(batch_size=options["batch_size"])
        self.stdout.write(f"{done} tickets indexed in {time.monotonic() - started:.1f} s")
