"""The SLA of tickets: the clock columns kept current by every action, the periodic
sweep, and the readings pages show (the calendars and clock arithmetic are in `sla`).

Ticket actions call `ticket_sla_changes` inside their transaction, so a ticket's due
times always match its status, priority and pauses. `sla_sweep` (run every minute by
`manage.py sla_sweep`) recomputes the due times of every ticket whose clocks run (an
admin may have changed a holiday, the hours or a target), then warns and records
breaches. Each warning and breach is claimed by a conditional UPDATE, so several
machines sweeping at once produce it once.
"""

import datetime
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from lib.metrics import SLA_EVENTS
from lib.sla import Pause
from notifications.models import NotificationKind
from reference.models import Priority
from sla.calendars import CalendarBook
from sla.clocks import (
    ENDED_STATUSES,
    ClockInput,
    ClockReading,
    ClockState,
    TicketClocks,
    clock_outcomes,
    pauses_after_transition,
    pauses_from_json,
    pauses_to_json,
    sla_columns,
    ticket_clocks,
)
from tickets.access import staff_acting_on, supervisors_of, ticket_holder_on_duty
from tickets.facts import ticket_facts_refresh
from tickets.models import EventKind, MessageKind, Ticket, TicketEvent
from tickets.notify import ticket_notify

logger = logging.getLogger(__name__)

# Staff messages that the reporter reads: the first of them is the first response.
RESPONSE_MESSAGE_KINDS = frozenset(
    {MessageKind.REPLY, MessageKind.FEEDBACK_REQUEST, MessageKind.RESOLUTION}
)
RUNNING_STATUSES = ("new", "in_progress")


def clock_input(ticket: Ticket, **changes: Any) -> ClockInput:
    """The clocks' view of a ticket, with pending `changes` applied."""

    def value(name: str) -> Any:
        return changes[name] if name in changes else getattr(ticket, name)

    pauses = value("sla_pauses")
    return ClockInput(
        created_at=ticket.created_at,
        lpse_id=ticket.lpse_id,
        tz_name=ticket.lpse.timezone,
        priority=value("priority"),
        status=value("status"),
        close_reason=value("close_reason"),
        first_response_at=value("first_response_at"),
        closed_at=value("closed_at"),
        pauses=pauses if isinstance(pauses, tuple) else pauses_from_json(pauses),
    )


def clock_after_action(
    *,
    pauses: tuple[Pause, ...],
    first_response_at: datetime.datetime | None,
    from_status: str,
    to_status: str,
    at: datetime.datetime,
    response_message_kind: str | None = None,
) -> tuple[tuple[Pause, ...], datetime.datetime | None]:
    """The pauses and the first response once an action at `at` moves the ticket from one
    status to another and posts a public staff message of `response_message_kind`."""
    pauses = pauses_after_transition(pauses, from_status=from_status, to_status=to_status, at=at)
    if first_response_at is None and response_message_kind in RESPONSE_MESSAGE_KINDS:
        first_response_at = at
    return pauses, first_response_at


def ticket_sla_changes(
    *,
    ticket: Ticket,
    changes: dict[str, Any],
    now: datetime.datetime,
    response_message_kind: str | None = None,
    book: CalendarBook | None = None,
) -> dict[str, Any]:
    """The SLA columns after an action that applies `changes` to the (locked) ticket.

    `response_message_kind` is the kind of a public staff message the action posts.
    """
    sla: dict[str, Any] = {}
    old_pauses = pauses_from_json(ticket.sla_pauses)
    pauses, first_response_at = clock_after_action(
        pauses=old_pauses,
        first_response_at=ticket.first_response_at,
        from_status=ticket.status,
        to_status=changes.get("status", ticket.status),
        at=now,
        response_message_kind=response_message_kind,
    )
    if pauses != old_pauses:
        sla["sla_pauses"] = pauses_to_json(pauses)
    if first_response_at != ticket.first_response_at:
        sla["first_response_at"] = first_response_at
    merged = {**changes, **sla, "sla_pauses": pauses}
    clock = clock_input(ticket, **merged)
    book = book or CalendarBook.current()
    sla.update(sla_columns(clock, book))
    sla.update(clock_outcomes(clock, book))
    return sla


def ticket_clocks_now(ticket: Ticket, *, book: CalendarBook | None = None) -> TicketClocks:
    """Both clocks of a ticket as they stand now (for pages)."""
    return ticket_clocks(clock_input(ticket), book or CalendarBook.current(), timezone.now())


# --- The sweep ------------------------------------------------------------------------


@dataclass
class SweepResult:
    checked: int = 0
    recomputed: int = 0
    warned: int = 0
    breached: int = 0


