"""The report facts (tickets/facts.py): kept by the services, equal to a rebuild, and
right about what they say, checked against the tickets' own history."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from reference.models import Lpse
from sla.clocks import ClockState
from tickets import services
from tickets.facts import UPDATE_FIELDS, ticket_facts_rebuild, ticket_facts_refresh
from tickets.models import EventKind, Status, Ticket, TicketFact
from tickets.queues import ConsoleFilters, console_list
from tickets.tests.factories import make_ticket
from tickets.ticket_sla import sla_sweep, ticket_clocks_now

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")
# A Monday in working hours, far from holidays.
MONDAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=WIB)


def at(hours: float) -> datetime.datetime:
    return MONDAY + datetime.timedelta(hours=hours)


def fact_of(ticket: Ticket) -> dict[str, object]:
    return TicketFact.objects.filter(pk=ticket.pk).values(*UPDATE_FIELDS).get()


@pytest.fixture
def walked(alice, agent, lkpp_spse, teknis_spse):
    """A ticket through three tiers, a return, a reopen, closed and rated."""
    t = make_ticket(alice, now=at(0))
    t = services.ticket_take(ticket=t, actor=agent, now=at(1))
    t = services.ticket_reply(ticket=t, actor=agent, body="Kami cek.", now=at(2))
    t = services.ticket_escalate(ticket=t, actor=agent, note="Perlu LKPP.", now=at(3))
    t = services.ticket_take(ticket=t, actor=lkpp_spse, now=at(4))
    t = services.ticket_escalate(ticket=t, actor=lkpp_spse, note="Bug.", now=at(5))
    t = services.ticket_take(ticket=t, actor=teknis_spse, now=at(5.5))
    t = services.ticket_return(ticket=t, actor=teknis_spse, note="Bukan bug.", now=at(6))
    t = services.ticket_take(ticket=t, actor=lkpp_spse, now=at(7))
    t = services.ticket_resolve(ticket=t, actor=lkpp_spse, body="Selesai.", now=at(8))
    t = services.ticket_reopen(ticket=t, actor=alice, body="Belum.", now=at(9))
    t = services.ticket_resolve(ticket=t, actor=lkpp_spse, body="Sudah.", now=at(10))
    t = services.ticket_confirm(ticket=t, actor=alice, now=at(11))
    services.ticket_rate(
        ticket=t,
        actor=alice,
        stars=4,
        categories=services.rating_categories_for(4)[:1],
        comment="",
        now=at(12),
    )
    return Ticket.objects.get(pk=t.pk)


def test_every_action_keeps_the_fact_and_it_tells_the_history(
    walked, agent, lkpp_spse, teknis_spse
):
    fact = fact_of(walked)
    assert fact["status"] == Status.CLOSED
    assert (fact["tier"], fact["max_tier"]) == (2, 3)
    assert (fact["escalation_count"], fact["return_count"]) == (2, 1)
    assert (fact["reopen_count"], fact["reopened_at"]) == (1, at(9))
    assert (fact["reached_tier2_at"], fact["reached_tier3_at"]) == (at(3), at(5))
    # Tier 1 from 0 to 3 h, tier 2 from 3 to 5 and from 6 to 11 (closed), tier 3 from 5 to 6.
    assert (fact["tier1_seconds"], fact["tier2_seconds"], fact["tier3_seconds"]) == (
        3 * 3600, 7 * 3600, 3600,
    )  # fmt: skip
    assert fact["tier_since"] is None
    assert (fact["holder_tier1"], fact["holder_tier2"], fact["holder_tier3"]) == (
        agent.pk, lkpp_spse.pk, teknis_spse.pk,
    )  # fmt: skip
    # The first public staff message, the first resolution (not the last), the rating.
    assert (fact["first_response_at"], fact["first_responder"]) == (at(2), agent.pk)
    assert (fact["resolved_at"], fact["resolved_by"]) == (at(8), lkpp_spse.pk)
    assert (fact["rating_stars"], fact["rated_at"]) == (4, at(12))
    assert (fact["closed_at"], fact["closed_day"]) == (at(11), datetime.date(2026, 3, 2))
    # The clocks' verdicts and the working time they counted, as the ticket page says.
    clocks = ticket_clocks_now(walked)
    assert fact["response_state"] == clocks.response.state == ClockState.MET
    assert fact["response_seconds"] == (clocks.response.target - clocks.response.remaining).seconds
    assert fact["resolution_state"] == clocks.resolution.state
    assert fact["resolution_seconds"] == round(
        (clocks.resolution.target - clocks.resolution.remaining).total_seconds()
    )
    # As many event kinds as the story has, each written once.
    assert walked.events.filter(kind=EventKind.ESCALATED).count() == 2


def test_a_rebuild_writes_the_same_rows(walked, alice):
    other = make_ticket(alice, now=at(1))
    # The sweep has recorded what the running clock of `other` did meanwhile
    sla_sweep(now=at(12))
    kept = {t.pk: fact_of(t) for t in (walked, other)}
    TicketFact.objects.all().delete()
    # Rebuilt at that time, the rows are the same
    assert list(ticket_facts_rebuild(now=at(12), chunk_size=1)) == [1, 2]
    for pk, fact in kept.items():
        rebuilt = TicketFact.objects.filter(pk=pk).values(*UPDATE_FIELDS).get()
        assert {**rebuilt, "refreshed_at": None} == {**fact, "refreshed_at": None}


def test_a_ticket_counts_on_its_own_lpse_local_day(alice):
    # Given a ticket filed at 23:30 WIT on Monday (21:30 WIB, 20:30 WITA)
    jayapura = Lpse.objects.get(kd_lpse=93)
    filed = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=WIT)
    ticket = make_ticket(alice, lpse=jayapura, code="", now=filed)
    assert ticket.lpse == jayapura
    # Then it belongs to that Monday, for everybody
    assert fact_of(ticket)["created_day"] == datetime.date(2026, 3, 2)
    # And one filed at 00:30 WIT on Tuesday (still Monday 22:30 in Jakarta) to Tuesday
    later = make_ticket(alice, lpse=jayapura, code="", now=filed + datetime.timedelta(hours=1))
    assert fact_of(later)["created_day"] == datetime.date(2026, 3, 3)


def test_the_sweep_records_a_breach_in_the_fact(alice):
    ticket = make_ticket(alice, now=at(0))
    assert fact_of(ticket)["response_state"] == ClockState.RUNNING
    # When the sweep runs a week later, past both due times
    sla_sweep(now=at(24 * 7))
    fact = fact_of(ticket)
    assert (fact["response_state"], fact["resolution_state"]) == (
        ClockState.BREACHED, ClockState.BREACHED,
    )  # fmt: skip
    assert fact["response_seconds"] is None
    assert fact["tier_since"] == at(0)


def test_facts_are_computed_with_the_calendar_the_pages_use(alice, agent):
    ticket = make_ticket(alice, now=at(0))
    ticket = services.ticket_reply(
        ticket=services.ticket_take(ticket=ticket, actor=agent, now=at(0.5)),
        actor=agent,
        body="Halo.",
        now=at(1.25),
    )
    # 1 h 15 min of working time on a Monday morning
    assert fact_of(ticket)["response_seconds"] == 4500


def test_an_ended_clock_counts_its_stored_verdict(walked):
    # Given a closed ticket whose stored resolution verdict differs from what the clocks
    # compute today (as after an admin shortened the target once it had ended)
    assert ticket_clocks_now(walked).resolution.state == ClockState.MET
    counted = fact_of(walked)["resolution_seconds"]
    Ticket.objects.filter(pk=walked.pk).update(resolution_outcome=ClockState.MISSED)
    # When its fact is written again
    ticket_facts_refresh([walked.pk], now=at(13))
    # Then the fact says what the ticket stores, which is what the console's SLA filter
    # (the list a report's number links to) selects; the working time is still counted
    fact = fact_of(walked)
    assert fact["resolution_state"] == ClockState.MISSED
    assert fact["resolution_seconds"] == counted
    assert isinstance(counted, int) and counted > 0
    listed = console_list(Ticket.objects.all(), ConsoleFilters(sla="terlampaui"), now=at(13))
    assert [t.pk for t in listed] == [walked.pk]
    # And with no verdict stored (closed before they were), the clocks' verdict counts
    Ticket.objects.filter(pk=walked.pk).update(response_outcome="", resolution_outcome="")
    ticket_facts_refresh([walked.pk], now=at(13))
    fact = fact_of(walked)
    assert (fact["response_state"], fact["resolution_state"]) == (ClockState.MET, ClockState.MET)


def test_a_new_ticket_s_fact_is_the_one_a_refresh_computes(alice, reference):
    # Given tickets just filed (the fact written from the objects in hand), one of them
    # with a code the source validated and a higher priority
    tickets = [
        make_ticket(alice, now=at(0)),
        make_ticket(alice, code="", now=at(0.5)),
        make_ticket(alice, lpse=Lpse.objects.get(kd_lpse=93), code="", now=at(1)),
    ]
    written = {t.pk: fact_of(t) for t in tickets}
    # When their facts are computed again from the database, at the same moments
    for ticket in tickets:
        ticket_facts_refresh([ticket.pk], now=ticket.created_at)
    # Then every column is the same
    for pk, fact in written.items():
        again = TicketFact.objects.filter(pk=pk).values(*UPDATE_FIELDS).get()
        assert {**again, "refreshed_at": None} == {**fact, "refreshed_at": None}
