"""Background tasks of tickets (Django's tasks API, `django-tasks` with its database
backend), and the one module that enqueues them.

A ticket filed while its code's source did not answer in time is validated here: the
task asks the source again (waiting longer than a reporter would), applies the answer
through `tickets.codes`, or enqueues itself again after a growing pause, until
`code_recheck_until` (24 hours after filing by default). They run on their own queue,
"codes", so that a slow source never holds up the mail.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from lib.requestid import request_id_bound, request_id_from, request_id_kwargs
from tickets.codes import ticket_code_recheck, tickets_code_recheck_overdue

CODE_QUEUE = "codes"


@task(queue_name=CODE_QUEUE)
def recheck_code(ticket_id: int, request_id: str = "") -> str:
    """Ask the source about one ticket's code again; enqueue the next try if needed.
    `request_id`: the filing's request (its logs, calls to the source and retries)."""
    with request_id_bound(request_id_from(request_id or None)):
        result = ticket_code_recheck(ticket_id=ticket_id)
        if result.retry_at is not None:
            recheck_code.using(run_after=result.retry_at).enqueue(ticket_id, **request_id_kwargs())
    return result.outcome


def code_recheck_enqueue(ticket_id: int) -> None:
    """Validate the ticket's code in the background once the filing has committed."""
    kwargs = request_id_kwargs()
    transaction.on_commit(lambda: recheck_code.enqueue(ticket_id, **kwargs))


def code_recheck_sweep(*, now: datetime.datetime | None = None) -> int:
    """Enqueue the background checks whose task was lost (periodic); a second task for
    a ticket whose first one is only late is harmless (`ticket_code_recheck` claims)."""
    ticket_ids = tickets_code_recheck_overdue(now=now or timezone.now())
    for ticket_id in ticket_ids:
        recheck_code.enqueue(ticket_id)
    return len(ticket_ids)
