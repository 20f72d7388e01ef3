"""The rows of a ticket export: what a supervisor reads of each ticket of a list.

Never internal notes, message bodies or the reporter's e-mail: only the ticket's own
columns, its SLA readings (the same clocks the pages show), and its rating's stars.
Dates are in the local time of the ticket's LPSE, with the zone's name in a column.

The tickets are read in chunks by keyset pagination over the list's own order (no
OFFSET, no cursor held open): memory stays bounded whatever the number of tickets,
and the queries grow per chunk (the tickets, their ratings), not per ticket.
"""

import datetime
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ReporterRole
from reference.models import Category, Priority
from sla.calendars import CalendarBook
from sla.clocks import CLOCK_STATE_LABELS, ClockReading
from tickets.models import CloseReason, Rating, Status, Ticket, Tier
from tickets.ticket_sla import ticket_clocks_now

EXPORT_CHUNK_SIZE = 2000

# Columns an export never needs (long texts, search data, what the source returned).
_DEFERRED = ("description", "search_vector", "code_snapshot", "code_manual", "notification_email")


def ticket_export_header() -> list[str]:
    """The column names, in the language of the request."""
    return [
        _("Nomor tiket"),
        _("Judul"),
        _("Dibuat"),
        _("Zona waktu"),
        _("LPSE"),
        _("Aplikasi"),
        _("Kategori"),
        _("Tipe"),
        _("Peran pelapor"),
        _("Prioritas"),
        _("Status"),
        _("Posisi"),
        _("Penanggung jawab"),
        _("Batas respons"),
        _("Respons pertama"),
        _("SLA respons"),
        _("Batas penyelesaian"),
        _("Ditutup"),
        _("Cara ditutup"),
        _("SLA penyelesaian"),
        _("Dibuka kembali"),
        _("Penilaian"),
    ]


def ticket_export_rows(
    tickets: QuerySet[Ticket],
    *,
    chunk_size: int = EXPORT_CHUNK_SIZE,
    now: datetime.datetime | None = None,
) -> Iterator[list[Any]]:
    """One row per ticket of `tickets` (a list the user may see, in its order), read
    `chunk_size` tickets at a time; SLA readings as they stand at `now`."""
    now = now or timezone.now()
    book = CalendarBook.current()
    paths = category_paths()
    labels = _Labels()
    for chunk in ticket_chunks(tickets, chunk_size=chunk_size):
        stars = dict(
            Rating.objects.filter(ticket_id__in=[t.pk for t in chunk]).values_list(
                "ticket_id", "stars"
            )
        )
        for ticket in chunk:
            yield _row(ticket, paths, stars.get(ticket.pk), labels, book, now)


def ticket_chunks(tickets: QuerySet[Ticket], *, chunk_size: int) -> Iterator[list[Ticket]]:
    """The tickets in their order, `chunk_size` at a time, each chunk one query that
    starts after the last ticket of the one before (keyset pagination)."""
    tickets = tickets.select_related("application", "lpse", "holder", "ticket_type").defer(
        *_DEFERRED
    )
    keys = _order_keys(tickets)
    if any(name == "search_rank" for name, *_ in keys):
        # A ranked search: at most search.RELEVANCE_LIMIT tickets, read at once (a
        # computed rank is a poor key to seek on).
        yield list(tickets)
        return
    tickets = tickets.order_by(*(_order_expression(key) for key in keys))
    chunk = list(tickets[:chunk_size])
    while chunk:
        yield chunk
        if len(chunk) < chunk_size:
            return
        chunk = list(tickets.filter(_after(keys, chunk[-1]))[:chunk_size])


# (field or annotation, descending, nulls last)
_Key = tuple[str, bool, bool]


