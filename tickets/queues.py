"""Reads of the helpdesk console: the queues, their filters, and what a page may offer.

Who sees what stays in `access.py`; which status allows which action stays in
`lifecycle.py`. This module only combines them for the console's pages.
"""

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _lazy
from django_stubs_ext import StrOrPromise

from accounts.models import User
from reference.models import Application, CannedResponse, Category, Lpse, Priority
from tickets.access import staff_acting_on, staff_scope, tickets_visible_to
from tickets.models import OPEN_STATUSES, REPORTER_ACTION_STATUSES, Ticket
from tickets.search import search_filter, search_match_count, search_ranked

# --- Queues ---------------------------------------------------------------------------

QUEUE_MINE = "saya"
QUEUE_UNTAKEN = "belum_diambil"
QUEUE_WAITING = "menunggu_pelapor"
QUEUE_ALL = "semua"

QUEUE_LABELS: dict[str, StrOrPromise] = {
    QUEUE_MINE: _lazy("Tiket saya"),
    QUEUE_UNTAKEN: _lazy("Belum diambil"),
    QUEUE_WAITING: _lazy("Menunggu pelapor"),
    QUEUE_ALL: _lazy("Semua yang bisa saya lihat"),
}


# Counts stop here: a national queue of a million tickets must not be counted exactly on
# every page view ("10.000+" says enough).
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Queue:
    key: str
    label: StrOrPromise
    count: int

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def capped_count(tickets: QuerySet[Ticket], cap: int | None = None) -> int:
    """The number of tickets, exact up to the cap (COUNT_CAP), else cap + 1 (bounded)."""
    cap = COUNT_CAP if cap is None else cap
    return tickets.order_by().values("pk")[: cap + 1].count()


class CappedPage(Page):
    """A page that knows from one extra row whether another page follows."""

    more: bool | None = None

    def has_next(self) -> bool:
        return super().has_next() if self.more is None else self.more

    def next_page_number(self) -> int:
        return self.number + 1 if self.more else super().next_page_number()


