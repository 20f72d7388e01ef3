"""Reads of the helpdesk console: the queues, their filters, and what a page may offer.

Who sees what stays in `access.py`; which status allows which action stays in
`lifecycle.py`. This module only combines them for the console's pages.
"""

import dataclasses
import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _lazy
from django_stubs_ext import StrOrPromise

from accounts.models import User
from lib.sla import WORKING_DAY, working_time_before
from reference.models import Application, CannedResponse, Category, Lpse, Priority, TimeZone
from sla.calendars import CalendarBook
from sla.clocks import ClockState
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


# The tabs' counts of one person at one list stamp are kept this long (see below).
QUEUE_COUNTS_SECONDS = 60


def queues_with_counts(user: User, *, stamp: str | None = None) -> list[Queue]:
    """Every queue with the number of tickets in it: one bounded, indexed count each
    (a single aggregate with FILTERs would read a national supervisor's whole table).

    With the list's live stamp (`live.list_stamp` of what the person sees), the counts are
    kept in the cache under that stamp: the stamp moves whenever a ticket the person sees
    changes or arrives (and every few minutes), so paging, filtering and changing tabs
    reuse them, and a change within the scope is counted at once. A ticket that leaves
    the scope (moved to another application) moves no stamp of it: it leaves the counts
    within QUEUE_COUNTS_SECONDS, as it leaves a live page at the scope's next change.
    Counting for a tier 2 group at a million tickets costs 10-40 ms a page.
    """
    visible = tickets_visible_to(user)
    counts = _kept_counts(
        _counts_key(user, stamp, "queues"),
        lambda: {name: capped_count(visible.filter(_queue_q(user, name))) for name in QUEUE_LABELS},
    )
    return [Queue(name, label, counts[name]) for name, label in QUEUE_LABELS.items()]


def queue_match_counts(
    user: User,
    filters: "ConsoleFilters",
    *,
    now: datetime.datetime | None = None,
    stamp: str | None = None,
) -> dict[str, int]:
    """How many tickets of each queue match a search and its filters (the tabs' numbers).

    One bounded count per queue (`search_match_count`: up to RELEVANCE_LIMIT + 1), so a
    search from one queue tells where the others' matches are. With the list's stamp they
    are kept as `queues_with_counts` keeps the queues' (a page of results, another tab,
    the same words again): a common word's count costs 50-250 ms at a million tickets.
    Not with the SLA or age filter, whose matches change with the time itself.
    """
    newest = dataclasses.replace(filters, sort=SORT_NEWEST)
    timeless = not (filters.sla or filters.age)
    return _kept_counts(
        _counts_key(user, stamp, f"matches:{_filters_digest(newest)}") if timeless else None,
        lambda: {
            key: search_match_count(console_list(queue_tickets(user, key), newest, now=now))
            for key in QUEUE_LABELS
        },
    )


def _counts_key(user: User, stamp: str | None, what: str) -> str | None:
    if stamp is None:
        return None
    return f"queue-counts:{user.pk}:{staff_scope(user).fingerprint()}:{stamp}:{what}"


def _kept_counts(key: str | None, count: Callable[[], dict[str, int]]) -> dict[str, int]:
    """The four queues' counts kept under `key` (None: counted, not kept)."""
    if key is not None:
        kept = cache.get(key)
        if isinstance(kept, dict) and kept.keys() == QUEUE_LABELS.keys():
            return kept
    counts = count()
    if key is not None:
        cache.set(key, counts, QUEUE_COUNTS_SECONDS)
    return counts


def _filters_digest(filters: "ConsoleFilters") -> str:
    """The filters as a short text, the same in every process: rows by their id, dates
    and words as written."""
    parts = []
    for item in dataclasses.fields(filters):
        value = getattr(filters, item.name)
        parts.append(f"{item.name}={getattr(value, 'pk', value)!s}")
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


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

# ... and what the clocks that have ended record (`response_outcome`/`resolution_outcome`,
# see sla.clocks.clock_outcomes): the tickets a report counts as "missed".
SLA_MISSED = "terlampaui"
SLA_MISSED_RESPONSE = "terlampaui_respons"
SLA_MISSED_RESOLUTION = "terlampaui_penyelesaian"

