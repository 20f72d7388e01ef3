"""Delivering the mail rows: outages, retries, permanent refusals, dead and parallel workers.

The SMTP server is a real one on loopback (aiosmtpd), started late or told to refuse
to play each failure; the worker is `db_worker` itself. `timezone.now()` is moved
forward to reach retry times: the mail code and the task queue (`run_after`) both read it.
"""

import asyncio
import contextlib
import datetime
import io
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from lib.requestid import HEADER as REQUEST_ID
from notifications.mail import (
    MAX_ATTEMPTS,
    OVERDUE,
    SENDING_LEASE,
    MailSweep,
    one_line,
)
from notifications.models import MailStatus, NotificationKind, OutgoingMail
from notifications.tasks import deliver_mail, mail_resend, mail_sweep
from testsupport.smtp import SmtpSink, run_mail_worker
from tickets import services
from tickets.lifecycle import ActionConflict
from tickets.models import Message, MessageKind, Status, Ticket
from tickets.notify import ticket_notify
from tickets.tests.factories import make_ticket

delivery = pytest.mark.django_db(transaction=True)


class Clock:
    """`timezone.now()`, moved forward by `ahead`."""

    def __init__(self, real: Callable[[], datetime.datetime]) -> None:
        self.real = real
        self.ahead = datetime.timedelta(0)

    def now(self) -> datetime.datetime:
        return self.real() + self.ahead

    def advance(self, delta: datetime.timedelta) -> None:
        self.ahead += delta


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock(timezone.now)
    monkeypatch.setattr(timezone, "now", moved.now)
    return moved


@dataclass
class FussySink(SmtpSink):
    """An SMTP server that refuses some recipients for good, or is busy for a while."""

    refused: set[str] = field(default_factory=set)
    busy_rcpt: bool = False
    busy_data: bool = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 Kotak surat tidak ditemukan"
        if self.busy_rcpt:
            return "450 4.2.1 Kotak surat sedang sibuk"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.busy_data:
            return "451 4.3.0 Coba lagi nanti"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def fussy_sink(smtp_port: int) -> Iterator[FussySink]:
    sink = FussySink()
    sink.start(smtp_port)
    yield sink
    sink.stop()


def rows() -> list[OutgoingMail]:
    return list(OutgoingMail.objects.order_by("pk"))


def waiting_tasks() -> int:
    """Mail tasks not run yet (due or scheduled for later); tickets filed while the code's
    source is down (here: always) also queue a code check, on their own queue."""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path="notifications.tasks.deliver_mail"
    ).count()


def statuses() -> Counter[str]:
    return Counter(OutgoingMail.objects.values_list("status", flat=True))


def assert_each_row_received_once(sink: SmtpSink) -> None:
    """Every row is sent, and the server got exactly one message per row, by Message-ID."""
    received = Counter(mail.message_id for mail in sink.received)
    assert all(count == 1 for count in received.values()), received.most_common(3)
    sent = {row.message_id: row for row in rows()}
    assert set(received) == set(sent)
    assert {row.status for row in sent.values()} == {MailStatus.SENT}
    for mail in sink.received:
        assert mail.envelope_to == [sent[mail.message_id].to_address]


# --- An outage --------------------------------------------------------------------------


# Tickets filed during the outage (each: a receipt and a reply to the reporter, a notice
# to each of the two agents of LPSE 119).
FILED = 40