class CappedPaginator(Paginator):
    """A paginator whose count stops after COUNT_CAP rows.

    Beyond the cap the number of pages is unknown: a page reads one row more than it
    shows to know whether another page follows.
    """

    def __init__(
        self, *args: Any, cap: int | None = None, known_count: int | None = None, **kwargs: Any
    ) -> None:
        """`known_count`: the capped count, when the caller has just counted the same rows
        (the queue's own count, or the search's) — it is not read again."""
        super().__init__(*args, **kwargs)
        self._cap = cap
        if known_count is not None:
            self.__dict__["count"] = known_count

    @property
    def cap(self) -> int:
        return COUNT_CAP if self._cap is None else self._cap

    @cached_property
    def count(self) -> int:
        assert isinstance(self.object_list, QuerySet)
        return capped_count(self.object_list, self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            value = int(number)
        except (TypeError, ValueError):
            value = 1
        return max(value, 1)

    def _get_page(self, *args: Any, **kwargs: Any) -> CappedPage:
        return CappedPage(*args, **kwargs)

    def page(self, number: Any) -> Page:
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        page = self._get_page(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page


def _queue_q(user: User, key: str) -> Q:
    """The condition of a queue, to be applied to the tickets the user may see."""
    acting = staff_scope(user).acting_q()
    if key == QUEUE_MINE:
        return Q(holder_id=user.pk, status__in=OPEN_STATUSES)
    if key == QUEUE_UNTAKEN:
        return acting & Q(holder__isnull=True, status__in=OPEN_STATUSES)
    if key == QUEUE_WAITING:
        return Q(status__in=REPORTER_ACTION_STATUSES) & (Q(holder_id=user.pk) | acting)
    return Q()


def default_queue(user: User) -> str:
    """Agents start with their own tickets; supervisors, who act on none, with everything."""
    return QUEUE_MINE if staff_scope(user).tiers() else QUEUE_ALL


def queue_tickets(user: User, key: str) -> QuerySet[Ticket]:
    return tickets_visible_to(user).filter(_queue_q(user, key))


def queues_with_counts(user: User) -> list[Queue]:
    """Every queue with the number of tickets in it: one bounded, indexed count each
    (a single aggregate with FILTERs would read a national supervisor's whole table)."""
    visible = tickets_visible_to(user)
    return [
        Queue(key, label, capped_count(visible.filter(_queue_q(user, key))))
        for key, label in QUEUE_LABELS.items()
    ]


def queue_match_counts(
    user: User, filters: "ConsoleFilters", *, now: datetime.datetime | None = None
) -> dict[str, int]:
    """How many tickets of each queue match a search and its filters (the tabs' numbers).

    One bounded count per queue (`search_match_count`: up to RELEVANCE_LIMIT + 1), so a
    search from one queue tells where the others' matches are.
    """
    newest = dataclasses.replace(filters, sort=SORT_NEWEST)
    return {
        key: search_match_count(console_list(queue_tickets(user, key), newest, now=now))
        for key in QUEUE_LABELS
    }


# --- Filters and sort -----------------------------------------------------------------

SORT_NEWEST = "terbaru"
SORT_OLDEST = "terlama"
SORT_PRIORITY = "prioritas"
SORT_UPDATED = "diperbarui"
SORT_DUE = "batas_sla"
SORT_RELEVANCE = "relevansi"

SORT_LABELS: dict[str, StrOrPromise] = {
    SORT_NEWEST: _lazy("Terbaru"),
    SORT_OLDEST: _lazy("Terlama"),
    SORT_PRIORITY: _lazy("Prioritas tertinggi"),
    SORT_UPDATED: _lazy("Baru diperbarui"),
    SORT_DUE: _lazy("Batas SLA terdekat"),
    SORT_RELEVANCE: _lazy("Paling relevan (saat mencari)"),
}

# The value of the status filter that means every open status.
OPEN_FILTER = "terbuka"

# The SLA filter: what the list's SLA column says of the clock that runs now.
SLA_LATE = "terlambat"
SLA_AT_RISK = "hampir_terlambat"
SLA_LATE_OR_AT_RISK = "terlambat_atau_hampir"

SLA_FILTER_LABELS: dict[str, StrOrPromise] = {
    SLA_LATE_OR_AT_RISK: _lazy("SLA terlambat / hampir terlambat"),
    SLA_LATE: _lazy("SLA terlambat"),
    SLA_AT_RISK: _lazy("SLA hampir terlambat"),
}

PRIORITY_RANK = Case(
    *(When(priority=priority, then=Value(rank)) for rank, priority in enumerate(Priority)),
    default=Value(len(Priority)),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class ConsoleFilters:
    text: str = ""
    status: str = ""
    priority: str = ""
    application: Application | None = None
    category: Category | None = None
    lpse: Lpse | None = None
    tier: int | None = None
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    sla: str = ""
    sort: str = SORT_NEWEST


def _local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of `day` in the viewer's time zone (activated per request)."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone()
    )


def _sla_q(kind: str, now: datetime.datetime) -> Q:
    """Tickets whose running clock is past due (late) or past its warning (at risk).

    The due and warning moments are those of the clocks that run now (null while paused
    or done), so the filter says what the SLA column says. Every condition implies
    `next_due_at IS NOT NULL`: the partial index on it serves the filter.
    """
    late = Q(next_due_at__lte=now)
    warned = Q(next_due_at__isnull=False) & (
        Q(response_warn_at__lte=now) | Q(resolution_warn_at__lte=now)
    )
    if kind == SLA_LATE:
        return late
    if kind == SLA_AT_RISK:
        return Q(next_due_at__gt=now) & warned
    return late | warned


def console_list(
    tickets: QuerySet[Ticket],
    filters: ConsoleFilters,
    *,
    match_count: int | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Ticket]:
    """Filter and sort a queue; every column of the list comes with the same query.

    `match_count`: for a search sorted by relevance, `search_match_count` of the same
    filters when the caller has it (see tickets/search.py). `now`: the moment the SLA
    filter compares with (default: the current time).
    """
    if text := filters.text.strip():
        tickets = search_filter(tickets, text)
    if filters.status == OPEN_FILTER:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        tickets = tickets.filter(status=filters.status)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.application is not None:
        tickets = tickets.filter(application=filters.application)
    if filters.category is not None:
        tickets = tickets.filter(category=filters.category)
    if filters.lpse is not None:
        tickets = tickets.filter(lpse=filters.lpse)
    if filters.tier is not None:
        tickets = tickets.filter(tier=filters.tier)
    if filters.created_from is not None:
        tickets = tickets.filter(created_at__gte=_local_midnight(filters.created_from))
    if filters.created_to is not None:
        next_day = filters.created_to + datetime.timedelta(days=1)
        tickets = tickets.filter(created_at__lt=_local_midnight(next_day))
    if filters.sla in SLA_FILTER_LABELS:
        tickets = tickets.filter(_sla_q(filters.sla, now or timezone.now()))
    tickets = tickets.select_related("application", "lpse", "holder")
    if filters.sort == SORT_RELEVANCE and text:
        return search_ranked(tickets, text, match_count=match_count)
    if filters.sort == SORT_OLDEST:
        return tickets.order_by("created_at", "id")
    if filters.sort == SORT_PRIORITY:
        return tickets.annotate(priority_rank=PRIORITY_RANK).order_by(
            "priority_rank", "-created_at", "-id"
        )
    if filters.sort == SORT_UPDATED:
        return tickets.order_by("-updated_at", "-id")
    if filters.sort == SORT_DUE:
        # Tickets whose clocks stand still (waiting for the reporter, closed) come last.
        return tickets.order_by(F("next_due_at").asc(nulls_last=True), "-created_at", "-id")
    return tickets.order_by("-created_at", "-id")


# --- What the detail page offers ------------------------------------------------------


def assignable_staff(ticket: Ticket) -> QuerySet[User]:
    """Staff who act at the ticket's current tier for it: the colleagues it may go to."""
    return staff_acting_on(ticket).filter(source="").order_by("full_name", "username")


def merge_candidates(user: User, ticket: Ticket) -> QuerySet[Ticket]:
    """Other open tickets of the same reporter that this person sees."""
    return (
        tickets_visible_to(user)
        .filter(reporter_id=ticket.reporter_id, status__in=OPEN_STATUSES)
        .exclude(pk=ticket.pk)
        .order_by("-created_at", "-id")
    )


def canned_responses_for(ticket: Ticket) -> QuerySet[CannedResponse]:
    """Ready-made replies for the ticket's application, and those for every application."""
    return CannedResponse.objects.filter(
        Q(application_id=ticket.application_id) | Q(application__isnull=True), is_active=True
    ).order_by("title")


def still_visible(user: User, ticket: Ticket) -> bool:
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()