SLA_FILTER_LABELS: dict[str, StrOrPromise] = {
    SLA_LATE_OR_AT_RISK: _lazy("SLA terlambat / hampir terlambat"),
    SLA_LATE: _lazy("SLA terlambat"),
    SLA_AT_RISK: _lazy("SLA hampir terlambat"),
    SLA_MISSED: _lazy("SLA terlampaui (respons atau penyelesaian)"),
    SLA_MISSED_RESPONSE: _lazy("SLA respons terlampaui"),
    SLA_MISSED_RESOLUTION: _lazy("SLA penyelesaian terlampaui"),
}

# The age of open tickets in working days of their LPSE's calendar: [low, high).
AGE_BUCKETS: dict[str, tuple[int, int | None]] = {
    "lt1": (0, 1),
    "1-3": (1, 3),
    "3-5": (3, 5),
    "gt5": (5, None),
}
AGE_LABELS: dict[str, StrOrPromise] = {
    "lt1": _lazy("Kurang dari 1 hari kerja"),
    "1-3": _lazy("1–3 hari kerja"),
    "3-5": _lazy("3–5 hari kerja"),
    "gt5": _lazy("Lebih dari 5 hari kerja"),
}

# Tickets that reached at least this tier (`max_tier`): the escalation report's links.
MIN_TIER_LABELS: dict[int, StrOrPromise] = {
    2: _lazy("Pernah sampai tier 2 atau 3"),
    3: _lazy("Pernah sampai tier 3"),
}

PRIORITY_RANK = Case(
    *(When(priority=priority, then=Value(rank)) for rank, priority in enumerate(Priority)),
    default=Value(len(Priority)),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class ConsoleFilters:
    """The console list's filters. Dates are each ticket's own LPSE's local dates."""

    text: str = ""
    status: str = ""
    priority: str = ""
    application: Application | None = None
    # A node of the category tree (its id): the node and every category below it.
    category: int | None = None
    lpse: Lpse | None = None
    tier: int | None = None
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    sla: str = ""
    sort: str = SORT_NEWEST
    reporter_role: str = ""
    age: str = ""
    close_reason: str = ""
    min_tier: int | None = None
    stars: int | None = None
    code: str = ""
    resolved_from: datetime.date | None = None
    resolved_to: datetime.date | None = None
    closed_from: datetime.date | None = None
    closed_to: datetime.date | None = None


# The query-string name of each filter: links from reports are built with these.
FILTER_PARAMS: dict[str, str] = {
    "text": "cari",
    "status": "status",
    "priority": "prioritas",
    "application": "aplikasi",
    "category": "kategori",
    "lpse": "lpse",
    "tier": "tier",
    "created_from": "dari",
    "created_to": "sampai",
    "sla": "sla",
    "sort": "urut",
    "reporter_role": "peran",
    "age": "umur",
    "close_reason": "ditutup",
    "min_tier": "tier_maks",
    "stars": "bintang",
    "code": "kode",
    "resolved_from": "selesai_dari",
    "resolved_to": "selesai_sampai",
    "closed_from": "tutup_dari",
    "closed_to": "tutup_sampai",
}


def console_list_url(*, queue: str = QUEUE_ALL, **filters: Any) -> str:
    """The console list's address with these filters (`ConsoleFilters` field names).

    Application and LPSE may be given as objects or ids, the category as an id (or a
    Category), dates as `datetime.date` (written ISO, which the form reads). Empty values
    are left out; an unknown name is a programming error (TypeError).
    """
    params: list[tuple[str, str]] = [("antrian", queue)]
    for name, value in filters.items():
        if name not in FILTER_PARAMS:
            raise TypeError(f"console_list_url: unknown filter {name!r}")
        if value is None or value == "":
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        params.append((FILTER_PARAMS[name], str(getattr(value, "pk", value))))
    return f"{reverse('console:queue')}?{urlencode(params)}"


def category_subtree_ids(category_id: int) -> list[int]:
    """The category and every category below it (one query over its application's tree)."""
    rows = list(
        Category.objects.filter(
            application_id__in=Category.objects.filter(pk=category_id).values("application_id")
        ).values_list("id", "parent_id")
    )
    children: dict[int | None, list[int]] = defaultdict(list)
    for node, parent in rows:
        children[parent].append(node)
    if not any(node == category_id for node, _ in rows):
        return []
    found, pending = [], [category_id]
    while pending:
        node = pending.pop()
        found.append(node)
        pending.extend(children.get(node, ()))
    return found


def _lpse_dates_q(field: str, start: datetime.date | None, end: datetime.date | None) -> Q:
    """`field` within [start, end] by each ticket's own LPSE's local date.

    Reports count a ticket on its LPSE's local date for every viewer (a ticket filed at
    23:30 WIT belongs to that WIT day), so the list their numbers link to does too: one
    condition per time zone of the country (three), OR-ed.
    """
    condition = Q()
    for tz_name in TimeZone.values:
        zone = ZoneInfo(tz_name)
        bounds = Q(lpse__timezone=tz_name)
        if start is not None:
            since = datetime.datetime.combine(start, datetime.time.min, zone)
            bounds &= Q(**{f"{field}__gte": since})
        if end is not None:
            until = datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time.min, zone
            )
            bounds &= Q(**{f"{field}__lt": until})
        condition |= bounds
    return condition


