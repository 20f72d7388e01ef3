"""A source that answers too slowly, or not at all, never makes the reporter wait
(issue 15): the ticket is filed at once as unvalidated, and its code is checked in the
background until the source answers or a day has passed.

Tickets are filed while the sources are down (the suite's default: a closed port) or
slower than the filing budget (the simulator's code 9991119); then the sources are
pointed at the simulator and the background attempt runs with an injected `now`.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from integrations.http import reset_state
from notifications.models import Notification, NotificationKind
from reference.models import Lpse
from tickets import services
from tickets.codes import ticket_code_recheck
from tickets.models import EventKind, Priority, Status, Ticket
from tickets.priority import REASON_MAX_LENGTH, unchecked_code_explanation
from tickets.tasks import CODE_QUEUE, code_recheck_sweep, recheck_code
from tickets.tests.factories import make_ticket

UNCHECKED = (
    "kode belum dapat diperiksa karena sumber data tidak menjawab; prioritas dapat "
    "berubah setelah kode diperiksa"
)
TASK_PATH = "tickets.tasks.recheck_code"


def queued_checks() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(task_path=TASK_PATH, status=TaskResultStatus.READY).order_by(
            "run_after"
        )
    )


def sources_answer(settings, simulator_url: str) -> None:
    """The sources come back (as the worker's process would see them)."""
    for source in ("DW", "KATALOG", "SIRUP"):
        setattr(settings, f"INTEGRATION_{source}_URL", simulator_url)
    settings.INTEGRATION_BACKGROUND_READ_TIMEOUT = 10
    reset_state()


def recheck(ticket: Ticket, *, after: datetime.timedelta = datetime.timedelta(minutes=1)):
    return ticket_code_recheck(ticket_id=ticket.pk, now=ticket.created_at + after)


def notified(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


# --- Filing -------------------------------------------------------------------------------


def test_a_slow_source_files_the_ticket_at_once_unvalidated_and_queues_a_check(
    alice, sources_online, settings, django_capture_on_commit_callbacks
):
    # Given timeouts and retries that would keep the reporter waiting for minutes
    settings.INTEGRATION_READ_TIMEOUT = 30
    settings.INTEGRATION_RETRIES = 3
    settings.INTEGRATION_CREATE_WAIT_SECONDS = 0.3
    # When the reporter files a ticket with the code the simulator answers slowly
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(alice, code="9991119")
    # Then it is filed within the budget as unvalidated, at the category's base priority
    assert not ticket.code_validated
    assert ticket.priority == Priority.MAJOR
    assert "lambat" not in ticket.code_validation_note  # the note is the source's state
    assert ticket.code_recheck_until == ticket.created_at + datetime.timedelta(hours=24)
    assert UNCHECKED in ticket.priority_reason
    # And one background check is queued on the "codes" queue
    [task] = queued_checks()
    assert task.args_kwargs["args"] == [ticket.pk]
    assert task.queue_name == CODE_QUEUE


def test_a_source_that_is_down_also_queues_a_check(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(alice, code="9537119")
    assert ticket.code_recheck_until is not None
    assert [task.args_kwargs["args"] for task in queued_checks()] == [[ticket.pk]]


def test_a_code_the_source_does_not_know_is_not_checked_again(
    alice, sources_online, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(alice, code="1234567119")
    assert ticket.code_recheck_until is None
    assert UNCHECKED not in ticket.priority_reason
    assert queued_checks() == []


def test_a_validated_code_is_not_checked_again(
    alice, sources_online, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(alice, code="9537119")
    assert ticket.code_validated and ticket.code_recheck_until is None
    assert queued_checks() == []


def test_the_explanation_keeps_its_note_within_the_reasons_length():
    text = unchecked_code_explanation("Major: " + "x" * 400)
    assert len(text) <= REASON_MAX_LENGTH
    assert text.endswith(UNCHECKED)


def test_the_reporters_page_and_the_console_explain_the_unchecked_code(client, alice, agent):
    ticket = make_ticket(alice, code="9537119")
    client.force_login(alice)
    assert UNCHECKED in client.get(ticket.get_absolute_url()).content.decode()
    client.force_login(agent)
    page = client.get(reverse("console:ticket_detail", args=[ticket.number])).content.decode()
    assert UNCHECKED in page


# --- The answer arrives ---------------------------------------------------------------


def test_the_answer_validates_the_code_and_recomputes_priority_and_sla_in_one_event(
    alice, agent, settings, standalone_simulator
):
    # Given a ticket filed while the Data Warehouse was down
    ticket = make_ticket(alice, code="9537119")
    before = Ticket.objects.get(pk=ticket.pk)
    assert before.priority == Priority.MAJOR and UNCHECKED in before.priority_reason
    # When the background attempt finds the source answering
    sources_answer(settings, standalone_simulator)
    result = recheck(ticket)
    # Then snapshot, Tervalidasi and priority follow the source's data
    assert (result.outcome, result.retry_at) == ("validated", None)
    ticket.refresh_from_db()
    assert ticket.code_validated and ticket.code_snapshot["kd_tender"] == 9537119
    assert ticket.priority == Priority.EMERGENCY
    assert UNCHECKED not in ticket.priority_reason
    assert "Upload Dokumen Penawaran" in ticket.priority_reason
    assert ticket.code_recheck_until is None
    # And the SLA due times follow the new priority (Emergency: 1 h around the clock)
    assert ticket.response_due_at == ticket.created_at + datetime.timedelta(hours=1)
    assert ticket.response_due_at != before.response_due_at
    # And the history holds exactly one event for it, by the system, seen by the reporter
    [event] = ticket.events.filter(kind=EventKind.CODE_REVALIDATED)
    assert event.actor is None and not event.is_internal
    assert event.data["priority_from"] == Priority.MAJOR
    assert event.data["priority_to"] == Priority.EMERGENCY
    assert ticket.revision == before.revision + 1
    assert ticket.events.count() == 2  # created, code checked


def test_a_risen_priority_is_told_to_the_reporter_and_the_tiers_agents(
    alice, agent, agent_other, settings, standalone_simulator
):
    ticket = make_ticket(alice, code="9537119")
    sources_answer(settings, standalone_simulator)
    recheck(ticket)
    # Nobody holds it: the agents of its tier and LPSE hear of it, not other LPSEs'.
    assert notified(NotificationKind.PRIORITY_RAISED) == {alice.username, agent.username}


def test_a_risen_priority_is_told_to_the_holder_only_among_staff(
    alice, agent, agent_119_b, settings, standalone_simulator
):
    ticket = make_ticket(alice, code="9537119")
    services.ticket_take(ticket=ticket, actor=agent)
    sources_answer(settings, standalone_simulator)
    recheck(ticket)
    assert notified(NotificationKind.PRIORITY_RAISED) == {alice.username, agent.username}
    notice = Notification.objects.get(kind=NotificationKind.PRIORITY_RAISED, recipient=alice)
    assert "Emergency" in notice.title


def test_nobody_is_told_when_the_priority_does_not_rise(
    alice, agent, settings, standalone_simulator
):
    ticket = make_ticket(alice, code="9539119")  # a finished tender never raises
    sources_answer(settings, standalone_simulator)
    assert recheck(ticket).outcome == "validated"
    ticket.refresh_from_db()
    assert ticket.code_validated and ticket.priority == Priority.MAJOR
    assert notified(NotificationKind.PRIORITY_RAISED) == set()


def test_a_staff_priority_is_never_undone(alice, agent, settings, standalone_simulator):
    ticket = make_ticket(alice, code="9537119")
    services.ticket_take(ticket=ticket, actor=agent)
    ticket = services.ticket_override_priority(
        ticket=ticket, actor=agent, priority=Priority.MEDIUM, reason="Jadwal sudah diperpanjang."
    )
    staff_reason = ticket.priority_reason
    sources_answer(settings, standalone_simulator)
    assert recheck(ticket).outcome == "validated"
    ticket.refresh_from_db()
    # The code is validated, but the priority and its reason stay the staff's.
    assert ticket.code_validated
    assert (ticket.priority, ticket.priority_reason) == (Priority.MEDIUM, staff_reason)
    event = ticket.events.get(kind=EventKind.CODE_REVALIDATED)
    assert event.data["priority_to"] == Priority.MEDIUM and event.reason == ""
    assert notified(NotificationKind.PRIORITY_RAISED) == set()


def test_a_closed_ticket_is_left_alone(alice, settings, standalone_simulator):
    ticket = make_ticket(alice, code="9537119")
    ticket = services.ticket_force_close(ticket=ticket, actor=alice, reason="Sudah beres.")
    sources_answer(settings, standalone_simulator)
    assert recheck(ticket).outcome == "done"
    ticket.refresh_from_db()
    assert ticket.status == Status.FORCE_CLOSED
    assert not ticket.code_validated and ticket.priority == Priority.MAJOR
    assert not ticket.events.filter(kind=EventKind.CODE_REVALIDATED).exists()


def test_the_tenders_other_lpse_is_noted_for_staff_and_the_ticket_stays(
    alice, settings, standalone_simulator
):
    # Given alice (LPSE 119) filing about a tender of LPSE Kota Makassar while it was down
    ticket = make_ticket(alice, code="8801071")
    assert ticket.lpse.kd_lpse == 119
    sources_answer(settings, standalone_simulator)
    assert recheck(ticket).outcome == "validated"
    ticket.refresh_from_db()
    # Then the ticket stays at LPSE 119; staff read the tender's LPSE in the note
    makassar = Lpse.objects.get(kd_lpse=71)
    assert ticket.lpse.kd_lpse == 119
    assert ticket.code_validated
    assert ticket.code_snapshot["nama_lpse"] in ticket.code_validation_note
    assert "71" in ticket.code_validation_note and makassar.kd_lpse == 71
    assert ticket.events.get(kind=EventKind.CODE_REVALIDATED).data["tender_lpse"] == 71


def test_a_code_the_source_then_does_not_know_ends_the_checks(
    alice, settings, standalone_simulator
):
    ticket = make_ticket(alice, code="1234567119")
    sources_answer(settings, standalone_simulator)
    assert recheck(ticket).outcome == "answered"
    ticket.refresh_from_db()
    assert not ticket.code_validated and ticket.code_recheck_until is None
    assert "tidak ditemukan" in ticket.code_validation_note
    assert UNCHECKED not in ticket.priority_reason


def test_staff_revalidation_that_gets_an_answer_ends_the_background_check(
    alice, agent, settings, standalone_simulator
):
    ticket = make_ticket(alice, code="9537119")
    services.ticket_take(ticket=ticket, actor=agent)
    sources_answer(settings, standalone_simulator)
    ticket = services.ticket_revalidate_code(ticket=ticket, actor=agent)
    assert ticket.code_validated and ticket.code_recheck_until is None
    assert recheck(ticket).outcome == "done"


# --- Retries --------------------------------------------------------------------------


def test_while_the_source_is_down_the_pauses_grow_and_stop_after_a_day(alice):
    ticket = make_ticket(alice, code="9537119")
    hour = datetime.timedelta(hours=1)
    # A minute after filing: again in a minute
    first = recheck(ticket, after=datetime.timedelta(minutes=1))
    assert first.outcome == "retry"
    assert first.retry_at == ticket.created_at + datetime.timedelta(minutes=2)
    # Ten minutes after filing: again in ten minutes (the pause doubles the age)
    tenth = recheck(ticket, after=datetime.timedelta(minutes=10))
    assert tenth.retry_at == ticket.created_at + datetime.timedelta(minutes=20)
    # Five hours after: again in an hour (the longest pause)
    assert recheck(ticket, after=5 * hour).retry_at == ticket.created_at + 6 * hour
    # Within the last hour: no attempt past the day
    assert recheck(ticket, after=23.5 * hour) == recheck(ticket, after=24 * hour)
    assert recheck(ticket, after=24 * hour).outcome == "expired"
    # Then the ticket stays unvalidated, saying why, with no event
    ticket.refresh_from_db()
    assert not ticket.code_validated and UNCHECKED in ticket.priority_reason
    assert not ticket.events.filter(kind=EventKind.CODE_REVALIDATED).exists()


def test_the_task_enqueues_its_next_try_while_the_source_is_down(alice):
    ticket = make_ticket(alice, code="9537119")
    assert queued_checks() == []  # the filing's own task runs on commit (not in this test)
    # When the task runs and the source is still down
    assert recheck_code.call(ticket.pk) == "retry"
    # Then its next try waits
    [task] = queued_checks()
    assert task.args_kwargs["args"] == [ticket.pk]
    assert task.queue_name == CODE_QUEUE
    assert task.run_after > timezone.now()


# --- The safety net -------------------------------------------------------------------


def test_the_sweep_enqueues_a_check_whose_task_was_lost(alice, agent):
    ticket = make_ticket(alice, code="9537119")  # its on-commit task never ran here
    filed = ticket.created_at
    # Not yet overdue: the first try is due a minute after filing, with some grace
    assert code_recheck_sweep(now=filed + datetime.timedelta(minutes=2)) == 0
    assert code_recheck_sweep(now=filed + datetime.timedelta(minutes=10)) == 1
    assert [task.args_kwargs["args"] for task in queued_checks()] == [[ticket.pk]]
    # A closed ticket, or one past its day, is never swept
    services.ticket_force_close(ticket=ticket, actor=alice, reason="Sudah beres.")
    assert code_recheck_sweep(now=filed + datetime.timedelta(minutes=20)) == 0


def test_the_periodic_command_runs_the_sweep(alice):
    ticket = make_ticket(alice, code="9537119")
    Ticket.objects.filter(pk=ticket.pk).update(
        code_checked_at=ticket.created_at - datetime.timedelta(hours=2)
    )
    out = io.StringIO()
    call_command("recheck_pending_codes", stdout=out)
    assert "1 pemeriksaan dijadwalkan ulang" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_worker_validates_the_code_on_its_queue(
    alice: User, agent: User, settings, standalone_simulator: str
):
    # Given a ticket filed (and committed) while the source was down
    ticket = make_ticket(alice, code="9537119")
    assert [task.args_kwargs["args"] for task in queued_checks()] == [[ticket.pk]]
    # When the source is back and the demo's code worker runs its queue
    sources_answer(settings, standalone_simulator)
    call_command(
        "db_worker", "--batch", "--queue-name", CODE_QUEUE, "--no-startup-delay", "--no-reload"
    )
    # Then the ticket is validated and its priority raised
    ticket.refresh_from_db()
    assert ticket.code_validated and ticket.priority == Priority.EMERGENCY