@delivery
def test_smtp_down_while_40_tickets_are_filed_and_answered_then_each_mail_arrives_once(
    smtp_port: int, clock: Clock, alice: User, bob: User, agent: User, agent_119_b: User
) -> None:
    # Given the SMTP server is down
    # When 40 tickets are filed (alice and bob in turn), taken and answered
    for n in range(FILED):
        reporter = alice if n % 2 == 0 else bob
        ticket = make_ticket(reporter)
        ticket = services.ticket_take(ticket=ticket, actor=agent)
        ticket = services.ticket_reply(ticket=ticket, actor=agent, body=f"Jawaban nomor {n}.")
        # Then every action goes through as if mail did not exist
        assert (ticket.status, ticket.holder_id) == (Status.IN_PROGRESS, agent.pk)
    assert Ticket.objects.count() == FILED
    assert Message.objects.filter(kind=MessageKind.REPLY).count() == FILED
    # And a mail is waiting for each reporter (filed, answered) and each agent (new)
    assert Counter(OutgoingMail.objects.values_list("to_address", flat=True)) == {
        alice.email: FILED,
        bob.email: FILED,
        agent.email: FILED,
        agent_119_b.email: FILED,
    }

    # When the worker tries them all while the server is still down
    before = timezone.now()
    run_mail_worker()
    after = timezone.now()
    # Then each failed once, for a reason that may pass, and waits 30 s (± 20 %)
    pending = rows()
    assert len(pending) == 4 * FILED
    for row in pending:
        assert (row.status, row.attempts, row.sent_at) == (MailStatus.PENDING, 1, None)
        assert "ConnectionRefusedError" in row.last_error
        assert before + datetime.timedelta(seconds=24) <= row.next_attempt_at
        assert row.next_attempt_at <= after + datetime.timedelta(seconds=36)
    assert waiting_tasks() == 4 * FILED
    # And running the worker again before that time tries nothing
    run_mail_worker()
    assert {row.attempts for row in rows()} == {1}

    # When the server comes back and the retry time has come
    sink = SmtpSink()
    sink.start(smtp_port)
    try:
        clock.advance(datetime.timedelta(minutes=2))
        run_mail_worker()
        # Then every mail is delivered exactly once, with the Message-ID of its row
        assert len(sink.received) == 4 * FILED
        assert_each_row_received_once(sink)
        assert {row.attempts for row in rows()} == {2}
        assert {row.last_error for row in rows()} == {""}
        # And nothing is left to send, now or later
        clock.advance(datetime.timedelta(hours=2))
        assert mail_sweep() == MailSweep(released=0, requeued=0)
        run_mail_worker()
        assert len(sink.received) == 4 * FILED
        assert waiting_tasks() == 0
    finally:
        sink.stop()


# --- Two workers ------------------------------------------------------------------------


def run_worker_in_thread(worker_id: str, errors: list[BaseException]) -> threading.Thread:
    def work() -> None:
        try:
            Worker(
                queue_names=["default"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            ).run()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=work, name=worker_id)
    thread.start()
    return thread


@dataclass
class MeetingSink(SmtpSink):
    """Holds the first message until a second one is being sent at the same time."""

    met: bool = False
    _waiting: asyncio.Event | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.met:
            if self._waiting is None:
                self._waiting = asyncio.Event()
                with contextlib.suppress(TimeoutError):
                    # Shorter than the client's timeout (EMAIL_TIMEOUT = 5 s).
                    await asyncio.wait_for(self._waiting.wait(), timeout=3)
            else:
                self.met = True
                self._waiting.set()
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def meeting_sink(smtp_port: int) -> Iterator[MeetingSink]:
    sink = MeetingSink()
    sink.start(smtp_port)
    yield sink
    sink.stop()


@delivery
def test_two_workers_at_once_deliver_each_mail_once(
    meeting_sink: MeetingSink, alice: User, bob: User, agent: User, agent_119_b: User
) -> None:
    # Given 30 mails (10 tickets, 3 mails each), each with two tasks next to each other
    # in the queue, so that both workers pick up tasks of the same mail
    for n in range(10):
        make_ticket(alice if n % 2 == 0 else bob)
    mails = rows()
    assert len(mails) == 30
    DBTaskResult.objects.all().delete()
    for mail in mails:
        deliver_mail.enqueue(mail.pk)
        deliver_mail.enqueue(mail.pk)
    assert waiting_tasks() == 60
    # When two workers run at the same time
    errors: list[BaseException] = []
    threads = [run_worker_in_thread(name, errors) for name in ("w1", "w2")]
    for thread in threads:
        thread.join(timeout=120)
    # Then both finished without error, and they were sending at the same time
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert meeting_sink.met
    # And each mail was delivered exactly once, on its first attempt
    assert len(meeting_sink.received) == 30
    assert_each_row_received_once(meeting_sink)
    assert {row.attempts for row in rows()} == {1}
    # And every task ran: one per mail sent it, the other found nothing to do
    outcomes = Counter(
        DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).values_list(
            "return_value", flat=True
        )
    )
    assert outcomes == {"sent": 30, "skipped": 30}
    assert waiting_tasks() == 0


# --- Refusals by the server -------------------------------------------------------------


