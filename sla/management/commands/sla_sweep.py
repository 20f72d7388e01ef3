from typing import Any

from django.core.management.base import BaseCommand

from tickets.ticket_sla import sla_sweep


class Command(BaseCommand):
    help = (
        "Recompute SLA due times of open tickets, warn when 20 % of a target is left and "
        "record breaches (safe to run on several machines at once; run every minute)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = sla_sweep()
        if options["verbosity"] > 1 or result.warned or result.breached:
            self.stdout.write(
                f"SLA: {result.checked} tiket diperiksa, {result.recomputed} dihitung ulang, "
                f"{result.warned} peringatan, {result.breached} pelanggaran."
            )
