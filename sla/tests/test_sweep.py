"""The SLA sweep: warnings at 20 % left and breaches, recorded once, to the right people.

The clock is frozen in the week of Monday 30 November 2026 (see conftest). A Major
ticket filed Monday 09:00 WIB: response warned at 12:12, due 13:00; resolution warned at
15:24, due Tuesday 09:00.
"""

import datetime
import io
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django.test import Client

from accounts.models import User
from accounts.services import staff_member_upsert
from notifications.models import Notification, NotificationKind
from sla.tests.conftest import MON, THU, TUE, Clock, wib
from tickets import services
from tickets import ticket_sla as sla_services
from tickets.models import EventKind, Ticket, TicketEvent
from tickets.tests.factories import make_ticket
from tickets.ticket_sla import SweepResult, sla_sweep

SLA_EVENTS = (EventKind.SLA_WARNED, EventKind.SLA_BREACHED)


def filed_monday_9(reporter: User, clock: Clock) -> Ticket:
    clock.set(wib(MON, 9))
    return make_ticket(reporter)


def sweep_at(clock: Clock, moment: datetime.datetime) -> SweepResult:
    clock.set(moment)
    return sla_sweep()


def sla_notices() -> QuerySet[Notification]:
    """SLA notifications only (ticket actions notify people too)."""
    return Notification.objects.filter(kind__in=("sla_warning", "sla_breach"))


def notified() -> list[tuple[str, str]]:
    """(username, kind) of every notification, sorted."""
    return sorted(sla_notices().values_list("recipient__username", "kind"))


def sla_events(ticket: Ticket) -> list[TicketEvent]:
    return list(ticket.events.filter(kind__in=SLA_EVENTS).order_by("id"))


def test_the_holder_is_warned_once_at_20_percent_left(
    clock: Clock, alice: User, agent: User, agent_119_b: User, supervisor: User
) -> None:
    # Given a Major ticket filed Monday 09:00 and held by `agent`
    ticket = filed_monday_9(alice, clock)
    clock.set(wib(MON, 9, 5))
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    # When the sweep runs a minute before 80 % of the 4 h response target
    result = sweep_at(clock, wib(MON, 12, 11))
    # Then nothing happens
    assert (result.checked, result.warned, result.breached) == (1, 0, 0)
    assert notified() == []
    assert sla_events(ticket) == []
    # When it runs at 12:12 (48 minutes, 20 %, left)
    result = sweep_at(clock, wib(MON, 12, 12))
    # Then the holder alone gets one warning, and the history one internal event
    assert (result.warned, result.breached) == (1, 0)
    assert notified() == [("agent_119", NotificationKind.SLA_WARNING)]
    notice = sla_notices().get()
    assert (notice.ticket, notice.read_at) == (ticket, None)
    assert ticket.number in notice.title
    [event] = sla_events(ticket)
    assert (event.kind, event.is_internal, event.actor) == (EventKind.SLA_WARNED, True, None)
    assert event.data["clock"] == "response"
    assert datetime.datetime.fromisoformat(event.data["due_at"]) == wib(MON, 13)
    ticket.refresh_from_db()
    assert (ticket.response_warned_at, ticket.response_breached_at) == (wib(MON, 12, 12), None)
    # When the sweep runs again
    result = sweep_at(clock, wib(MON, 12, 30))
    # Then it adds nothing
    assert (result.warned, result.breached) == (0, 0)
    assert sla_notices().count() == 1
    assert len(sla_events(ticket)) == 1


def test_an_unheld_ticket_warns_the_agents_of_its_tier(
    clock: Clock,
    alice: User,
    agent: User,
    agent_119_b: User,
    agent_other: User,
    supervisor: User,
) -> None:
    # Given a ticket of LPSE 119 that nobody has taken
    filed_monday_9(alice, clock)
    # When the response warning falls due
    sweep_at(clock, wib(MON, 12, 12))
    # Then both tier-1 agents of LPSE 119 are warned; LPSE 10's agent and the
    # supervisor are not
    assert notified() == [
        ("agent_119", NotificationKind.SLA_WARNING),
        ("agent_119_b", NotificationKind.SLA_WARNING),
    ]