@delivery
def test_a_refused_address_fails_for_good_and_is_sent_after_an_admin_resends_it(
    fussy_sink: FussySink, alice: User, agent: User
) -> None:
    # Given the server refuses the ticket's notification address (550: no such mailbox)
    wrong = "salah-ketik@example.go.id"
    fussy_sink.refused.add(wrong)
    make_ticket(alice, notification_email=wrong)
    # When the worker delivers the ticket's mails
    run_mail_worker()
    # Then that mail failed for good with the server's answer, and is not retried
    failed = OutgoingMail.objects.get(to_address=wrong)
    assert (failed.status, failed.attempts, failed.sent_at) == (MailStatus.FAILED, 1, None)
    assert "550" in failed.last_error
    assert "Kotak surat tidak ditemukan" in failed.last_error
    assert waiting_tasks() == 0
    # And the agent's mail went out all the same
    assert fussy_sink.addresses() == [agent.email]
    assert OutgoingMail.objects.get(to_address=agent.email).status == MailStatus.SENT
    # And the periodic sweep leaves a failed mail alone
    assert mail_sweep(now=timezone.now() + datetime.timedelta(days=1)).requeued == 0

    # When the mailbox exists again and an admin resends the failed mail (and, by
    # mistake, the sent one too)
    fussy_sink.refused.clear()
    sent = OutgoingMail.objects.get(to_address=agent.email)
    assert mail_resend(mail_ids=[failed.pk, sent.pk]) == 1
    run_mail_worker()
    # Then the failed one arrives once, with its own Message-ID; the sent one is not resent
    assert fussy_sink.addresses() == sorted([agent.email, wrong])
    [arrived] = fussy_sink.to(wrong)
    assert arrived.message_id == failed.message_id
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (MailStatus.SENT, 1, "")
    assert_each_row_received_once(fussy_sink)


@delivery
@pytest.mark.parametrize("busy", ["busy_rcpt", "busy_data"])
def test_a_busy_server_4xx_answer_is_retried_later_and_then_sent(
    fussy_sink: FussySink, clock: Clock, alice: User, agent: User, busy: str
) -> None:
    # Given a server that answers 450 to RCPT (or 451 to DATA) for now
    setattr(fussy_sink, busy, True)
    make_ticket(alice)
    # When the worker tries the mails
    before = timezone.now()
    run_mail_worker()
    # Then nothing arrived; each mail waits for a later attempt with the server's answer
    assert fussy_sink.received == []
    for row in rows():
        assert (row.status, row.attempts) == (MailStatus.PENDING, 1)
        assert ("450" if busy == "busy_rcpt" else "451") in row.last_error
        assert row.next_attempt_at >= before + datetime.timedelta(seconds=24)
    assert waiting_tasks() == 2
    # And the worker does not try them again before their time
    run_mail_worker()
    assert {row.attempts for row in rows()} == {1}
    # When the server is no longer busy and the retry time has come
    setattr(fussy_sink, busy, False)
    clock.advance(datetime.timedelta(minutes=1))
    run_mail_worker()
    # Then each mail arrives once, on its second attempt
    assert fussy_sink.addresses() == sorted([alice.email, agent.email])
    assert_each_row_received_once(fussy_sink)
    assert {row.attempts for row in rows()} == {2}


@delivery
def test_after_max_attempts_of_temporary_failures_the_mail_fails(
    smtp_port: int, clock: Clock, alice: User, agent: User
) -> None:
    # Given the SMTP server stays down
    make_ticket(alice)
    # When the worker tries one attempt fewer than the limit, each at its retry time
    for attempt in range(1, MAX_ATTEMPTS):
        run_mail_worker()
        # Then the mails still wait for another attempt
        assert {(row.status, row.attempts) for row in rows()} == {(MailStatus.PENDING, attempt)}
        clock.advance(datetime.timedelta(hours=2))
    # When the last attempt fails too
    run_mail_worker()
    # Then the mails are given up as failed, with the last error, and not retried
    assert {(row.status, row.attempts) for row in rows()} == {(MailStatus.FAILED, MAX_ATTEMPTS)}
    assert all("ConnectionRefusedError" in row.last_error for row in rows())
    assert waiting_tasks() == 0
    clock.advance(datetime.timedelta(days=1))
    assert mail_sweep().requeued == 0


# --- Workers that die, tasks that are lost ----------------------------------------------


