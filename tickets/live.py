"""Live pages: a page polls itself with the stamp it was rendered with; an unchanged
stamp answers 204 No Content, a changed one the whole page again, from which the
browser (static/js/live.js) swaps the regions nobody is typing in.

Polling, not server-sent events: every request is short (one indexed query to decide),
so it holds up with many users on the WSGI workers we run; an open SSE stream would
hold a worker per viewer. The stamp also changes every few minutes, so that SLA times
shown on the page do not go stale.
"""

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tickets.models import Ticket

# Remaining SLA times on a page are refreshed at least this often.
REFRESH_MINUTES = 5


def _time_slot() -> int:
    return int(timezone.now().timestamp() // (REFRESH_MINUTES * 60))


def ticket_stamp(ticket: Ticket) -> str:
    """Staff pages: changes whenever an action touches the ticket (notes included)."""
    return f"{ticket.revision}.{ticket.updated_at.timestamp():.6f}.{_time_slot()}"


def reporter_ticket_stamp(ticket: Ticket) -> str:
    """The reporter's page: changes with every action but an internal note.

    Built only from what notes do not touch (the revision and `public_updated_at`): a
    stamp that moved with a note would tell the reporter, by a refresh, that staff wrote
    something about the ticket.
    """
    return f"{ticket.revision}.{ticket.public_updated_at.timestamp():.6f}.{_time_slot()}"


def _newest(tickets: QuerySet[Ticket], field: str) -> str:
    latest: datetime.datetime | None = (
        tickets.order_by(f"-{field}").values_list(field, flat=True).first()
    )
    return f"{latest.timestamp() if latest else 0:.6f}.{_time_slot()}"


def list_stamp(tickets: QuerySet[Ticket]) -> str:
    """Staff lists: changes whenever any of these tickets changes or a new one arrives.

    The newest `updated_at` is enough: filing, every action and every closing set it.
    """
    return _newest(tickets, "updated_at")


def reporter_list_stamp(tickets: QuerySet[Ticket]) -> str:
    """The reporter's dashboard and list: like `list_stamp`, blind to internal notes."""
    return _newest(tickets, "public_updated_at")


def unchanged(request: HttpRequest, stamp: str) -> HttpResponse | None:
    """204 when the poll's stamp is still current; None when the page must be sent."""
    if request.GET.get("live") == stamp:
        return HttpResponse(status=204)
    return None
