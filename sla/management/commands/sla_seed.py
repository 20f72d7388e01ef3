from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sla.seed import sla_seed


class Command(BaseCommand):
    help = (
        "Create the default SLA targets and national working hours if missing, and import "
        "Indonesian holidays and cuti bersama (default: this year and the next)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", dest="years")

    def handle(self, *args: Any, **options: Any) -> None:
        result = sla_seed(years=options["years"])
        self.stdout.write(
            f"SLA: {result.policies} kebijakan, {result.periods} waktu kerja, "
            f"{result.holidays} hari libur ditambahkan."
        )
