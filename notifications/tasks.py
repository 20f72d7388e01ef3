"""Background tasks (Django's tasks API, `django-tasks` with its database backend), and
the one module that enqueues mail: with the database backend a task row commits (or
rolls back) together with the mail and the change that wrote it.
"""

import datetime
from collections.abc import Iterable

from django_tasks import task

from lib.requestid import request_id_bound, request_id_from, request_id_kwargs
from notifications.mail import MailSweep, mail_deliver, mail_reclaim, mail_reset_failed
from notifications.models import OutgoingMail


@task()
def deliver_mail(mail_id: int, request_id: str = "") -> str:
    """Deliver one e-mail; a temporary failure enqueues a later attempt by itself.
    `request_id`: the request that wrote the mail (its logs and retries carry it)."""
    with request_id_bound(request_id_from(request_id or None)):
        delivery = mail_deliver(mail_id=mail_id)
        if delivery.retry_at is not None:
            deliver_mail.using(run_after=delivery.retry_at).enqueue(mail_id, **request_id_kwargs())
    return delivery.outcome


def enqueue_mails(mails: Iterable[OutgoingMail]) -> None:
    """One delivery task per mail just written (in the writer's transaction)."""
    for mail in mails:
        deliver_mail.enqueue(mail.pk, **request_id_kwargs())


def mail_sweep(*, now: datetime.datetime | None = None) -> MailSweep:
    """Give back claims of dead workers and re-enqueue overdue mails (periodic).

    A second task for a mail whose first one is only late is harmless: the claim lets
    one of them send it."""
    result = mail_reclaim(now=now)
    for mail_id in result.mail_ids:
        deliver_mail.enqueue(mail_id)
    return result


def mail_resend(*, mail_ids: list[int]) -> int:
    """Admins send failed mails again (after fixing an address or the server)."""
    ids = mail_reset_failed(mail_ids=mail_ids)
    for mail_id in ids:
        deliver_mail.enqueue(mail_id)
    return len(ids)