def _order_keys(tickets: QuerySet[Ticket]) -> list[_Key]:
    """The list's order as keys; the ticket id ends it, so that every ticket has its
    own place."""
    keys: list[_Key] = []
    for item in tickets.query.order_by or Ticket._meta.ordering or ():
        if isinstance(item, str):
            keys.append((item.lstrip("-"), item.startswith("-"), False))
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            keys.append((item.expression.name, item.descending, bool(item.nulls_last)))
        else:
            raise ValueError(f"cannot export in the order {item!r}")
    keys = [("id", desc, last) if name == "pk" else (name, desc, last) for name, desc, last in keys]
    if not any(name == "id" for name, *_ in keys):
        keys.append(("id", False, False))
    return keys


def _order_expression(key: _Key) -> OrderBy:
    name, descending, nulls_last = key
    if descending:
        return F(name).desc(nulls_last=nulls_last or None)
    return F(name).asc(nulls_last=nulls_last or None)


def _after(keys: Sequence[_Key], last: Ticket) -> Q:
    """The tickets that come after `last` in this order."""
    condition = Q(pk__in=[])
    equal = Q()
    for name, descending, nulls_last in keys:
        value = getattr(last, name)
        if value is None:
            # Only a nulls-last key holds nulls: nothing comes after them but their ties.
            after = Q(pk__in=[])
            same = Q(**{f"{name}__isnull": True})
        else:
            after = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
            if nulls_last:
                after |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        condition |= equal & after
        equal &= same
    # A range on the first key as well, for its index (the condition says it already).
    name, descending, nulls_last = keys[0]
    first = getattr(last, name)
    if first is not None and not nulls_last:
        condition &= Q(**{f"{name}__{'lte' if descending else 'gte'}": first})
    return condition


def category_paths() -> dict[int, str]:
    """Every category's full path ("Tender › Dokumen › Gagal upload"), in one query."""
    rows = {pk: (parent, name) for pk, parent, name in Category.objects.values_list(
        "pk", "parent_id", "name"
    )}  # fmt: skip
    paths: dict[int, str] = {}

    def path(pk: int) -> str:
        if pk not in paths:
            parent, name = rows[pk]
            seen = parent is not None and parent in rows
            paths[pk] = f"{path(parent)} › {name}" if seen else name
        return paths[pk]

    for pk in rows:
        path(pk)
    return paths


class _Labels:
    """The labels of the choices, translated once per export."""

    def __init__(self) -> None:
        self.status = {k: str(v) for k, v in Status.choices}
        self.priority = {k: str(v) for k, v in Priority.choices}
        self.tier = {k: str(v) for k, v in Tier.choices}
        self.role = {k: str(v) for k, v in ReporterRole.choices}
        self.close = {k: str(v) for k, v in CloseReason.choices}
        self.clock = {k: str(v) for k, v in CLOCK_STATE_LABELS.items()}


def _row(
    ticket: Ticket,
    paths: dict[int, str],
    stars: int | None,
    labels: _Labels,
    book: CalendarBook,
    now: datetime.datetime,
) -> list[Any]:
    lpse = ticket.lpse
    zone = lpse.zone
    clocks = ticket_clocks_now(ticket, book=book, now=now)

    def local(moment: datetime.datetime | None) -> datetime.datetime | None:
        return None if moment is None else timezone.localtime(moment, zone)

    def state(reading: ClockReading) -> str:
        return labels.clock[reading.state]

    return [
        ticket.number,
        ticket.title,
        local(ticket.created_at),
        lpse.timezone_abbreviation,
        f"{lpse.kd_lpse} — {lpse.name}",
        ticket.application.code,
        paths.get(ticket.category_id, ""),
        ticket.ticket_type.name,
        labels.role.get(ticket.reporter_role, ticket.reporter_role),
        labels.priority.get(ticket.priority, ticket.priority),
        labels.status.get(ticket.status, ticket.status),
        labels.tier.get(ticket.tier, str(ticket.tier)),
        ticket.holder.display_name if ticket.holder else "",
        local(clocks.response.due_at),
        local(ticket.first_response_at),
        state(clocks.response),
        local(clocks.resolution.due_at),
        local(ticket.closed_at),
        labels.close.get(ticket.close_reason, ticket.close_reason),
        state(clocks.resolution),
        ticket.reopen_count,
        stars,
    ]
