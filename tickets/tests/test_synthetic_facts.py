"""The generator writes each ticket's report fact (issue 17) exactly as the services'
`ticket_facts_refresh` computes it from the written rows, at the period's end."""

import datetime
import io

import pytest
from django.core.management import call_command

from sla.calendars import CalendarBook
from sla.clocks import ClockState, ticket_clocks
from tickets.facts import UPDATE_FIELDS, ticket_facts_refresh
from tickets.models import Ticket, TicketFact
from tickets.ticket_sla import clock_input

END = datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC)
COLUMNS = ("ticket", *(name for name in UPDATE_FIELDS if name != "refreshed_at"))


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def snapshot() -> dict[int, dict]:
    return {row["ticket"]: row for row in TicketFact.objects.values(*COLUMNS)}


def test_generated_facts_equal_a_refresh_at_the_same_moment(db, reference):
    out = io.StringIO()
    call_command(
        "generate_tickets", tickets=300, seed=7, batch=70, end="2026-01-15", stats=True, stdout=out
    )
    # --stats describes the data set from its facts
    assert "reached tier 2" in out.getvalue() and "rated" in out.getvalue()
    assert TicketFact.objects.count() == Ticket.objects.count() == 300
    generated = snapshot()
    assert all(row["refreshed_at"] == END for row in TicketFact.objects.values("refreshed_at"))
    # The stories reach every column worth comparing.
    rows = generated.values()
    assert any(r["reached_tier2_at"] for r in rows) and any(r["rating_stars"] for r in rows)
    assert any(r["reopened_at"] for r in rows) and any(r["resolved_by"] for r in rows)

    TicketFact.objects.all().delete()
    assert ticket_facts_refresh(Ticket.objects.values_list("pk", flat=True), now=END) == 300
    refreshed = snapshot()
    assert refreshed.keys() == generated.keys()
    for ticket_id, row in generated.items():
        assert row == refreshed[ticket_id], ticket_id


def test_stored_verdicts_facts_and_clocks_agree(db, reference):
    # Given a generated data set (many tickets still open at its end)
    call_command("generate_tickets", tickets=400, seed=11, batch=100, end="2026-01-15", days=60)
    book = CalendarBook.load()
    ended = {ClockState.MET, ClockState.MISSED, ClockState.ENDED}
    seen: set[str] = set()
    for ticket in Ticket.objects.select_related("lpse", "fact"):
        clocks = ticket_clocks(clock_input(ticket), book, END)
        for name in ("response", "resolution"):
            stored = getattr(ticket, f"{name}_outcome")
            state = getattr(ticket.fact, f"{name}_state")
            reading = getattr(clocks, name).state
            # Then a clock that has ended has its verdict stored, the fact counts that
            # verdict, and the clocks read the same; a running one has none stored and
            # the fact says how it runs (running, at risk, breached, paused)
            if reading in ended:
                assert stored == state == reading, (ticket.number, name)
            else:
                assert stored == "" and state == reading, (ticket.number, name)
            seen.add(state)
    assert {ClockState.MET, ClockState.MISSED, ClockState.RUNNING} <= seen
