"""Non-trivial reads of tickets for the reporter's pages."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from tickets.models import (
    REPORTER_ACTION_STATUSES,
    Attachment,
    Message,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.search import search_filter


@dataclass(frozen=True)
class DashboardCounts:
    new: int
    in_progress: int
    needs_action: int
    total: int


def dashboard_counts(tickets: QuerySet[Ticket]) -> DashboardCounts:
    """The four cards of the reporter's dashboard, in one query."""
    counts = tickets.aggregate(
        new=Count("id", filter=Q(status=Status.NEW)),
        in_progress=Count("id", filter=Q(status=Status.IN_PROGRESS)),
        needs_action=Count("id", filter=Q(status__in=REPORTER_ACTION_STATUSES)),
        total=Count("id"),
    )
    return DashboardCounts(**counts)


def ticket_list_filter(
    tickets: QuerySet[Ticket], *, number: str = "", statuses: tuple[str, ...] = (), title: str = ""
) -> QuerySet[Ticket]:
    """Search by number, status and title, in any combination, newest first."""
    if number:
        tickets = tickets.filter(number__icontains=number.strip())
    if statuses:
        tickets = tickets.filter(status__in=statuses)
    if title.strip():
        tickets = search_filter(tickets, title, title_only=True)
    return tickets.select_related("application", "lpse").order_by("-created_at", "-id")


def ticket_conversation(ticket: Ticket, *, include_internal: bool) -> QuerySet[Message]:
    messages = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("sequence"))
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
