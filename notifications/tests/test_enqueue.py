"""Mail delivery tasks written in one INSERT (issue 19) are the tasks `enqueue` writes."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.signals import task_enqueued
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from accounts.models import User
from lib.requestid import request_id_bound, request_id_kwargs
from notifications.models import OutgoingMail
from notifications.tasks import deliver_mail, enqueue_mails
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

# What only the moment of writing decides.
OWN = {"id", "enqueued_at"}


def fields_of(row: DBTaskResult[Any, Any]) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in DBTaskResult._meta.concrete_fields} | {
        "id": None,
        "enqueued_at": None,
    }


def test_mails_are_enqueued_as_enqueue_writes_them(
    alice: User, agent: User, agent_119_b: User
) -> None:
    # Given the mails of a new ticket (the reporter's and the tier's agents')
    make_ticket(alice)
    mails = list(OutgoingMail.objects.order_by("pk"))
    assert len(mails) == 3
    DBTaskResult.objects.all().delete()
    announced: list[Any] = []

    def listen(sender: Any, task_result: Any, **kwargs: Any) -> None:
        announced.append(task_result)

    task_enqueued.connect(listen)
    try:
        # When they are enqueued together, in one INSERT, during a request
        with request_id_bound("0123456789abcdef"), CaptureQueriesContext(connection) as q:
            enqueue_mails(mails)
        inserts = [x for x in q.captured_queries if "dbtaskresult" in x["sql"].lower()]
        assert len(inserts) == 1
        together = list(DBTaskResult.objects.all())
        DBTaskResult.objects.all().delete()
        announced_together = list(announced)
        announced.clear()
        # And one by one, as the backend's own enqueue writes them
        with request_id_bound("0123456789abcdef"):
            for mail in mails:
                deliver_mail.enqueue(mail.pk, **request_id_kwargs())
        alone = list(DBTaskResult.objects.all())
    finally:
        task_enqueued.disconnect(listen)

    # Then the rows are the same, field by field, but for their id and time of writing
    def by_mail(rows: list[DBTaskResult[Any, Any]]) -> dict[int, DBTaskResult[Any, Any]]:
        return {row.args_kwargs["args"][0]: row for row in rows}

    assert sorted(by_mail(together)) == [mail.pk for mail in mails]
    for mail_id, row in by_mail(together).items():
        assert fields_of(row) == fields_of(by_mail(alone)[mail_id])
        assert row.args_kwargs == {"args": [mail_id], "kwargs": {"request_id": "0123456789abcdef"}}
        assert row.status == TaskResultStatus.READY
        assert row.enqueued_at is not None
    # And each was announced once, as enqueue announces its task
    assert sorted(str(r.id) for r in announced_together) == sorted(str(r.id) for r in together)
    assert [r.task.module_path for r in announced_together] == [
        "notifications.tasks.deliver_mail"
    ] * 3
    assert len(announced) == 3


def test_nothing_to_enqueue_writes_nothing() -> None:
    with CaptureQueriesContext(connection) as q:
        enqueue_mails([])
    assert q.captured_queries == []


def test_another_backend_gets_each_task_through_its_own_enqueue(
    settings: Settings, alice: User
) -> None:
    # Given a backend that is not the database's (Django's dummy one keeps what it gets)
    make_ticket(alice)
    mails = list(OutgoingMail.objects.order_by("pk"))
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    # When mails are enqueued
    enqueue_mails(mails)
    # Then it got one task per mail
    results = default_task_backend.results  # type: ignore[attr-defined]
    assert [r.args for r in results] == [[mail.pk] for mail in mails]
