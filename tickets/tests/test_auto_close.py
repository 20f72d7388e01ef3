"""Auto-closing unconfirmed resolutions: `close_unconfirmed_tickets` and its service.

The clock is frozen (django.utils.timezone.now is replaced) so that "Friday 15:00 WIB"
means exactly that for the services, the numbering and the command alike. Week of
10 January 2025: Friday 10, Monday 13, Tuesday 14, Wednesday 15.
"""

import datetime
import io
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.services import staff_member_upsert
from reference.models import Lpse
from sla.calendars import CalendarBook
from tickets import services
from tickets.lifecycle import ActionConflict
from tickets.models import CloseReason, EventKind, Rating, Status, Ticket
from tickets.tests.factories import make_ticket

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")


def wib(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, 1, day, hour, minute, tzinfo=WIB)


class Clock:
    """What `timezone.now()` answers while the test runs."""

    def __init__(self) -> None:
        self.now = wib(10, 15)

    def set(self, moment: datetime.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.now.astimezone(datetime.UTC))
    return frozen


@pytest.fixture
def agent_jayapura(reference: None) -> User:
    """Tier 1 at LPSE 93 Kota Jayapura (WIT)."""
    return staff_member_upsert(
        username="agent_93",
        full_name="Agent Jayapura",
        email="agent93@lkpp.example",
        assignments=[("agent", 93, None, "")],
    )


def resolved(reporter: User, agent: User, lpse: Lpse | None = None) -> Ticket:
    """A ticket (of `lpse`, else the reporter's) taken and resolved by `agent` now."""
    ticket = make_ticket(reporter, lpse=lpse or reporter.lpse)
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    return services.ticket_resolve(ticket=ticket, actor=agent, body="Sudah diperbaiki.")


def close_unconfirmed() -> str:
    out = io.StringIO()
    call_command("close_unconfirmed_tickets", stdout=out)
    return out.getvalue()


def test_resolved_friday_afternoon_closes_wednesday_afternoon_not_before(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given a ticket of LPSE 119 (WIB) resolved on Friday at 15:00 WIB
    clock.set(wib(10, 15))
    ticket = resolved(alice, agent)
    assert services.auto_close_due_at(ticket) == wib(15, 15)
    # When the command runs over the weekend, on Monday, Tuesday and Wednesday 14:59
    for moment in (wib(11, 15), wib(13, 15), wib(14, 23, 59), wib(15, 14, 59)):
        clock.set(moment)
        # Then nothing is closed yet
        assert close_unconfirmed().startswith("0 ticket(s) closed")
    ticket.refresh_from_db()
    assert ticket.status == Status.AWAITING_CONFIRMATION
    # When it runs on Wednesday at 15:00 WIB, three working days later
    clock.set(wib(15, 15))
    # Then the ticket is closed
    assert close_unconfirmed().startswith("1 ticket(s) closed")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.close_reason) == (Status.CLOSED, CloseReason.AUTO_CLOSED)
    assert ticket.closed_at == wib(15, 15)
    # And running again closes nothing twice
    assert close_unconfirmed().startswith("0 ticket(s) closed")
    assert ticket.events.filter(kind=EventKind.AUTO_CLOSED).count() == 1


def test_a_wit_lpse_counts_its_working_days_in_wit(
    clock: Clock, alice: User, agent: User, agent_jayapura: User
) -> None:
    # Given two tickets resolved at the same instant, Friday 22:30 WIB: still Friday in
    # Jakarta, already Saturday 00:30 in Jayapura (WIT)
    clock.set(wib(10, 22, 30))
    jakarta = resolved(alice, agent)
    jayapura = resolved(alice, agent_jayapura, lpse=Lpse.objects.get(kd_lpse=93))
    # Then the WIT ticket counts from Monday 00:00 WIT: it is due Thursday 00:00 WIT,
    # half an hour before the WIB ticket (Wednesday 22:30 WIB = Thursday 00:30 WIT)
    assert services.auto_close_due_at(jayapura) == datetime.datetime(2025, 1, 16, tzinfo=WIT)
    assert services.auto_close_due_at(jakarta) == wib(15, 22, 30)
    # When the command runs on Wednesday at 22:15 WIB (Thursday 00:15 WIT)
    clock.set(wib(15, 22, 15))
    assert close_unconfirmed().startswith("1 ticket(s) closed")
    # Then only the Jayapura ticket is closed
    jakarta.refresh_from_db()
    jayapura.refresh_from_db()
    assert jayapura.status == Status.CLOSED
    assert jakarta.status == Status.AWAITING_CONFIRMATION
    # And the Jakarta ticket follows at 22:30 WIB
    clock.set(wib(15, 22, 30))
    assert close_unconfirmed().startswith("1 ticket(s) closed")
    jakarta.refresh_from_db()
    assert jakarta.status == Status.CLOSED


