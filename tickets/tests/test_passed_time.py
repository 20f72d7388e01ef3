"""Services given the time (`now=`) write that time, not the clock's.

The moments are in the week of Monday 30 November 2026 (no holiday; working hours
08:00–16:00 WIB). The factory's ticket is Major: 4 h to the first response, 8 h to
resolution, in working time, warned when 20 % is left. Nothing here patches the clock.
"""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from notifications.models import Notification, OutgoingMail
from tickets import services
from tickets.attachments import attachment_check
from tickets.models import Attachment, EventKind, Message, Status, Ticket, TicketEvent
from tickets.tests import samples
from tickets.tests.factories import make_draft
from tickets.ticket_sla import sla_sweep

WIB = ZoneInfo("Asia/Jakarta")


MON, TUE = datetime.date(2026, 11, 30), datetime.date(2026, 12, 1)


def wib(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), WIB)


def stamps(ticket: Ticket) -> set[datetime.datetime]:
    """Every creation time written for the ticket: its events, messages, files, notices."""
    return {
        *TicketEvent.objects.filter(ticket=ticket).values_list("created_at", flat=True),
        *Message.objects.filter(ticket=ticket).values_list("created_at", flat=True),
        *Attachment.objects.filter(ticket=ticket).values_list("created_at", flat=True),
        *Notification.objects.filter(ticket=ticket).values_list("created_at", flat=True),
        *OutgoingMail.objects.filter(ticket=ticket).values_list("created_at", flat=True),
    }


def test_create_take_and_resolve_write_the_times_they_are_given(alice: User, agent: User):
    # When alice files a ticket with a screenshot on Monday 09:00 WIB (a past moment)
    filed = wib(MON, 9)
    ticket = services.ticket_create(
        reporter=alice,
        draft=make_draft(alice),
        files=[attachment_check(samples.upload("layar.png", samples.PNG))],
        now=filed,
    )
    ticket.refresh_from_db()
    # Then the ticket, its number, its file and its first event carry that time
    assert ticket.created_at == ticket.updated_at == ticket.public_updated_at == filed
    assert ticket.code_checked_at == filed
    assert ticket.number.startswith("SPSE-20261130-")
    [attachment] = ticket.attachments.all()
    assert attachment.created_at == filed
    assert attachment.file.name.startswith(f"lampiran/2026/11/{ticket.number}/")
    # And the SLA clocks start then: response due at 13:00, resolution Tuesday 09:00
    assert (ticket.response_warn_at, ticket.response_due_at) == (wib(MON, 12, 12), wib(MON, 13))
    assert (ticket.resolution_warn_at, ticket.resolution_due_at) == (
        wib(MON, 15, 24),
        wib(TUE, 9),
    )
    assert ticket.next_due_at == wib(MON, 13)
    # And the notices about it are dated then too (their delivery may start at once)
    assert stamps(ticket) == {filed}
    assert Notification.objects.filter(ticket=ticket).exists()
    mails = OutgoingMail.objects.filter(ticket=ticket)
    assert mails.exists()
    assert all(mail.next_attempt_at <= timezone.now() for mail in mails)

    # When the agent takes it at 09:30 and resolves it at 11:00
    taken, resolved = wib(MON, 9, 30), wib(MON, 11)
    ticket = services.ticket_take(ticket=ticket, actor=agent, now=taken)
    assert ticket.updated_at == ticket.public_updated_at == taken
    ticket = services.ticket_resolve(
        ticket=ticket, actor=agent, body="Sudah diperbaiki.", now=resolved
    )
    # Then each step is recorded at its own time
    events = dict(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "created_at"))
    assert events == {
        EventKind.CREATED: filed,
        EventKind.TAKEN: taken,
        EventKind.RESOLVED: resolved,
    }
    assert ticket.messages.get().created_at == resolved
    # And the resolution is the first response, the clocks pause while alice confirms
    assert ticket.status == Status.AWAITING_CONFIRMATION
    assert ticket.resolved_at == ticket.first_response_at == resolved
    assert ticket.updated_at == ticket.public_updated_at == resolved
    assert ticket.sla_pauses == [[resolved.isoformat(), None]]
    assert (ticket.response_due_at, ticket.resolution_due_at, ticket.next_due_at) == (
        None,
        None,
        None,
    )
    assert stamps(ticket) == {filed, taken, resolved}

    # When alice confirms on Tuesday 08:15 and rates it at 08:20
    confirmed, rated = wib(TUE, 8, 15), wib(TUE, 8, 20)
    ticket = services.ticket_confirm(ticket=ticket, actor=alice, now=confirmed)
    ticket = services.ticket_rate(ticket=ticket, actor=alice, stars=5, now=rated)
    # Then the closing and the rating carry those times
    assert ticket.closed_at == confirmed
    assert ticket.rating.created_at == rated
    assert stamps(ticket) == {filed, taken, resolved, confirmed, rated}


def test_the_sla_sweep_and_the_auto_close_date_what_they_write(alice: User, agent: User):
    # Given two tickets filed Monday 09:00: one left untouched, one resolved at 10:00
    untouched = services.ticket_create(
        reporter=alice, draft=make_draft(alice, title="Belum ditangani"), files=[], now=wib(MON, 9)
    )
    ticket = services.ticket_create(
        reporter=alice, draft=make_draft(alice), files=[], now=wib(MON, 9)
    )
    ticket = services.ticket_take(ticket=ticket, actor=agent, now=wib(MON, 9, 30))
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body="Selesai.", now=wib(MON, 10))

    # When the SLA sweep runs at 13:00, when the untouched ticket's response is due
    result = sla_sweep(now=wib(MON, 13))
    # Then the breach is recorded at that time: its columns, its event and its notices
    assert result.breached == 1
    untouched.refresh_from_db()
    assert untouched.response_breached_at == untouched.response_warned_at == wib(MON, 13)
    assert untouched.events.get(kind=EventKind.SLA_BREACHED).created_at == wib(MON, 13)
    assert Notification.objects.filter(ticket=untouched, kind="sla_breach").exists()
    assert stamps(untouched) == {wib(MON, 9), wib(MON, 13)}

    # When the auto-close runs once the resolved ticket's confirmation is overdue
    due = services.auto_close_due_at(ticket)
    assert due is not None
    assert services.tickets_auto_close(now=due) == 1
    # Then it is closed at that time, and its event and notices are dated then
    ticket.refresh_from_db()
    assert ticket.closed_at == ticket.updated_at == due
    assert ticket.events.get(kind=EventKind.AUTO_CLOSED).created_at == due
    assert stamps(ticket) == {wib(MON, 9), wib(MON, 9, 30), wib(MON, 10), due}