def test_an_escalated_unheld_ticket_warns_the_next_tiers_agents(
    clock: Clock, alice: User, agent: User, agent_119_b: User, lkpp_spse: User
) -> None:
    # Given a ticket escalated to tier 2 at 09:30 and not yet taken there
    ticket = filed_monday_9(alice, clock)
    clock.set(wib(MON, 9, 30))
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    services.ticket_escalate(ticket=ticket, actor=agent, note="Perlu LKPP.")
    # When the response warning falls due
    sweep_at(clock, wib(MON, 12, 12))
    # Then tier 2 (the SPSE group at LKPP) is warned, not tier 1
    assert notified() == [("lkpp_spse", NotificationKind.SLA_WARNING)]


def test_a_breach_is_recorded_once_for_the_holder_and_the_covering_supervisors(
    clock: Clock,
    alice: User,
    agent: User,
    agent_119_b: User,
    supervisor: User,
    supervisor_119: User,
    supervisor_10: User,
) -> None:
    # Given a Major ticket held by `agent`, never swept before its response was due
    ticket = filed_monday_9(alice, clock)
    clock.set(wib(MON, 9, 5))
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    # When the sweep runs at 13:00
    result = sweep_at(clock, wib(MON, 13))
    # Then one breach is recorded, without a warning after the fact
    assert (result.warned, result.breached) == (0, 1)
    ticket.refresh_from_db()
    assert ticket.response_breached_at == wib(MON, 13)
    assert ticket.response_warned_at == wib(MON, 13)
    [event] = sla_events(ticket)
    assert (event.kind, event.is_internal, event.data["clock"]) == (
        EventKind.SLA_BREACHED, True, "response",
    )  # fmt: skip
    # And the holder and the supervisors whose scope covers LPSE 119 are told; the
    # colleague and LPSE 10's supervisor are not
    assert notified() == [
        ("agent_119", NotificationKind.SLA_BREACH),
        ("supervisor_119", NotificationKind.SLA_BREACH),
        ("supervisor_national", NotificationKind.SLA_BREACH),
    ]
    # When the sweep runs again
    result = sweep_at(clock, wib(MON, 13, 5))
    # Then nothing is added
    assert (result.warned, result.breached) == (0, 0)
    assert sla_notices().count() == 3
    assert len(sla_events(ticket)) == 1


def test_paused_tickets_are_never_warned_or_breached_while_paused(
    clock: Clock, alice: User, agent: User, supervisor: User
) -> None:
    # Given two tickets filed Monday 09:00: one awaiting feedback since 10:00 (1 h used),
    # one resolved at 10:00 and awaiting confirmation
    waiting = filed_monday_9(alice, clock)
    resolved = filed_monday_9(alice, clock)
    clock.set(wib(MON, 10))
    waiting = services.ticket_take(ticket=waiting, actor=agent)
    resolved = services.ticket_take(ticket=resolved, actor=agent)
    waiting = services.ticket_request_feedback(ticket=waiting, actor=agent, body="Kirim log.")
    services.ticket_resolve(ticket=resolved, actor=agent, body="Selesai.")
    # When the sweep runs past every original due time
    for moment in (wib(MON, 15, 30), wib(TUE, 9), wib(TUE, 16), wib(THU, 9)):
        result = sweep_at(clock, moment)
        # Then nothing is warned or breached
        assert (result.checked, result.warned, result.breached) == (0, 0, 0)
    assert notified() == []
    assert not TicketEvent.objects.filter(kind__in=SLA_EVENTS).exists()
    # When alice gives feedback on Thursday 10:00 (7 h left, warned when 1.6 h are left)
    clock.set(wib(THU, 10))
    services.ticket_give_feedback(ticket=waiting, actor=alice, body="Ini lognya.")
    # Then the warning comes at Thursday 15:24, not before
    assert sweep_at(clock, wib(THU, 15, 23)).warned == 0
    assert sweep_at(clock, wib(THU, 15, 24)).warned == 1
    [event] = sla_events(waiting)
    assert event.data["clock"] == "resolution"