_SWEEP_FIELDS = (
    "id",
    "number",
    "revision",
    "created_at",
    "lpse_id",
    "lpse__timezone",
    "priority",
    "status",
    "close_reason",
    "first_response_at",
    "closed_at",
    "sla_pauses",
    "response_warn_at",
    "response_due_at",
    "resolution_warn_at",
    "resolution_due_at",
    "next_due_at",
    "response_warned_at",
    "response_breached_at",
    "resolution_warned_at",
    "resolution_breached_at",
)
_DUE_FIELDS = (
    "response_warn_at",
    "response_due_at",
    "resolution_warn_at",
    "resolution_due_at",
    "next_due_at",
)


def sla_sweep(*, now: datetime.datetime | None = None, chunk_size: int = 2000) -> SweepResult:
    """Recompute running clocks, then warn at 20 % left and record breaches, once each;
    claims, events and notices are dated `now` (default: the current time)."""
    now = now or timezone.now()
    book = CalendarBook.load()
    result = SweepResult()
    rows = (
        Ticket.objects.filter(status__in=RUNNING_STATUSES)
        .order_by()
        .values(*_SWEEP_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        result.checked += 1
        dues = sla_columns(row_clock_input(row), book)
        if any(dues[name] != row[name] for name in _DUE_FIELDS):
            # Only if no action changed the ticket meanwhile; the next sweep sees it again.
            if Ticket.objects.filter(pk=row["id"], revision=row["revision"]).update(**dues):
                result.recomputed += 1
                row.update(dues)
            else:
                continue
        for clock in ("response", "resolution"):
            due, warn = row[f"{clock}_due_at"], row[f"{clock}_warn_at"]
            if due is not None and due <= now and row[f"{clock}_breached_at"] is None:
                result.breached += _record(row, clock, breach=True, now=now, book=book)
            elif (
                warn is not None
                and warn <= now
                and row[f"{clock}_warned_at"] is None
                and row[f"{clock}_breached_at"] is None
            ):
                result.warned += _record(row, clock, breach=False, now=now, book=book)
    return result


def row_clock_input(row: dict[str, Any]) -> ClockInput:
    """The clocks' view of a ticket read as a row of values (with `lpse__timezone`)."""
    return ClockInput(
        created_at=row["created_at"],
        lpse_id=row["lpse_id"],
        tz_name=row["lpse__timezone"],
        priority=row["priority"],
        status=row["status"],
        close_reason=row["close_reason"],
        first_response_at=row["first_response_at"],
        closed_at=row["closed_at"],
        pauses=pauses_from_json(row["sla_pauses"]),
    )


# --- Verdicts of clocks that ended before they were stored ----------------------------

# Tickets whose clock has ended but whose verdict is blank: closed before migration 0017
# added the columns, or written by hand. `clock_outcomes` gives every ended clock a
# verdict, so once filled a ticket no longer matches (a second run finds nothing).
_BLANK_VERDICT = (
    Q(response_outcome="") & (Q(first_response_at__isnull=False) | Q(status__in=ENDED_STATUSES))
) | Q(resolution_outcome="", status__in=ENDED_STATUSES)
_OUTCOME_FIELDS = ("response_outcome", "resolution_outcome")


@dataclass
class BackfillResult:
    checked: int = 0
    updated: int = 0
    # Verdicts filled, per clock ("response", "resolution") and verdict ("met", …).
    filled: Counter[tuple[str, str]] = field(default_factory=Counter)


def sla_outcomes_backfill(*, batch_size: int = 2000, dry_run: bool = False) -> BackfillResult:
    """Fill the blank verdicts of ended clocks with `clock_outcomes` (what every action
    stores) and refresh those tickets' report facts; `dry_run` counts without writing.

    Batches are keyset by id, each locked, written and its facts refreshed in its own
    short transaction; a verdict already stored is never changed.
    """
    book = CalendarBook.load()
    result = BackfillResult()
    last = 0
    while True:
        ids = list(
            Ticket.objects.filter(_BLANK_VERDICT, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return result
        last = ids[-1]
        with transaction.atomic():
            rows = Ticket.objects.filter(_BLANK_VERDICT, pk__in=ids).order_by("pk")
            if not dry_run:
                # An action meanwhile stores its own verdicts: the lock makes it wait.
                rows = rows.select_for_update(of=("self",))
            changed = []
            for row in rows.values(*_SWEEP_FIELDS, *_OUTCOME_FIELDS):
                result.checked += 1
                outcomes = clock_outcomes(row_clock_input(row), book)
                fills = {name: value for name, value in outcomes.items() if value and not row[name]}
                if not fills:
                    continue
                for name, value in fills.items():
                    result.filled[(name.removesuffix("_outcome"), value)] += 1
                changed.append(Ticket(pk=row["id"], **{n: row[n] for n in _OUTCOME_FIELDS} | fills))
            result.updated += len(changed)
            if changed and not dry_run:
                Ticket.objects.bulk_update(changed, _OUTCOME_FIELDS)
                ticket_facts_refresh([ticket.pk for ticket in changed], book=book)


def _record(
    row: dict[str, Any], clock: str, *, breach: bool, now: datetime.datetime, book: CalendarBook
) -> int:
    """Claim the warning or breach of one clock; the claimer writes event and notices."""
    flag = f"{clock}_breached_at" if breach else f"{clock}_warned_at"
    claim: dict[str, Any] = {flag: now}
    if breach and row[f"{clock}_warned_at"] is None:
        claim[f"{clock}_warned_at"] = now  # a warning after the breach would say nothing
    with transaction.atomic():
        claimed = Ticket.objects.filter(
            pk=row["id"],
            revision=row["revision"],
            **{f"{clock}_due_at": row[f"{clock}_due_at"], f"{flag}__isnull": True},
        ).update(**claim)
        if not claimed:
            return 0
        ticket = Ticket.objects.select_related("lpse", "holder").get(pk=row["id"])
        due: datetime.datetime = row[f"{clock}_due_at"]
        TicketEvent.objects.create(
            ticket=ticket,
            actor=None,
            kind=EventKind.SLA_BREACHED if breach else EventKind.SLA_WARNED,
            reason=_notice_body(ticket, clock, due),
            is_internal=True,
            data={"clock": clock, "due_at": due.isoformat(), "priority": row["priority"]},
            created_at=now,
        )
        ticket_facts_refresh([ticket.pk], now=now, book=book)
        recipients = _recipients(ticket, breach=breach)
        ticket_notify(
            users=recipients,
            kind=NotificationKind.SLA_BREACH if breach else NotificationKind.SLA_WARNING,
            ticket=ticket,
            title=_notice_title(ticket, clock, breach=breach),
            body=_notice_body(ticket, clock, due),
            now=now,
        )
    logger.info(
        "sla %s ticket=%s clock=%s recipients=%d",
        "breach" if breach else "warning",
        ticket.number,
        clock,
        len(recipients),
    )
    SLA_EVENTS.labels(clock, "breach" if breach else "warning").inc()
    row[flag] = now
    return 1


def _recipients(ticket: Ticket, *, breach: bool) -> list[User]:
    """Warnings go to the holder, or to the tier's agents while nobody holds the ticket;
    breaches also to the supervisors whose scope covers the ticket."""
    holder = ticket_holder_on_duty(ticket)
    people = [holder] if holder is not None else list(staff_acting_on(ticket))
    if breach:
        people += list(supervisors_of(ticket))
    return people


_CLOCK_LABELS = {
    "response": gettext_lazy("respons pertama"),
    "resolution": gettext_lazy("penyelesaian"),
}


def _notice_title(ticket: Ticket, clock: str, *, breach: bool) -> str:
    values = {"clock": str(_CLOCK_LABELS[clock])}
    if breach:
        return _("Batas waktu %(clock)s terlampaui") % values
    return _("Batas waktu %(clock)s segera tiba") % values


def _notice_body(ticket: Ticket, clock: str, due: datetime.datetime) -> str:
    local = timezone.localtime(due, ticket.lpse.zone)
    return _("%(clock)s: %(title)s — prioritas %(priority)s, batas %(due)s %(zone)s.") % {
        "clock": str(_CLOCK_LABELS[clock]).capitalize(),
        "title": ticket.title,
        "priority": Priority(ticket.priority).label,
        "due": local.strftime("%d-%m-%Y %H:%M"),
        "zone": ticket.lpse.timezone_abbreviation,
    }


# --- readings for pages: both clocks of a ticket, and the one that matters now ---

RESPONSE = "response"
RESOLUTION = "resolution"


@dataclass(frozen=True)
class SlaView:
    """What a page shows of a ticket's SLA."""

    clocks: TicketClocks
    around_the_clock: bool

    @property
    def current(self) -> ClockReading:
        """The response clock until the first response, then the resolution clock."""
        response = self.clocks.response
        if response.is_running or response.state == ClockState.PAUSED:
            return response
        return self.clocks.resolution

    @property
    def current_name(self) -> str:
        return RESPONSE if self.current is self.clocks.response else RESOLUTION

    @property
    def zone(self) -> datetime.tzinfo:
        return self.clocks.calendar.zone


def sla_view(ticket: Ticket, *, book: CalendarBook | None = None) -> SlaView:
    book = book or CalendarBook.current()
    return SlaView(
        clocks=ticket_clocks_now(ticket, book=book),
        around_the_clock=book.targets_for(ticket.priority).around_the_clock,
    )


def attach_sla_views(tickets: Iterable[Ticket]) -> None:
    """Give each ticket of a page its `sla` (three queries for the whole page)."""
    book = CalendarBook.current()
    for ticket in tickets:
        ticket.sla = sla_view(ticket, book=book)  # type: ignore[attr-defined]
