"""Generated tickets are consistent with the lifecycle and the SLA clocks (issue 14).

2,000 tickets from `tickets/synthetic/` are checked against the code the app runs, not
against rules restated here: each history replays to the ticket's status through
`TRANSITIONS` (as the property test replays real tickets), each event kind is the one
the services record for its action, the pauses and the first response are what the
clock functions make of the history, and the SLA columns are what the clocks compute
from the ticket's clock input at the end of the period (a sweep then finds nothing to
recompute, warn or breach).
"""

import datetime
from collections import Counter
from collections.abc import Iterator

import pytest

from lib.sla import Pause
from sla.calendars import CalendarBook
from sla.clocks import ClockState, pauses_after_transition, pauses_from_json, ticket_clocks
from testsupport.dataset import committed_for_module
from tickets.lifecycle import EVENT_OF_ACTION
from tickets.models import (
    OPEN_STATUSES,
    CloseReason,
    EventKind,
    Message,
    Rating,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.synthetic import SyntheticRun
from tickets.tests.history import NON_REVISION_EVENTS, replayed_status
from tickets.ticket_sla import RESPONSE_MESSAGE_KINDS, clock_input, sla_sweep

N = 2000
END = datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC)
RUNNING = (Status.NEW, Status.IN_PROGRESS)


def _generate() -> None:
    # Given 2,000 generated tickets over 60 days (so that many are still open)
    # (a seed whose 2,000 tickets include a response clock at risk at the end)
    run = SyntheticRun(tickets=N, seed=12, end=END, days=60, batch=500)
    for _written in run.batches():
        pass


@pytest.fixture(scope="module")
def generated_once(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Written once for the module's tests, which only read them (testsupport/dataset.py)."""
    yield from committed_for_module(django_db_blocker, _generate)


@pytest.fixture
def tickets(generated_once, db, reference) -> list[Ticket]:
    return list(
        Ticket.objects.select_related("lpse").prefetch_related("events", "messages").order_by("id")
    )


def replayed_pauses(events: list[TicketEvent]) -> tuple[Pause, ...]:
    pauses: tuple[Pause, ...] = ()
    for event in events:
        if event.to_status and event.from_status:
            before, after, at = event.from_status, event.to_status, event.created_at
            pauses = pauses_after_transition(pauses, from_status=before, to_status=after, at=at)
    return pauses


def test_every_history_replays_to_its_status(tickets):
    merge_targets = set(
        TicketEvent.objects.filter(kind=EventKind.MERGE_TARGET).values_list("ticket_id", flat=True)
    )
    statuses = Counter(t.status for t in tickets)
    # (every status is reached, so the replay is not vacuous)
    assert set(statuses) == set(Status.values), statuses
    for ticket in tickets:
        events = list(ticket.events.all())
        assert events[0].kind == EventKind.CREATED
        # Then the history leads to the status through the lifecycle's transitions, each
        # event being the one the services record for an action the status allowed
        assert replayed_status(events) == ticket.status, ticket.number
        kinds = {e.kind for e in events[1:]}
        assert kinds <= set(EVENT_OF_ACTION.values()) | {EventKind.MERGE_TARGET}
        assert ticket.reopen_count == sum(e.kind == EventKind.REOPENED for e in events)
        if ticket.pk not in merge_targets:  # (the target's revision is not moved by a merge)
            changes = [e for e in events if e.kind not in NON_REVISION_EVENTS]
            assert [e.data["revision"] for e in changes] == list(range(1, len(changes) + 1))
            assert ticket.revision == len(changes)


def test_events_point_at_their_messages_and_closings_match(tickets):
    messages = {m.pk: m for m in Message.objects.all()}
    rated = set(Rating.objects.values_list("ticket_id", flat=True))
    for ticket in tickets:
        for event in ticket.events.all():
            if "message" in event.data:
                message = messages[event.data["message"]]
                assert message.ticket_id == ticket.pk
                assert (message.author_id, message.created_at) == (event.actor_id, event.created_at)
        is_open = ticket.status in OPEN_STATUSES
        assert is_open == (ticket.close_reason == "") == (ticket.closed_at is None)
        assert (ticket.status == Status.FORCE_CLOSED) == (
            ticket.close_reason == CloseReason.FORCE_CLOSED
        )
        assert (ticket.merged_into_id is not None) == (ticket.close_reason == CloseReason.MERGED)
        if ticket.pk in rated:
            assert ticket.close_reason in (CloseReason.CONFIRMED, CloseReason.FORCE_CLOSED)


def test_pauses_and_first_response_follow_the_history(tickets):
    paused = 0
    for ticket in tickets:
        events = list(ticket.events.all())
        # Then the pauses are what the clock function makes of the status changes
        stored = pauses_from_json(ticket.sla_pauses)
        assert stored == replayed_pauses(events), ticket.number
        paused += bool(stored)
        # And the first response is the first public staff message the clocks count
        responses = [
            m
            for m in ticket.messages.all()
            if not m.is_internal and m.kind in RESPONSE_MESSAGE_KINDS
        ]
        first = min((m.created_at for m in responses), default=None)
        assert ticket.first_response_at == first, ticket.number
    assert paused > N / 2


def test_sla_columns_are_the_clocks_at_the_end_of_the_period(tickets):
    book = CalendarBook.load()
    states: Counter[str] = Counter()
    for ticket in tickets:
        clocks = ticket_clocks(clock_input(ticket), book, END)
        # Then the due times are the clocks' from the ticket's clock input
        for name, value in (("response", clocks.response), ("resolution", clocks.resolution)):
            due = getattr(ticket, f"{name}_due_at")
            warned = getattr(ticket, f"{name}_warned_at")
            breached = getattr(ticket, f"{name}_breached_at")
            assert (due, getattr(ticket, f"{name}_warn_at")) == (value.due_at, value.warn_at)
            # And what had fallen due (or at risk) by the end was recorded as the sweep does
            running = value.due_at is not None
            states[f"{name}:{value.state}"] += running
            assert (breached is not None) == (running and value.state == ClockState.BREACHED)
            assert (warned is not None) == (
                running and value.state in (ClockState.AT_RISK, ClockState.BREACHED)
            )
        dues = [d for d in (ticket.response_due_at, ticket.resolution_due_at) if d]
        assert ticket.next_due_at == (min(dues) if dues else None)
    assert states["resolution:breached"] and states["resolution:running"], states
    assert states["response:breached"] and states["response:at_risk"], states
    # And a sweep at the end finds nothing left to do
    result = sla_sweep(now=END)
    assert result.checked == sum(t.status in RUNNING for t in tickets)
    assert (result.recomputed, result.warned, result.breached) == (0, 0, 0)
