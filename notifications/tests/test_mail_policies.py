"""Delivery policies found in review: what counts as temporary, who stands in for a
holder who left, and a sweep that does not pile up tasks while workers are behind."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from notifications.mail import OVERDUE
from notifications.models import MailStatus, NotificationKind, OutgoingMail
from notifications.tasks import mail_sweep
from notifications.tests.test_mail_delivery import Clock
from testsupport.smtp import SmtpSink, run_mail_worker
from tickets import services
from tickets.tests.factories import make_ticket

delivery = pytest.mark.django_db(transaction=True)


@dataclass
class NoAuthSink(SmtpSink):
    """A server that wants authentication the settings do not give (530)."""

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        return "530 5.7.0 Authentication required"


@pytest.fixture
def no_auth_sink(smtp_port: int) -> Iterator[NoAuthSink]:
    sink = NoAuthSink()
    sink.start(smtp_port)
    yield sink
    sink.stop()


@delivery
def test_a_server_asking_for_authentication_is_retried_not_given_up(
    no_auth_sink: NoAuthSink, alice: User
) -> None:
    # Given a server that refuses the sender until an admin fixes the credentials
    make_ticket(alice)
    # When the worker tries
    run_mail_worker()
    # Then every mail waits for a later attempt instead of failing for good
    mails = list(OutgoingMail.objects.all())
    assert mails and all(mail.status == MailStatus.PENDING for mail in mails)
    assert all("530" in mail.last_error and mail.attempts == 1 for mail in mails)


def test_a_holder_who_left_is_replaced_by_the_tiers_agents(
    alice: User, agent: User, agent_119_b: User
) -> None:
    # Given a ticket held by an agent who was then deactivated, waiting for feedback
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    services.ticket_request_feedback(ticket=ticket, actor=agent, body="Mohon data.")
    User.objects.filter(pk=agent.pk).update(is_active=False)
    # When the reporter answers
    services.ticket_give_feedback(ticket=ticket, actor=alice, body="Terlampir.", files=[])
    # Then the tier's remaining agent hears of it
    told = OutgoingMail.objects.filter(kind=NotificationKind.FEEDBACK_GIVEN)
    assert list(told.values_list("to_address", flat=True)) == [agent_119_b.email]


def _ready_tasks() -> int:
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()


def test_sweeps_while_workers_are_behind_add_one_task_per_mail_per_period(
    monkeypatch: pytest.MonkeyPatch, alice: User
) -> None:
    clock = Clock(timezone.now)
    monkeypatch.setattr(timezone, "now", clock.now)
    # Given three mails whose tasks are queued but no worker has run for a while
    make_ticket(alice)
    mails = OutgoingMail.objects.count()
    assert _ready_tasks() == mails
    clock.advance(OVERDUE + datetime.timedelta(seconds=1))
    # When the sweep runs every minute for three minutes
    first = mail_sweep().requeued
    clock.advance(datetime.timedelta(minutes=1))
    second = mail_sweep().requeued
    clock.advance(datetime.timedelta(minutes=1, seconds=1))
    third = mail_sweep().requeued
    # Then each mail got one extra task per OVERDUE period, not one per run
    assert (first, second, third) == (mails, 0, mails)
    assert _ready_tasks() == 3 * mails
