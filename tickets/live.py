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
    """Changes whenever an action touches the ticket (notes included)."""
    return f"{ticket.revision}.{ticket.updated_at.timestamp():.6f}.{_time_slot()}"


def list_stamp(tickets: QuerySet[Ticket]) -> str:
    """Changes whenever any of these tickets changes or a new one arrives.

    The newest `updated_at` is enough: filing, every action and every closing set it.
    """
    latest: datetime.datetime | None = (
        tickets.order_by("-updated_at").values_list("updated_at", flat=True).first()
    )
    return f"{latest.timestamp() if latest else 0:.6f}.{_time_slot()}"


def unchanged(request: HttpRequest, stamp: str) -> HttpResponse | None:
    """204 when the poll's stamp is still current; None when the page must be sent."""
    if request.GET.get("live") == stamp:
        return HttpResponse(status=204)
    return None
