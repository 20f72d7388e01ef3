"""The rows of a ticket export: what a supervisor reads of each ticket of a list.

Never internal notes, message bodies or the reporter's e-mail: only the ticket's own
columns, its SLA readings (the same clocks the pages show), and its rating's stars.
Dates are in the local time of the ticket's LPSE, with the zone's name in a column.

The tickets are read in chunks by keyset pagination over the list's own order (no
OFFSET, no cursor held open): memory stays bounded whatever the number of tickets,
and the queries grow per chunk (the tickets, their ratings, new holders), not per
ticket. Rows are read as values, not model instances (three times faster at 100,000
tickets); the small reference tables are read once.
"""

import datetime
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ReporterRole, User
from reference.models import Application, Category, Lpse, Priority, TicketType
from sla.calendars import CalendarBook
from sla.clocks import CLOCK_STATE_LABELS, ticket_clocks
from tickets.models import CloseReason, Rating, Status, Ticket, Tier
from tickets.ticket_sla import row_clock_input

EXPORT_CHUNK_SIZE = 2000

# What a row is read with (the keys of the list's order are added).
_FIELDS = (
    "id",
    "number",
    "title",
    "created_at",
    "lpse_id",
    "lpse__timezone",
    "application_id",
    "category_id",
    "ticket_type_id",
    "reporter_role",
    "priority",
    "status",
    "tier",
    "holder_id",
    "first_response_at",
    "closed_at",
    "close_reason",
    "reopen_count",
    "sla_pauses",
)


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
    names = _Names()
    for chunk in ticket_chunks(tickets, chunk_size=chunk_size):
        ids = [row["id"] for row in chunk]
        stars = dict(Rating.objects.filter(ticket_id__in=ids).values_list("ticket_id", "stars"))
        names.add_holders({row["holder_id"] for row in chunk})
        for row in chunk:
            yield _row(row, stars.get(row["id"]), names, book, now)


def ticket_chunks(tickets: QuerySet[Ticket], *, chunk_size: int) -> Iterator[list[dict[str, Any]]]:
    """The tickets as rows of values in their order, `chunk_size` at a time, each chunk
    one query that starts after the last ticket of the one before (keyset pagination)."""
    keys = _order_keys(tickets)
    fields = [*_FIELDS, *(name for name, *_ in keys if name not in _FIELDS)]
    if any(name == "search_rank" for name, *_ in keys):
        # A ranked search: at most search.RELEVANCE_LIMIT tickets, read at once (a
        # computed rank is a poor key to seek on).
        yield list(tickets.values(*fields))
        return
    rows = tickets.order_by(*(_order_expression(key) for key in keys)).values(*fields)
    chunk = list(rows[:chunk_size])
    while chunk:
        yield chunk
        if len(chunk) < chunk_size:
            return
        chunk = list(rows.filter(_after(keys, chunk[-1]))[:chunk_size])


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


def _after(keys: Sequence[_Key], last: dict[str, Any]) -> Q:
    """The tickets that come after `last` in this order."""
    condition = Q(pk__in=[])
    equal = Q()
    for name, descending, nulls_last in keys:
        value = last[name]
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
    first = last[name]
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


class _Names:
    """What the ids of a row stand for: the reference tables read once, the labels of
    the choices translated once, the holders read per chunk as they appear."""

    def __init__(self) -> None:
        self.category = category_paths()
        self.lpse = {lpse.pk: lpse for lpse in Lpse.objects.all()}
        self.application = dict(Application.objects.values_list("pk", "code"))
        self.ticket_type = dict(TicketType.objects.values_list("pk", "name"))
        self.holder: dict[int, str] = {}
        self.status = {k: str(v) for k, v in Status.choices}
        self.priority = {k: str(v) for k, v in Priority.choices}
        self.tier = {k: str(v) for k, v in Tier.choices}
        self.role = {k: str(v) for k, v in ReporterRole.choices}
        self.close = {k: str(v) for k, v in CloseReason.choices}
        self.clock = {k: str(v) for k, v in CLOCK_STATE_LABELS.items()}

    def add_holders(self, ids: set[int | None]) -> None:
        if missing := {pk for pk in ids if pk is not None and pk not in self.holder}:
            for user in User.objects.filter(pk__in=missing):
                self.holder[user.pk] = user.display_name


def _row(
    row: dict[str, Any],
    stars: int | None,
    names: _Names,
    book: CalendarBook,
    now: datetime.datetime,
) -> list[Any]:
    lpse = names.lpse[row["lpse_id"]]
    zone = lpse.zone
    clocks = ticket_clocks(row_clock_input(row), book, now)

    def local(moment: datetime.datetime | None) -> datetime.datetime | None:
        return None if moment is None else timezone.localtime(moment, zone)

    def label(choices: dict[Any, str], value: Any) -> str:
        return choices.get(value, str(value))

    return [
        row["number"],
        row["title"],
        local(row["created_at"]),
        lpse.timezone_abbreviation,
        f"{lpse.kd_lpse} — {lpse.name}",
        names.application.get(row["application_id"], ""),
        names.category.get(row["category_id"], ""),
        names.ticket_type.get(row["ticket_type_id"], ""),
        label(names.role, row["reporter_role"]),
        label(names.priority, row["priority"]),
        label(names.status, row["status"]),
        label(names.tier, row["tier"]),
        names.holder.get(row["holder_id"], "") if row["holder_id"] else "",
        local(clocks.response.due_at),
        local(row["first_response_at"]),
        names.clock[clocks.response.state],
        local(clocks.resolution.due_at),
        local(row["closed_at"]),
        label(names.close, row["close_reason"]) if row["close_reason"] else "",
        names.clock[clocks.resolution.state],
        row["reopen_count"],
        stars,
    ]
