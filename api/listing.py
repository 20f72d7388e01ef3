"""The ticket list: the web's filters (a reporter's, or the console's for staff) and
pages behind a cursor."""

import base64
import binascii
import datetime
import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Schema

from accounts.models import User
from api.auth import api_user
from api.errors import ERROR_RESPONSES, ApiFieldErrors
from api.router import router
from api.schemas import TicketPageOut
from lib.replica import replica_reads
from tickets.access import tickets_visible_to
from tickets.console_forms import ConsoleFilterForm
from tickets.forms import TicketSearchForm
from tickets.models import Ticket
from tickets.queues import SORT_NEWEST, SORT_OLDEST, console_list, queue_tickets
from tickets.selectors import ticket_list_filter, updated_at_for

PAGE_SIZE_MAX = 100


class ListQuery(Schema):
    """The web's filters: reporters (nomor, status, judul) and staff (the console's)."""

    nomor: str = ""
    judul: str = ""
    status: str = ""
    antrian: str = ""
    cari: str = ""
    prioritas: str = ""
    aplikasi: str = ""
    kategori: str = ""
    lpse: str = ""
    tier: str = ""
    dari: str = ""
    sampai: str = ""
    urut: str = ""
    cursor: str = ""
    limit: int = 20


def _encode_cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _decode_cursor(raw: str) -> dict[str, Any]:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise ApiFieldErrors({"cursor": [_("Cursor tidak valid.")]}) from error
    if not isinstance(data, dict):
        raise ApiFieldErrors({"cursor": [_("Cursor tidak valid.")]})
    return data


def _page(
    tickets: QuerySet[Ticket], sort: str, cursor: str, limit: int
) -> tuple[list[Ticket], str | None]:
    """Keyset pages for newest/oldest (stable under inserts), offset pages otherwise."""
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise ApiFieldErrors({"limit": [_("Antara 1 dan %(max)d.") % {"max": PAGE_SIZE_MAX}]})
    position = _decode_cursor(cursor) if cursor else {}
    if sort in (SORT_NEWEST, SORT_OLDEST):
        if position:
            try:
                created = datetime.datetime.fromisoformat(str(position["t"]))
                pk = int(position["i"])
            except (KeyError, TypeError, ValueError) as error:
                raise ApiFieldErrors({"cursor": [_("Cursor tidak valid.")]}) from error
            if sort == SORT_NEWEST:
                tickets = tickets.filter(created_at__lt=created) | tickets.filter(
                    created_at=created, pk__lt=pk
                )
            else:
                tickets = tickets.filter(created_at__gt=created) | tickets.filter(
                    created_at=created, pk__gt=pk
                )
        rows = list(tickets[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = (
            _encode_cursor({"t": rows[-1].created_at.isoformat(), "i": rows[-1].pk})
            if more
            else None
        )
        return rows, nxt
    try:
        offset = int(position.get("o", 0))
    except (TypeError, ValueError) as error:
        raise ApiFieldErrors({"cursor": [_("Cursor tidak valid.")]}) from error
    if offset < 0:
        raise ApiFieldErrors({"cursor": [_("Cursor tidak valid.")]})
    rows = list(tickets[offset : offset + limit + 1])
    more = len(rows) > limit
    return rows[:limit], _encode_cursor({"o": offset + limit}) if more else None


def _summary(user: User, ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "title": ticket.title,
        "status": ticket.status,
        "status_label": str(ticket.get_status_display()),
        "priority": ticket.priority,
        "tier": ticket.tier,
        "lpse": ticket.lpse.name,
        "application": ticket.application.code,
        "holder": ticket.holder.display_name if ticket.holder else None,
        "created_at": ticket.created_at,
        "updated_at": updated_at_for(user, ticket),
        "next_due_at": ticket.next_due_at,
    }


@router.get("/tickets", response={200: TicketPageOut, **ERROR_RESPONSES}, tags=["Tiket"])
def ticket_list(request: HttpRequest, filters: Query[ListQuery]) -> dict[str, Any]:
    """Tickets the token's user sees, with the web's filters; newest first by default.

    Reporters: `nomor`, `status` (a status code, or the dashboard's `dilaporkan` and
    `perlu_tindakan`, as on the web), `judul`.
    Staff: the console's `antrian`, `cari`, `status`, `prioritas`, `aplikasi`,
    `kategori`, `lpse`, `tier`, `dari`, `sampai`, `urut`.
    """
    user = api_user(request)
    # The heaviest read of the API, polled by integrations: from the replica if any.
    with replica_reads():
        return _ticket_page(user, filters)


def _ticket_page(user: User, filters: ListQuery) -> dict[str, Any]:
    given = {k: v for k, v in filters.dict().items() if v not in ("", None)}
    if user.is_reporter:
        form = TicketSearchForm({k: given[k] for k in ("nomor", "status", "judul") if k in given})
        if not form.is_valid():
            raise ApiFieldErrors.from_form(form)
        data = form.cleaned_data
        tickets = ticket_list_filter(
            tickets_visible_to(user),
            number=data.get("nomor") or "",
            group=data.get("status") or "",
            title=data.get("judul") or "",
        ).select_related("holder")
        sort = SORT_NEWEST
    else:
        console = ConsoleFilterForm(
            {k: v for k, v in given.items() if k not in ("cursor", "limit", "nomor", "judul")}
        )
        if not console.is_valid():
            raise ApiFieldErrors.from_form(console)
        chosen = console.filters()
        tickets = console_list(queue_tickets(user, console.queue_key(user)), chosen)
        sort = chosen.sort
    rows, nxt = _page(tickets, sort, filters.cursor, filters.limit)
    return {"items": [_summary(user, t) for t in rows], "next_cursor": nxt}