def test_tickets_answered_in_time_are_not_touched(
    clock: Clock, alice: User, bob: User, agent: User
) -> None:
    # Given three tickets resolved on Friday 15:00 WIB and one resolved on Tuesday
    clock.set(wib(10, 15))
    confirmed = resolved(alice, agent)
    reopened = resolved(alice, agent)
    silent = resolved(bob, agent)
    clock.set(wib(14, 9))
    later = resolved(bob, agent)
    # And the reporter confirmed the first on Monday and reopened the second on Tuesday
    clock.set(wib(13, 10))
    services.ticket_confirm(ticket=confirmed, actor=alice)
    clock.set(wib(14, 10))
    services.ticket_reopen(ticket=reopened, actor=alice, body="Masih gagal.")
    # When the command runs on Wednesday at 15:00 WIB
    clock.set(wib(15, 15))
    assert close_unconfirmed().startswith("1 ticket(s) closed")
    # Then only the unanswered, overdue ticket is closed
    for ticket in (confirmed, reopened, silent, later):
        ticket.refresh_from_db()
    assert (confirmed.status, confirmed.close_reason) == (Status.CLOSED, CloseReason.CONFIRMED)
    assert confirmed.closed_at == wib(13, 10)
    assert (reopened.status, reopened.holder) == (Status.IN_PROGRESS, agent)
    assert silent.close_reason == CloseReason.AUTO_CLOSED
    assert later.status == Status.AWAITING_CONFIRMATION
    for ticket in (confirmed, reopened, later):
        assert not ticket.events.filter(kind=EventKind.AUTO_CLOSED).exists()


def test_the_auto_closed_ticket_records_why_and_cannot_be_rated(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given a resolution left unconfirmed past its due moment
    clock.set(wib(10, 15))
    ticket = resolved(alice, agent)
    revision = ticket.revision
    clock.set(wib(20, 8))
    # When the periodic command closes it
    close_unconfirmed()
    ticket.refresh_from_db()
    # Then the history says so: no person acted, and why
    event = ticket.events.order_by("-id").first()
    assert event is not None
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        EventKind.AUTO_CLOSED, None, Status.AWAITING_CONFIRMATION, Status.CLOSED,
    )  # fmt: skip
    assert "3 hari kerja" in event.reason
    assert not event.is_internal
    assert (ticket.close_reason, ticket.closed_at, ticket.revision) == (
        CloseReason.AUTO_CLOSED, wib(20, 8), revision + 1,
    )  # fmt: skip
    # And the reporter can neither rate it nor act on it any more
    with pytest.raises(ActionConflict):
        services.ticket_rate(ticket=ticket, actor=alice, stars=5)
    with pytest.raises(ActionConflict):
        services.ticket_reopen(ticket=ticket, actor=alice, body="Belum.")
    assert not Rating.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db(transaction=True)
def test_two_machines_closing_at_once_close_the_ticket_once(
    clock: Clock, alice: User, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an overdue resolution
    clock.set(wib(10, 15))
    ticket = resolved(alice, agent)
    clock.set(wib(16, 9))
    # And two runs of the command that both read the ticket as due before either closes
    # it (each thread has its own database connection, as two machines would)
    both_read = threading.Barrier(2)
    due_at = services.auto_close_due_at

    def due_after_both_read(
        candidate: Ticket, *, book: CalendarBook | None = None
    ) -> datetime.datetime | None:
        both_read.wait(timeout=10)
        return due_at(candidate, book=book)

    monkeypatch.setattr(services, "auto_close_due_at", due_after_both_read)
    outputs: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            outputs.append(close_unconfirmed())
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    # When both run at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Then one closed it, the other found it closed and skipped it, without an error
    assert errors == []
    assert sorted(out.split(" ", 1)[0] for out in outputs) == ["0", "1"]
    ticket.refresh_from_db()
    assert ticket.close_reason == CloseReason.AUTO_CLOSED
    assert ticket.events.filter(kind=EventKind.AUTO_CLOSED).count() == 1
