"""Close resolved tickets whose reporter did not confirm in time (run every minute).

Safe on several machines at once: `tickets_auto_close` closes each ticket under its row
lock and with the revision it read, so a ticket another machine closed first is skipped.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tickets.services import tickets_auto_close


class Command(BaseCommand):
    help = (
        "Close tickets awaiting confirmation for more than AUTO_CLOSE_WORKING_DAYS working "
        "days (in the ticket's LPSE time zone); prints how many were closed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        closed = tickets_auto_close()
        self.stdout.write(
            f"{closed} ticket(s) closed automatically "
            f"(no confirmation within {settings.AUTO_CLOSE_WORKING_DAYS} working days)."
        )