def age_q(bucket: str, now: datetime.datetime, lpse: Lpse | None = None) -> Q:
    """Open tickets whose working time since creation lies in the bucket's range.

    Age counts the working time of the ticket's LPSE's office calendar (hours and
    holidays) whatever its priority — Emergency's around-the-clock SLA clock is about
    the target, not about how old a ticket is — and never pauses. LPSEs whose calendars
    are identical share one pair of bounds: `working_time_before(now, k days)` is the
    latest creation moment that is at least k working days old. The grouping is read
    once per calendar book (`CalendarBook.office_calendar_groups`), not per request.
    Fact rows have the same columns: the backlog age report counts with it too.
    """
    low, high = AGE_BUCKETS[bucket]
    condition = Q(pk__in=[])
    for calendar, group in CalendarBook.current().office_calendar_groups():
        if lpse is not None:
            if lpse.pk not in group:
                continue
            group = (lpse.pk,)
        bounds = Q(lpse_id__in=group)
        if low > 0:
            bounds &= Q(created_at__lte=working_time_before(now, low * WORKING_DAY, calendar))
        if high is not None:
            bounds &= Q(created_at__gt=working_time_before(now, high * WORKING_DAY, calendar))
        condition |= bounds
    return condition & Q(status__in=OPEN_STATUSES)


def _sla_q(kind: str, now: datetime.datetime) -> Q:
    """Tickets whose running clock is past due (late) or past its warning (at risk), or
    whose clock ended past its target (missed: the stored verdict, see `clock_outcomes`).

    The due and warning moments are those of the clocks that run now (null while paused
    or done), so the filter says what the SLA column says. Every condition implies
    `next_due_at IS NOT NULL`: the partial index on it serves the filter.
    """
    late = Q(next_due_at__lte=now)
    warned = Q(next_due_at__isnull=False) & (
        Q(response_warn_at__lte=now) | Q(resolution_warn_at__lte=now)
    )
    if kind == SLA_MISSED_RESPONSE:
        return Q(response_outcome=ClockState.MISSED)
    if kind == SLA_MISSED_RESOLUTION:
        return Q(resolution_outcome=ClockState.MISSED)
    if kind == SLA_MISSED:
        return Q(response_outcome=ClockState.MISSED) | Q(resolution_outcome=ClockState.MISSED)
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
        tickets = tickets.filter(category_id__in=category_subtree_ids(filters.category))
    if filters.lpse is not None:
        tickets = tickets.filter(lpse=filters.lpse)
    if filters.tier is not None:
        tickets = tickets.filter(tier=filters.tier)
    if filters.reporter_role:
        tickets = tickets.filter(reporter_role=filters.reporter_role)
    if filters.close_reason:
        tickets = tickets.filter(close_reason=filters.close_reason)
    if filters.min_tier is not None:
        tickets = tickets.filter(max_tier__gte=filters.min_tier)
    if filters.stars is not None:
        tickets = tickets.filter(rating__stars=filters.stars)
    if filters.code:
        tickets = tickets.filter(code=filters.code)
    for field, start, end in (
        ("created_at", filters.created_from, filters.created_to),
        ("resolved_at", filters.resolved_from, filters.resolved_to),
        ("closed_at", filters.closed_from, filters.closed_to),
    ):
        if start is not None or end is not None:
            tickets = tickets.filter(_lpse_dates_q(field, start, end))
    if filters.sla in SLA_FILTER_LABELS:
        tickets = tickets.filter(_sla_q(filters.sla, now or timezone.now()))
    if filters.age in AGE_BUCKETS:
        tickets = tickets.filter(age_q(filters.age, now or timezone.now(), filters.lpse))
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
