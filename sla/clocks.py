"""The two SLA clocks of a ticket (first response, resolution), read from its state.

Both clocks start when the ticket is filed and count the handling LPSE's working time
(or every minute for priorities counted around the clock). Both stop while the reporter
is asked to act (the ticket's recorded pauses). The response clock ends at the first
public staff message; the resolution clock ends when the ticket is closed — a resolution
pauses it, a "Belum" lets it run on from where it stopped. Everything is recomputed from
the ticket's start with its current priority, so a priority change moves both due times.
"""

import datetime
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _lazy
from django_stubs_ext import StrOrPromise

from lib.sla import Calendar, Pause, moments, worked
from sla.calendars import CalendarBook, Targets, warn_fraction

PAUSING_STATUSES = frozenset({"awaiting_feedback", "awaiting_confirmation"})
ENDED_STATUSES = frozenset({"closed", "force_closed"})
# Only these endings count as a resolution by the helpdesk.
RESOLVED_CLOSE_REASONS = frozenset({"confirmed", "auto_closed"})


class ClockState(enum.StrEnum):
    RUNNING = "running"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"
    ENDED = "ended"  # closed without the event the clock waits for


# What pages and exports call each state.
CLOCK_STATE_LABELS: dict[ClockState, StrOrPromise] = {
    ClockState.RUNNING: _lazy("Berjalan"),
    ClockState.AT_RISK: _lazy("Hampir terlampaui"),
    ClockState.BREACHED: _lazy("Terlampaui"),
    ClockState.PAUSED: _lazy("Berhenti — menunggu pelapor"),
    ClockState.MET: _lazy("Terpenuhi"),
    ClockState.MISSED: _lazy("Tidak terpenuhi"),
    ClockState.ENDED: _lazy("Tidak berlaku (tiket ditutup)"),
}


@dataclass(frozen=True)
class ClockInput:
    """What the clocks depend on, taken from a ticket (or a row of one)."""

    created_at: datetime.datetime
    lpse_id: int
    tz_name: str
    priority: str
    status: str
    close_reason: str
    first_response_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    pauses: tuple[Pause, ...]


@dataclass(frozen=True)
class ClockReading:
    target: datetime.timedelta
    state: ClockState
    # Working time left (negative: overdue); at the end, the margin by which it was met
    # (positive) or missed (negative).
    remaining: datetime.timedelta
    due_at: datetime.datetime | None
    warn_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    # Stopped while the reporter is asked to act (also when already breached).
    paused: bool = False

    @property
    def is_running(self) -> bool:
        return not self.paused and self.state in (
            ClockState.RUNNING,
            ClockState.AT_RISK,
            ClockState.BREACHED,
        )

    @property
    def used_fraction(self) -> float:
        return 1 - self.remaining / self.target


@dataclass(frozen=True)
class TicketClocks:
    response: ClockReading
    resolution: ClockReading
    calendar: Calendar


def pauses_from_json(value: Any) -> tuple[Pause, ...]:
    pauses: list[Pause] = []
    for begin, end in value or ():
        pauses.append(
            (
                datetime.datetime.fromisoformat(begin),
                datetime.datetime.fromisoformat(end) if end else None,
            )
        )
    return tuple(pauses)


def pauses_to_json(pauses: Sequence[Pause]) -> list[list[str | None]]:
    return [[begin.isoformat(), end.isoformat() if end else None] for begin, end in pauses]


def pauses_after_transition(
    pauses: tuple[Pause, ...], *, from_status: str, to_status: str, at: datetime.datetime
) -> tuple[Pause, ...]:
    """The pauses once the ticket moves from one status to another at `at`."""
    was_paused = from_status in PAUSING_STATUSES
    is_paused = to_status in PAUSING_STATUSES
    if is_paused and not was_paused:
        return (*pauses, (at, None))
    if was_paused and not is_paused and pauses and pauses[-1][1] is None:
        return (*pauses[:-1], (pauses[-1][0], at))
    return pauses


@dataclass(frozen=True)
class Dues:
    """When each running clock warns and is due; None for a clock that does not run."""

    response_warn_at: datetime.datetime | None = None
    response_due_at: datetime.datetime | None = None
    resolution_warn_at: datetime.datetime | None = None
    resolution_due_at: datetime.datetime | None = None

    def as_fields(self) -> dict[str, datetime.datetime | None]:
        """The ticket columns that let queues sort by due time and the sweep find work."""
        dues = [d for d in (self.response_due_at, self.resolution_due_at) if d is not None]
        return {
            "response_warn_at": self.response_warn_at,
            "response_due_at": self.response_due_at,
            "resolution_warn_at": self.resolution_warn_at,
            "resolution_due_at": self.resolution_due_at,
            "next_due_at": min(dues) if dues else None,
        }


def _calendar_and_targets(clock: ClockInput, book: CalendarBook) -> tuple[Calendar, Targets]:
    targets = book.targets_for(clock.priority)
    calendar = book.calendar(
        lpse_id=clock.lpse_id, tz_name=clock.tz_name, around_the_clock=targets.around_the_clock
    )
    return calendar, targets


