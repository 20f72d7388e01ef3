"""The report facts of tickets (`TicketFact`): one narrow row per ticket, kept current.

`fact_values` computes a row from plain values (the ticket's columns, its events in
order, its rating), so that the services, the rebuild and the synthetic generator (which
has the rows in memory and no tickets to read back) compute it the same way.
`ticket_facts_refresh` reads what it needs for some tickets and writes their rows in one
statement; the services call it in the transaction of every change, the SLA sweep when it
records a warning or a breach. `ticket_facts_rebuild` writes every row again.

What a row holds and why is told on the model (tickets/models.py).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from sla.calendars import CalendarBook
from sla.clocks import ClockInput, ClockReading, ClockState, pauses_from_json, ticket_clocks
from tickets.models import EventKind, Rating, Ticket, TicketEvent, TicketFact

# The ticket columns a fact is computed from (plus `lpse__timezone`).
TICKET_FIELDS = (
    "id",
    "lpse_id",
    "application_id",
    "category_id",
    "ticket_type_id",
    "reporter_role",
    "priority",
    "status",
    "tier",
    "max_tier",
    "created_at",
    "first_response_at",
    "closed_at",
    "close_reason",
    "sla_pauses",
    "reopen_count",
    "code_kind",
    "code",
    "response_outcome",
    "resolution_outcome",
)
EVENT_FIELDS = ("ticket_id", "kind", "actor_id", "created_at", "data")

# Staff events that post the public message which ends the response clock.
_RESPONSE_EVENTS = frozenset({EventKind.REPLIED, EventKind.FEEDBACK_REQUESTED, EventKind.RESOLVED})
_HOLDER_EVENTS = frozenset({EventKind.TAKEN, EventKind.ASSIGNED})

# Every column but the key: what an upsert replaces.
UPDATE_FIELDS = tuple(
    field.name
    for field in TicketFact._meta.concrete_fields
    if not field.primary_key and field.name != "ticket"
)


def _local_day(moment: datetime.datetime | None, zone: ZoneInfo) -> datetime.date | None:
    return moment.astimezone(zone).date() if moment is not None else None


def _state(stored: str, reading: ClockReading) -> str:
    """A clock's state in the facts: the ticket's stored verdict once it has ended (the
    one `sla.clocks.clock_outcomes` gave when it ended, which the console's SLA filter
    selects, so a report's number and the list it links to agree), else what it reads
    now: running, at risk, breached, paused, or, for a clock that ended before verdicts
    were stored (see `backfill_sla_outcomes`), the same verdict computed again."""
    return stored or reading.state.value


def _ended_seconds(state: str, reading: ClockReading) -> int | None:
    """Working seconds the clock counted, once it has ended met or missed."""
    if reading.ended_at is None or state not in (ClockState.MET, ClockState.MISSED):
        return None
    return max(0, round((reading.target - reading.remaining).total_seconds()))


def fact_values(
    ticket: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    rating: Mapping[str, Any] | None,
    *,
    tz_name: str,
    book: CalendarBook,
    now: datetime.datetime,
) -> dict[str, Any]:
    """The fact row of one ticket (field names of `TicketFact`, `ticket_id` included).

    `ticket`: the columns of TICKET_FIELDS; `events`: its events in the order they
    happened (kind, actor_id, created_at, data); `rating`: stars and created_at, or None.
    """
    zone = ZoneInfo(tz_name)
    created_at: datetime.datetime = ticket["created_at"]
    closed_at: datetime.datetime | None = ticket["closed_at"]
    status = ticket["status"]
    pauses = ticket["sla_pauses"]
    clocks = ticket_clocks(
        ClockInput(
            created_at=created_at,
            lpse_id=ticket["lpse_id"],
            tz_name=tz_name,
            priority=ticket["priority"],
            status=status,
            close_reason=ticket["close_reason"],
            first_response_at=ticket["first_response_at"],
            closed_at=closed_at,
            pauses=pauses if isinstance(pauses, tuple) else pauses_from_json(pauses),
        ),
        book,
        now,
    )
    first_responder = resolved_by = None
    resolved_at: datetime.datetime | None = None
    reopened_at: datetime.datetime | None = None
    escalations = returns = 0
    reached: dict[int, datetime.datetime] = {}
    holders: dict[int, int | None] = {}
    stays = {1: 0.0, 2: 0.0, 3: 0.0}
    tier, since = 1, created_at
    for event in events:
        kind, at, data = event["kind"], event["created_at"], event["data"] or {}
        if kind in _RESPONSE_EVENTS and first_responder is None:
            first_responder = event["actor_id"]
        if kind == EventKind.RESOLVED and resolved_at is None:
            resolved_at, resolved_by = at, event["actor_id"]
        if kind == EventKind.REOPENED and reopened_at is None:
            reopened_at = at
        if kind in _HOLDER_EVENTS and tier not in holders:
            holders[tier] = data.get("holder", event["actor_id"])
        if "to_tier" in data:
            escalations += kind == EventKind.ESCALATED
            returns += kind == EventKind.RETURNED
            stays[tier] += (at - since).total_seconds()
            tier, since = int(data["to_tier"]), at
            reached.setdefault(tier, at)
    if closed_at is not None:
        stays[tier] += max(0.0, (closed_at - since).total_seconds())
    response_state = _state(ticket["response_outcome"], clocks.response)
    resolution_state = _state(ticket["resolution_outcome"], clocks.resolution)
    return {
        "ticket_id": ticket["id"],
        "lpse_id": ticket["lpse_id"],
        "application_id": ticket["application_id"],
        "category_id": ticket["category_id"],
        "ticket_type_id": ticket["ticket_type_id"],
        "reporter_role": ticket["reporter_role"],
        "priority": ticket["priority"],
        "status": status,
        "tier": ticket["tier"],
        "max_tier": ticket["max_tier"],
        "created_at": created_at,
        "created_day": _local_day(created_at, zone),
        "first_response_at": ticket["first_response_at"],
        "first_responder_id": first_responder,
        "response_state": response_state,
        "response_seconds": _ended_seconds(response_state, clocks.response),
        "resolution_state": resolution_state,
        "resolution_seconds": _ended_seconds(resolution_state, clocks.resolution),
        "resolved_at": resolved_at,
        "resolved_day": _local_day(resolved_at, zone),
        "resolved_by_id": resolved_by,
        "closed_at": closed_at,
        "closed_day": _local_day(closed_at, zone),
        "close_reason": ticket["close_reason"],
        "reopen_count": ticket["reopen_count"],
        "reopened_at": reopened_at,
        "reopened_day": _local_day(reopened_at, zone),
        "escalation_count": escalations,
        "return_count": returns,
        "reached_tier2_at": reached.get(2),
        "reached_tier3_at": reached.get(3),
        "tier1_seconds": round(stays[1]),
        "tier2_seconds": round(stays[2]),
        "tier3_seconds": round(stays[3]),
        "tier_since": since if closed_at is None else None,
        "holder_tier1_id": holders.get(1),
        "holder_tier2_id": holders.get(2),
        "holder_tier3_id": holders.get(3),
        "rating_stars": rating["stars"] if rating else None,
        "rated_at": rating["created_at"] if rating else None,
        "code_kind": ticket["code_kind"],
        "code": ticket["code"],
        "refreshed_at": now,
    }


def facts_write(rows: Iterable[dict[str, Any]]) -> None:
    """Insert or replace fact rows in one statement."""
    facts = [TicketFact(**row) for row in rows]
    if facts:
        TicketFact.objects.bulk_create(
            facts, update_conflicts=True, unique_fields=["ticket"], update_fields=UPDATE_FIELDS
        )


def ticket_fact_write_new(
    ticket: Ticket, event: TicketEvent, *, now: datetime.datetime, book: CalendarBook | None = None
) -> None:
    """Write the fact row of a ticket just filed, from the objects in hand: its only event
    is `event` and it has no rating, so nothing needs to be read back (one statement;
    `ticket_facts_refresh` computes the same row from the database)."""
    values = {name: getattr(ticket, name) for name in TICKET_FIELDS}
    events = [{name: getattr(event, name) for name in EVENT_FIELDS}]
    facts_write(
        [
            fact_values(
                values,
                events,
                None,
                tz_name=ticket.lpse.timezone,
                book=book or CalendarBook.current(),
                now=now,
            )
        ]
    )


def ticket_facts_refresh(
    ticket_ids: Iterable[int],
    *,
    now: datetime.datetime | None = None,
    book: CalendarBook | None = None,
) -> int:
    """Compute and write the fact rows of these tickets (four statements in all)."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    now = now or timezone.now()
    book = book or CalendarBook.current()
    tickets = Ticket.objects.filter(pk__in=ids).order_by().values(*TICKET_FIELDS, "lpse__timezone")
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in (
        TicketEvent.objects.filter(ticket_id__in=ids)
        .order_by("ticket_id", "created_at", "id")
        .values(*EVENT_FIELDS)
    ):
        events[event["ticket_id"]].append(event)
    rated = Rating.objects.filter(ticket_id__in=ids).values("ticket_id", "stars", "created_at")
    ratings = {row["ticket_id"]: row for row in rated}
    rows = [
        fact_values(
            ticket,
            events[ticket["id"]],
            ratings.get(ticket["id"]),
            tz_name=ticket["lpse__timezone"],
            book=book,
            now=now,
        )
        for ticket in tickets
    ]
    facts_write(rows)
    return len(rows)


def _id_chunks(chunk_size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(
            Ticket.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def ticket_facts_rebuild(
    *, now: datetime.datetime | None = None, chunk_size: int = 2000
) -> Iterator[int]:
    """Write the fact row of every ticket again, chunk by chunk (each chunk its own
    statements, so a rebuild never holds a long transaction); yields the count so far."""
    now = now or timezone.now()
    book = CalendarBook.load()
    done = 0
    for ids in _id_chunks(chunk_size):
        done += ticket_facts_refresh(ids, now=now, book=book)
        yield done