@delivery
def test_a_mail_left_sending_by_a_dead_worker_is_released_after_the_lease_and_sent_once(
    smtp_sink: SmtpSink, clock: Clock, alice: User, agent: User
) -> None:
    # Given a worker claimed alice's mail and died while sending it
    make_ticket(alice)
    mail = OutgoingMail.objects.get(to_address=alice.email)
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=MailStatus.SENDING, claimed_at=timezone.now(), claimed_by="mati", attempts=1
    )
    # When the worker runs the queued tasks
    run_mail_worker()
    # Then the claimed mail is left alone (somebody else is sending it), the other is sent
    assert smtp_sink.addresses() == [agent.email]
    assert OutgoingMail.objects.get(pk=mail.pk).status == MailStatus.SENDING
    # When the sweep runs before the lease is over
    clock.advance(SENDING_LEASE - datetime.timedelta(minutes=1))
    # Then it does not take the mail from a worker that may still be sending
    assert mail_sweep(now=timezone.now()) == MailSweep(released=0, requeued=0)
    # When it runs after the lease
    clock.advance(datetime.timedelta(minutes=2))
    assert mail_sweep(now=timezone.now()) == MailSweep(released=1, requeued=1)
    # Then the mail is pending again, and the worker sends it once
    mail.refresh_from_db()
    assert (mail.status, mail.last_error) == (MailStatus.PENDING, "worker berhenti")
    run_mail_worker()
    [arrived] = smtp_sink.to(alice.email)
    assert arrived.message_id == mail.message_id
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 2)
    # And later sweeps find nothing more to do
    clock.advance(datetime.timedelta(hours=1))
    assert mail_sweep() == MailSweep(released=0, requeued=0)
    run_mail_worker()
    assert_each_row_received_once(smtp_sink)


@delivery
def test_mails_whose_tasks_were_lost_are_requeued_by_the_sweep_command(
    smtp_sink: SmtpSink, clock: Clock, alice: User, agent: User, agent_119_b: User
) -> None:
    # Given three mails whose tasks were lost
    make_ticket(alice)
    assert len(rows()) == 3
    DBTaskResult.objects.all().delete()
    run_mail_worker()
    assert smtp_sink.received == []
    # When the periodic command runs before they are overdue
    out = io.StringIO()
    call_command("send_pending_mail", verbosity=2, stdout=out)
    # Then it requeues nothing (their tasks may only be late)
    assert out.getvalue().strip() == "Email: 0 klaim kedaluwarsa dilepas, 0 dijadwalkan ulang."
    assert waiting_tasks() == 0
    # When it runs once they are overdue
    clock.advance(OVERDUE + datetime.timedelta(seconds=1))
    out = io.StringIO()
    call_command("send_pending_mail", verbosity=2, stdout=out)
    # Then it says what it did, and the worker delivers each of them once
    assert out.getvalue().strip() == "Email: 0 klaim kedaluwarsa dilepas, 3 dijadwalkan ulang."
    run_mail_worker()
    assert smtp_sink.addresses() == sorted([alice.email, agent.email, agent_119_b.email])
    assert_each_row_received_once(smtp_sink)
    # And when it runs again, quietly at the default verbosity, it finds nothing
    out = io.StringIO()
    call_command("send_pending_mail", stdout=out)
    assert out.getvalue() == ""


# --- Delivery never breaks the action ---------------------------------------------------


@delivery
def test_with_smtp_down_a_reply_answers_normally_and_its_mail_waits(
    smtp_port: int, client: Client, alice: User, agent: User
) -> None:
    # Given the SMTP server is down and the agent holds alice's ticket
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    run_mail_worker()
    before = set(OutgoingMail.objects.values_list("pk", flat=True))
    # When the agent replies on the console
    client.force_login(agent)
    response = client.post(
        reverse("console:ticket_action", args=[ticket.number, "reply"]),
        {"revision": ticket.revision, "body": "Silakan coba lagi sekarang."},
    )
    # Then the page answers as usual and the reply is saved
    assert response.status_code == 302
    assert response["Location"] == reverse("console:ticket_detail", args=[ticket.number])
    assert ticket.messages.filter(kind=MessageKind.REPLY).count() == 1
    # And alice's mail was written with it, with its task queued
    [mail] = OutgoingMail.objects.exclude(pk__in=before)
    assert (mail.to_address, mail.kind, mail.status, mail.attempts) == (
        alice.email,
        NotificationKind.REPLIED,
        MailStatus.PENDING,
        0,
    )
    # (its task carries the request's id, so the delivery logs under it)
    assert DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        args_kwargs={"args": [mail.pk], "kwargs": {"request_id": response[REQUEST_ID]}},
    ).exists()
    # And the failing delivery afterwards changes nothing of the ticket
    revision = Ticket.objects.get(pk=ticket.pk).revision
    run_mail_worker()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.PENDING, 1)
    assert Ticket.objects.get(pk=ticket.pk).revision == revision


