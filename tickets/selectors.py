"""Non-trivial reads of tickets for the pages and the API."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from reference.models import Category
from tickets.models import (
    OPEN_STATUSES,
    REPORTER_ACTION_STATUSES,
    Attachment,
    Message,
    Status,
    Ticket,
    TicketEvent,
    Tier,
)
from tickets.search import search_filter
from tickets.ticket_sla import SlaView, sla_view

# The reporter's groups of tickets (DESIGN §4): each dashboard card and each status of
# the list's filter is one of these, so a card opens exactly the tickets it counts.
REPORTED_FILTER = "dilaporkan"
ACTION_FILTER = "perlu_tindakan"
REPORTER_FILTERS: dict[str, Q] = {
    **{status.value: Q(status=status.value) for status in Status},
    # Passed on by the LPSE helpdesk to LKPP (tier 2 or 3) and still open.
    REPORTED_FILTER: Q(status__in=sorted(OPEN_STATUSES), tier__gte=Tier.LKPP),
    ACTION_FILTER: Q(status__in=sorted(REPORTER_ACTION_STATUSES)),
}


@dataclass(frozen=True)
class DashboardCounts:
    new: int
    reported: int
    in_progress: int
    total: int
    needs_action: int


def dashboard_counts(tickets: QuerySet[Ticket]) -> DashboardCounts:
    """The reporter's dashboard cards in one query: the guide's four (§4.1) and
    *Perlu tindakan Anda*."""
    counts = tickets.aggregate(
        new=Count("id", filter=REPORTER_FILTERS[Status.NEW.value]),
        reported=Count("id", filter=REPORTER_FILTERS[REPORTED_FILTER]),
        in_progress=Count("id", filter=REPORTER_FILTERS[Status.IN_PROGRESS.value]),
        total=Count("id"),
        needs_action=Count("id", filter=REPORTER_FILTERS[ACTION_FILTER]),
    )
    return DashboardCounts(**counts)


def ticket_list_filter(
    tickets: QuerySet[Ticket], *, number: str = "", group: str = "", title: str = ""
) -> QuerySet[Ticket]:
    """Search by number, status (or one of the dashboard's groups) and title, in any
    combination, newest first. An unknown group filters nothing (the form refuses it)."""
    if number:
        tickets = tickets.filter(number__icontains=number.strip())
    if group in REPORTER_FILTERS:
        tickets = tickets.filter(REPORTER_FILTERS[group])
    if title.strip():
        tickets = search_filter(tickets, title, title_only=True)
    return tickets.select_related("application", "lpse").order_by("-created_at", "-id")


def categories_selectable(application_id: int) -> QuerySet[Category]:
    """The categories a ticket of this application may have: its active leaves (what
    *Buat Tiket* offers), in tree order, with their parents for the path labels."""
    return (
        Category.objects.filter(application_id=application_id, is_leaf=True, is_active=True)
        .select_related("parent")
        .order_by("parent__order", "parent__name", "order", "name")
    )


def ticket_conversation(ticket: Ticket, *, include_internal: bool) -> QuerySet[Message]:
    # The attachments come through the ticket's own manager, so each one already knows
    # its ticket: its download name and address need the number, and no query each.
    messages = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=ticket.attachments.order_by("sequence"))
    )
    return messages if include_internal else messages.filter(is_internal=False)


def ticket_history(ticket: Ticket, *, include_internal: bool) -> QuerySet[TicketEvent]:
    events = ticket.events.select_related("actor")
    return events if include_internal else events.filter(is_internal=False)


def ticket_initial_attachments(ticket: Ticket) -> QuerySet[Attachment]:
    return ticket.attachments.filter(message__isnull=True).order_by("sequence")


def public_attachments(ticket: Ticket) -> QuerySet[Attachment]:
    """Attachments anyone who sees the ticket may download: never those of internal notes."""
    return ticket.attachments.exclude(message__is_internal=True).order_by("sequence")


def updated_at_for(user: User, ticket: Ticket) -> datetime.datetime:
    """Reporters see the last change they can see: an internal note leaves no trace."""
    return ticket.public_updated_at if user.is_reporter else ticket.updated_at


@dataclass(frozen=True)
class TicketDetail:
    """One ticket as its detail shows it to one person, for the pages and the API alike:
    staff see internal notes and their events, reporters do not."""

    viewer: User
    ticket: Ticket
    # Querysets read when drawn; lists for a ticket just filed (`ticket_detail_of_new`).
    initial_attachments: QuerySet[Attachment] | Sequence[Attachment]
    conversation: QuerySet[Message] | Sequence[Message]
    history: QuerySet[TicketEvent] | Sequence[TicketEvent]
    sla: SlaView

    @property
    def updated_at(self) -> datetime.datetime:
        return updated_at_for(self.viewer, self.ticket)

    @cached_property
    def has_attachments(self) -> bool:
        """Whether there is anything to download (the zip's button)."""
        return public_attachments(self.ticket).exists()


def ticket_detail_for(user: User, ticket: Ticket, *, with_internal: bool = True) -> TicketDetail:
    """The detail of a ticket the user may see (fetched with `get_ticket_for_user`).

    `with_internal=False`: without the internal notes and events even for staff (the
    print view unless they ask for them). Reporters never get them, whatever is asked.
    """
    include_internal = with_internal and not user.is_reporter
    return TicketDetail(
        viewer=user,
        ticket=ticket,
        initial_attachments=ticket_initial_attachments(ticket),
        conversation=ticket_conversation(ticket, include_internal=include_internal),
        history=ticket_history(ticket, include_internal=include_internal),
        sla=sla_view(ticket),
    )


def ticket_detail_of_new(
    user: User, ticket: Ticket, *, attachments: Iterable[Attachment], events: Iterable[TicketEvent]
) -> TicketDetail:
    """`ticket_detail_for` of a ticket the service has just filed, from the rows it wrote
    (its files and its first event; a new ticket has no message yet): the same detail,
    without reading them back (issue 19)."""
    include_internal = not user.is_reporter
    return TicketDetail(
        viewer=user,
        ticket=ticket,
        initial_attachments=sorted(
            (a for a in attachments if a.message_id is None), key=lambda a: a.sequence
        ),
        conversation=[],
        history=[e for e in events if include_internal or not e.is_internal],
        sla=sla_view(ticket),
    )