def ticket_dues(clock: ClockInput, book: CalendarBook) -> Dues:
    """Warning and due moments of the clocks that run now (one walk of the calendar)."""
    if clock.status in PAUSING_STATUSES or clock.status in ENDED_STATUSES:
        return Dues()
    calendar, targets = _calendar_and_targets(clock, book)
    keep = 1 - warn_fraction()
    response_runs = clock.first_response_at is None
    amounts = [targets.resolution * keep, targets.resolution]
    if response_runs:
        amounts += [targets.response * keep, targets.response]
    found = moments(start=clock.created_at, amounts=amounts, calendar=calendar, pauses=clock.pauses)
    return Dues(
        response_warn_at=found[2] if response_runs else None,
        response_due_at=found[3] if response_runs else None,
        resolution_warn_at=found[0],
        resolution_due_at=found[1],
    )


def sla_columns(
    clock: ClockInput, book: CalendarBook, *, swept_at: datetime.datetime | None = None
) -> dict[str, Any]:
    """The SLA columns of a ticket row from its clock input.

    The warning and due moments of the clocks that run; with `swept_at`, also the
    warnings and breaches that the sweep, had it run all along until then, has recorded
    (for rows written in bulk rather than by the services and the sweep) and the
    verdicts of the clocks that have ended (`clock_outcomes`).
    """
    columns: dict[str, Any] = dict(ticket_dues(clock, book).as_fields())
    if swept_at is not None:
        for name in ("response", "resolution"):
            warn, due = columns[f"{name}_warn_at"], columns[f"{name}_due_at"]
            columns[f"{name}_warned_at"] = warn if warn is not None and warn <= swept_at else None
            columns[f"{name}_breached_at"] = due if due is not None and due <= swept_at else None
        columns.update(clock_outcomes(clock, book))
    return columns


def _ended_state(*, over: bool, achieved: bool) -> ClockState:
    """The verdict of an ended clock: past its target is missed whatever ended it."""
    if over:
        return ClockState.MISSED
    return ClockState.MET if achieved else ClockState.ENDED


def clock_outcomes(clock: ClockInput, book: CalendarBook) -> dict[str, str]:
    """The verdict of each clock that has ended ("met", "missed", "ended"; "" otherwise).

    Exactly what `ticket_clocks` reads for an ended clock, so that a stored verdict, the
    reports that count it and the console's SLA filter agree with the ticket's page.
    "Missed" is decided by the working time counted until the clock ended, not by the
    sweep's breach record (`*_breached_at`): a clock may end past due between two sweeps,
    and a later, lower priority does not undo a recorded breach, while it does change
    the verdict. A clock that ends without its event (closed unanswered, force-closed,
    merged) is "missed" when it had run past its target, else "ended".
    """
    ended = clock.closed_at if clock.status in ENDED_STATUSES else None
    response_end = clock.first_response_at or ended
    if response_end is None and ended is None:
        return {"response_outcome": "", "resolution_outcome": ""}
    calendar, targets = _calendar_and_targets(clock, book)

    def verdict(target: datetime.timedelta, end: datetime.datetime | None, achieved: bool) -> str:
        if end is None:
            return ""
        used = worked(start=clock.created_at, until=end, calendar=calendar, pauses=clock.pauses)
        return _ended_state(over=used > target, achieved=achieved)

    return {
        "response_outcome": verdict(
            targets.response, response_end, clock.first_response_at is not None
        ),
        "resolution_outcome": verdict(
            targets.resolution, ended, clock.close_reason in RESOLVED_CLOSE_REASONS
        ),
    }


def _reading(
    *,
    target: datetime.timedelta,
    warn_at: datetime.datetime | None,
    due_at: datetime.datetime | None,
    ended_at: datetime.datetime | None,
    achieved: bool,
    calendar: Calendar,
    clock: ClockInput,
    now: datetime.datetime,
) -> ClockReading:
    until = ended_at or now
    used = worked(start=clock.created_at, until=until, calendar=calendar, pauses=clock.pauses)
    remaining = target - used
    zero = datetime.timedelta()
    if ended_at is not None:
        state = _ended_state(over=remaining < zero, achieved=achieved)
        return ClockReading(target, state, remaining, None, None, ended_at)
    if remaining <= zero:
        state = ClockState.BREACHED
    elif due_at is None:
        state = ClockState.PAUSED
    elif warn_at is not None and now >= warn_at:
        state = ClockState.AT_RISK
    else:
        state = ClockState.RUNNING
    return ClockReading(target, state, remaining, due_at, warn_at, None, paused=due_at is None)


def ticket_clocks(clock: ClockInput, book: CalendarBook, now: datetime.datetime) -> TicketClocks:
    """Both clocks of a ticket as they stand at `now`, with time left or the margin."""
    calendar, targets = _calendar_and_targets(clock, book)
    dues = ticket_dues(clock, book)
    ended = clock.closed_at if clock.status in ENDED_STATUSES else None
    response_end = clock.first_response_at
    if response_end is None and ended is not None:
        response_end = ended
    response = _reading(
        target=targets.response,
        warn_at=dues.response_warn_at,
        due_at=dues.response_due_at,
        ended_at=response_end,
        achieved=clock.first_response_at is not None,
        calendar=calendar,
        clock=clock,
        now=now,
    )
    resolution = _reading(
        target=targets.resolution,
        warn_at=dues.resolution_warn_at,
        due_at=dues.resolution_due_at,
        ended_at=ended,
        achieved=clock.close_reason in RESOLVED_CLOSE_REASONS,
        calendar=calendar,
        clock=clock,
        now=now,
    )
    return TicketClocks(response, resolution, calendar)
