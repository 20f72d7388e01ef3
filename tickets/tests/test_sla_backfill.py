"""`backfill_sla_outcomes` (issue 17): tickets whose clocks ended before the verdicts
were stored get exactly what the services store, their facts follow, and the console's
SLA filter finds them."""

import datetime
import io

import pytest
from django.core.management import call_command

from sla.calendars import CalendarBook
from sla.clocks import ClockState, clock_outcomes
from tickets.models import Ticket, TicketFact
from tickets.queues import ConsoleFilters, console_list
from tickets.synthetic import SyntheticRun
from tickets.ticket_sla import clock_input, sla_outcomes_backfill

END = datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC)
OUTCOMES = ("number", "response_outcome", "resolution_outcome")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def generated(db, reference) -> dict[str, tuple[str, str]]:
    """400 generated tickets (their verdicts stored as the services store them), then
    every verdict blanked, as for tickets closed before migration 0017."""
    for _written in SyntheticRun(tickets=400, seed=5, end=END, days=60, batch=150).batches():
        pass
    stored = {row[0]: row[1:] for row in Ticket.objects.values_list(*OUTCOMES)}
    Ticket.objects.update(response_outcome="", resolution_outcome="")
    return stored


def _outcomes() -> dict[str, tuple[str, str]]:
    return {row[0]: row[1:] for row in Ticket.objects.values_list(*OUTCOMES)}


def _missed() -> set[str]:
    listed = console_list(Ticket.objects.all(), ConsoleFilters(sla="terlampaui"), now=END)
    return {ticket.number for ticket in listed}


def test_blank_verdicts_get_what_the_clocks_give(generated, django_assert_max_num_queries):
    assert _missed() == set()
    # When the backfill runs in batches of 100
    with django_assert_max_num_queries(60):
        result = sla_outcomes_backfill(batch_size=100)
    # Then every verdict is the one stored at generation, and a fresh computation agrees
    assert _outcomes() == generated
    book = CalendarBook.load()
    for ticket in Ticket.objects.select_related("lpse"):
        fresh = clock_outcomes(clock_input(ticket), book)
        assert (ticket.response_outcome, ticket.resolution_outcome) == (
            fresh["response_outcome"],
            fresh["resolution_outcome"],
        )
    filled = [v for v in generated.values() if any(v)]
    assert result.updated == len(filled) > 100
    assert result.filled[("resolution", ClockState.MISSED)] > 0
    assert sum(result.filled.values()) == sum(bool(x) for v in generated.values() for x in v)
    # ... their facts were refreshed and say the same
    assert TicketFact.objects.filter(refreshed_at__gt=END).count() == result.updated
    facts = TicketFact.objects.values_list("ticket__number", "response_state", "resolution_state")
    for number, response, resolution in facts:
        stored = generated[number]
        assert response == (stored[0] or response) and resolution == (stored[1] or resolution)
    # ... and the console's SLA filter finds the missed ones
    missed = {n for n, v in generated.items() if ClockState.MISSED in v}
    assert missed and _missed() == missed


def test_a_second_run_and_a_dry_run_change_nothing(generated):
    # Given a dry run: it counts but writes nothing
    dry = io.StringIO()
    call_command("backfill_sla_outcomes", dry_run=True, stdout=dry)
    assert set(_outcomes().values()) == {("", "")}
    assert not TicketFact.objects.filter(refreshed_at__gt=END).exists()
    # When it runs for real, then again
    first, second = io.StringIO(), io.StringIO()
    call_command("backfill_sla_outcomes", batch_size=77, stdout=first)
    after_first = _outcomes()
    stamps = dict(TicketFact.objects.values_list("ticket", "refreshed_at"))
    call_command("backfill_sla_outcomes", stdout=second)
    # Then the dry run announced what the first run did, and the second found nothing
    count = sum(any(v) for v in generated.values())
    assert f"akan diisi: {count}." in dry.getvalue()
    assert f"diisi: {count}." in first.getvalue()
    assert dry.getvalue().splitlines()[1:] == first.getvalue().splitlines()[1:]
    assert "Tiket dengan verdict kosong: 0; diisi: 0." in second.getvalue()
    assert _outcomes() == after_first == generated
    assert dict(TicketFact.objects.values_list("ticket", "refreshed_at")) == stamps


def test_a_stored_verdict_is_never_changed(generated):
    # Given one ticket whose resolution verdict is stored and differs from the clocks'
    closed = next(n for n, v in generated.items() if v[1] == ClockState.MET)
    Ticket.objects.filter(number=closed).update(resolution_outcome=ClockState.ENDED)
    # When the backfill runs
    sla_outcomes_backfill()
    # Then that verdict stays; its blank response verdict is filled
    assert _outcomes()[closed] == (generated[closed][0], ClockState.ENDED)
