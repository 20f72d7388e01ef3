"""Background tasks (Django's tasks API, `django-tasks` with its database backend), and
the one module that enqueues mail: with the database backend a task row commits (or
rolls back) together with the mail and the change that wrote it.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import router
from django.db.models.signals import pre_save
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend

# The backend's own view of Django's tasks (the backport here, `django.tasks` once there).
from django_tasks_db.compat import Task, normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult

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
    """One delivery task per mail just written (in the writer's transaction), written in
    one INSERT (issue 19: one each cost a statement and a few milliseconds)."""
    kwargs = request_id_kwargs()
    _enqueue_each(deliver_mail, [((mail.pk,), kwargs) for mail in mails])


def _enqueue_each(
    task: Task[Any, Any], calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
) -> None:
    """`task.enqueue(*args, **kwargs)` for each call, with the database backend's rows
    written by one `bulk_create`: each row is the one `enqueue` writes
    (`test_mails_are_enqueued_as_enqueue_writes_them` compares them field by field), and
    each is announced as `enqueue` announces it. Another backend enqueues one by one."""
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        for args, kwargs in calls:
            task.enqueue(*args, **kwargs)
        return
    if not calls:
        return
    backend.validate_task(task)
    rows: list[DBTaskResult[Any, Any]] = [
        DBTaskResult(
            id=backend._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=backend.alias,
        )
        for args, kwargs in calls
    ]
    # What `save()` would announce first (the backend's receiver dates a task without
    # `run_after` to run at once); `bulk_create` announces nothing.
    using = router.db_for_write(DBTaskResult)
    for row in rows:
        pre_save.send(sender=DBTaskResult, instance=row, raw=False, using=using, update_fields=None)
    DBTaskResult.objects.using(using).bulk_create(rows)
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)


def mail_sweep(*, now: datetime.datetime | None = None) -> MailSweep:
    """Give back claims of dead workers and re-enqueue overdue mails (periodic).

    A second task for a mail whose first one is only late is harmless: the claim lets
    one of them send it."""
    result = mail_reclaim(now=now)
    _enqueue_each(deliver_mail, [((mail_id,), {}) for mail_id in result.mail_ids])
    return result


def mail_resend(*, mail_ids: list[int]) -> int:
    """Admins send failed mails again (after fixing an address or the server)."""
    ids = mail_reset_failed(mail_ids=mail_ids)
    _enqueue_each(deliver_mail, [((mail_id,), {}) for mail_id in ids])
    return len(ids)
