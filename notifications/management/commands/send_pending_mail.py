from typing import Any

from django.core.management.base import BaseCommand

from notifications.tasks import mail_sweep


class Command(BaseCommand):
    help = (
        "Re-enqueue e-mails that were never sent (a lost task, a worker that died while "
        "sending). Safe to run on several machines at once; run every minute."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = mail_sweep()
        if options["verbosity"] > 1 or result.requeued:
            self.stdout.write(
                f"Email: {result.released} klaim kedaluwarsa dilepas, "
                f"{result.requeued} dijadwalkan ulang."
            )