def test_reporters_get_no_sla_notices_and_never_see_sla_or_internal_events(
    client: Client, clock: Clock, alice: User, agent: User, supervisor: User
) -> None:
    # Given alice's ticket with an internal note, swept past both due times
    ticket = filed_monday_9(alice, clock)
    clock.set(wib(MON, 9, 5))
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    services.ticket_add_note(ticket=ticket, actor=agent, body="Catatan rahasia petugas.")
    for moment in (wib(MON, 12, 12), wib(MON, 13), wib(MON, 15, 24), wib(TUE, 9)):
        sweep_at(clock, moment)
    assert len(sla_events(ticket)) == 4
    assert sla_notices().filter(recipient=agent).count() == 4
    # Then alice received no notification
    assert not sla_notices().filter(recipient=alice).exists()
    # When alice opens her ticket in the portal
    client.force_login(alice)
    response = client.get(ticket.get_absolute_url())
    # Then its history shows the public events only
    assert response.status_code == 200
    body = response.content.decode()
    assert "event--created" in body
    assert "event--taken" in body
    for hidden in ("event--sla_warned", "event--sla_breached", "event--noted"):
        assert hidden not in body
    for text in ("Peringatan SLA", "SLA terlampaui", "Catatan rahasia petugas."):
        assert text not in body


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_warn_each_recipient_once(
    clock: Clock,
    alice: User,
    agent: User,
    agent_119_b: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given an unheld ticket whose response warning is due
    ticket = filed_monday_9(alice, clock)
    clock.set(wib(MON, 12, 12))
    # And two sweeps that have both read it as not yet warned before either claims it
    # (each thread has its own database connection, as two machines would)
    both_read = threading.Barrier(2)
    record = sla_services._record

    def record_after_both_read(row: dict[str, Any], clock_name: str, **kwargs: Any) -> int:
        both_read.wait(timeout=10)
        return record(row, clock_name, **kwargs)

    monkeypatch.setattr(sla_services, "_record", record_after_both_read)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(sla_sweep())
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
    # Then exactly one of them warned: one event, one notification per agent
    assert errors == []
    assert sorted(result.warned for result in results) == [0, 1]
    assert len(sla_events(ticket)) == 1
    assert notified() == [
        ("agent_119", NotificationKind.SLA_WARNING),
        ("agent_119_b", NotificationKind.SLA_WARNING),
    ]


def test_the_sla_sweep_command_prints_its_counts(clock: Clock, alice: User, agent: User) -> None:
    # Given one running ticket, filed Monday 09:00
    filed_monday_9(alice, clock)

    def command(moment: datetime.datetime, verbosity: int) -> str:
        clock.set(moment)
        out = io.StringIO()
        call_command("sla_sweep", verbosity=verbosity, stdout=out)
        return out.getvalue()

    # When the command runs at 10:00 with nothing to report
    # Then it is silent, unless asked for its counts with verbosity 2
    assert command(wib(MON, 10), verbosity=1) == ""
    assert command(wib(MON, 10), verbosity=2) == (
        "SLA: 1 tiket diperiksa, 0 dihitung ulang, 0 peringatan, 0 pelanggaran.\n"
    )
    # When it runs at 12:12 and at 13:00
    # Then it reports the warning and the breach it recorded
    assert command(wib(MON, 12, 12), verbosity=1) == (
        "SLA: 1 tiket diperiksa, 0 dihitung ulang, 1 peringatan, 0 pelanggaran.\n"
    )
    assert command(wib(MON, 13), verbosity=2) == (
        "SLA: 1 tiket diperiksa, 0 dihitung ulang, 0 peringatan, 1 pelanggaran.\n"
    )
    assert sla_notices().filter(recipient=agent).count() == 2


def test_a_holder_who_also_supervises_the_lpse_gets_one_breach_notice(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given `agent` also supervises LPSE 119 and holds a Major ticket of it
    staff_member_upsert(
        username=agent.username,
        full_name=agent.full_name,
        email=agent.email,
        assignments=[("supervisor", 119, None, "")],
    )
    ticket = filed_monday_9(alice, clock)
    services.ticket_take(ticket=ticket, actor=agent)
    # When the response breach is recorded
    sweep_at(clock, wib(MON, 13))
    # Then the agent is told once, not once per role
    assert notified() == [("agent_119", NotificationKind.SLA_BREACH)]


def test_a_retried_action_after_a_sla_event_is_still_recognised_as_already_applied(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given `agent` takes a ticket from a page showing revision 0 at 12:11
    ticket = filed_monday_9(alice, clock)
    seen = ticket.revision
    clock.set(wib(MON, 12, 11))
    services.ticket_take(ticket=ticket, actor=agent, revision=seen)
    # And the sweep records the response warning at 12:12
    assert sweep_at(clock, wib(MON, 12, 12)).warned == 1
    # When the same take arrives again (a retried or double-clicked submission)
    again = services.ticket_take(ticket=ticket, actor=agent, revision=seen)
    # Then it is harmless, as it is without the sweep's event in between
    assert again.holder == agent
    assert again.events.filter(kind=EventKind.TAKEN).count() == 1