@pytest.mark.django_db
def test_an_action_that_rolls_back_leaves_no_mail_and_no_task(
    monkeypatch: pytest.MonkeyPatch, client: Client, alice: User, agent: User
) -> None:
    # Given the agent holds alice's ticket, and its mails and tasks so far
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    mails, tasks = OutgoingMail.objects.count(), DBTaskResult.objects.count()
    assert (mails, tasks) == (2, 2)

    # When a reply fails after its mail was written (inside the action's transaction)
    real_notify = services.ticket_event_notify

    def notify_then_fail(**kwargs: Any) -> None:
        real_notify(**kwargs)
        assert OutgoingMail.objects.count() == mails + 1  # written, not yet committed
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "ticket_event_notify", notify_then_fail)
    with pytest.raises(RuntimeError):
        services.ticket_reply(ticket=ticket, actor=agent, body="Tidak akan tersimpan.")
    monkeypatch.undo()
    # Then neither the reply nor its mail nor its task is left
    assert not ticket.messages.filter(kind=MessageKind.REPLY).exists()
    assert (OutgoingMail.objects.count(), DBTaskResult.objects.count()) == (mails, tasks)

    # When a reply from a page opened before the agent asked for feedback is refused
    stale = ticket.revision
    ticket = services.ticket_request_feedback(ticket=ticket, actor=agent, body="Mohon info.")
    mails, tasks = OutgoingMail.objects.count(), DBTaskResult.objects.count()
    with pytest.raises(ActionConflict):
        services.ticket_reply(ticket=ticket, actor=agent, body="Balasan basi.", revision=stale)
    client.force_login(agent)
    response = client.post(
        reverse("console:ticket_action", args=[ticket.number, "reply"]),
        {"revision": stale, "body": "Balasan basi lewat konsol."},
    )
    # Then no mail and no task is written for it
    assert response.status_code == 409
    assert (OutgoingMail.objects.count(), DBTaskResult.objects.count()) == (mails, tasks)
    assert not ticket.messages.filter(kind=MessageKind.REPLY).exists()


# --- What the mail looks like on the wire -------------------------------------------


@delivery
@pytest.mark.parametrize(
    "title",
    [
        "Tiket Anda telah diselesaikan — mohon konfirmasi",
        "Gagal upload dokumen penawaran pada tahap pemasukan penawaran yang berakhir hari ini",
        "Gagal unggah — dokumen penawaran “final” pada tahap pemasukan penawaran hari ini",
        "Tautan https://lpse.example.go.id/eproc4/lelang/9537119/pengumumanlelang tidak terbuka",
    ],
)
def test_a_long_subject_is_one_clean_line(smtp_sink: SmtpSink, alice: User, title: str) -> None:
    # Given a notice whose subject is longer than one header line
    ticket = make_ticket(alice)
    run_mail_worker()
    smtp_sink.clear()
    ticket_notify(
        users=[alice], kind=NotificationKind.REPLIED, ticket=ticket, title=title,
        reporter_address=alice.email,
    )  # fmt: skip
    run_mail_worker()
    [mail] = smtp_sink.to(alice.email)
    # Then the subject reads back exactly, as one line
    assert mail.subject == f"[{ticket.number}] {title}"
    # And on the wire it starts on the Subject: line itself and folds only between words
    lines = mail.raw_header("Subject")
    assert lines[0].startswith(f"Subject: [{ticket.number}]"), lines
    assert all(line.strip() for line in lines), lines
    assert all(len(line) <= 78 for line in lines), lines


@pytest.mark.django_db
def test_a_line_break_in_a_subject_becomes_a_space() -> None:
    assert one_line(" [SPSE-1]  Gagal\r\nunggah\tdokumen ") == "[SPSE-1] Gagal unggah dokumen"
