"""Give the background tasks of dead workers back to the queue (a periodic job).

`db_worker` finishes the task it runs when asked to stop (SIGTERM or SIGINT), but a
worker that is killed (SIGKILL, the end of a stop timeout, a crash, a lost machine), or
stopped in the instant between claiming a task and starting it, leaves the task RUNNING
for ever and nobody runs it. A task RUNNING for longer than `RUNNING_LEASE` is put back
to READY, and the next free worker runs it. Every task of the project may run twice:
each claims its row with a conditional UPDATE first (mail delivery, the code re-check).
"""

import datetime
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

# Far beyond what one task takes here (an SMTP exchange or a source's answer, each
# bounded by its own timeouts of seconds), so a slow task is never run twice at once.
RUNNING_LEASE = datetime.timedelta(minutes=15)


def stranded_tasks_release(*, now: datetime.datetime | None = None) -> int:
    """Put tasks RUNNING since before `now` minus the lease back to READY; how many."""
    now = now or timezone.now()
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - RUNNING_LEASE
    ).update(status=TaskResultStatus.READY, started_at=None)


class Command(BaseCommand):
    help = (
        "Give background tasks whose worker died (RUNNING for over 15 minutes) back to "
        "the queue. Safe to run on several machines at once; run every minute."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        released = stranded_tasks_release()
        if options["verbosity"] > 1 or released:
            self.stdout.write(
                f"Tugas latar: {released} tugas dari worker yang mati diantrekan ulang."
            )
