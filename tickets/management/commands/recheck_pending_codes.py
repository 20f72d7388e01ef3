"""Enqueue again the background checks of codes whose task was lost (run every minute).

Safe on several machines at once: a duplicate task for a ticket is harmless, since each
attempt claims the ticket's next try with a conditional UPDATE.
"""

from typing import Any

from django.core.management.base import BaseCommand

from tickets.tasks import code_recheck_sweep


class Command(BaseCommand):
    help = (
        "Re-enqueue the background validation of ticket codes whose source did not "
        "answer at filing, when its task was lost or its worker died. Run every minute."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        requeued = code_recheck_sweep()
        if options["verbosity"] > 1 or requeued:
            self.stdout.write(f"Kode tiket: {requeued} pemeriksaan dijadwalkan ulang.")
