"""SLA readings for pages: both clocks of a ticket, and the one that matters now."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from sla.calendars import CalendarBook
from sla.clocks import ClockReading, ClockState, TicketClocks
from sla.services import ticket_clocks_now
from tickets.models import Ticket

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
