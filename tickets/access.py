"""Who may see which ticket. Web pages, API, commands and jobs all ask here."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from tickets.models import Ticket


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Tickets this user may see: a reporter sees only their own."""
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if user.is_reporter:
        return Ticket.objects.filter(reporter=user)
    # Staff visibility comes with staff assignments (helpdesk console).
    return Ticket.objects.none()


def get_ticket_for_user(user: User, number: str) -> Ticket:
    """The ticket with this number if the user may see it; 404 exactly as if it did not exist."""
    ticket = (
        tickets_visible_to(user)
        .select_related(
            "lpse", "application", "version", "category__parent", "ticket_type", "holder"
        )
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket
