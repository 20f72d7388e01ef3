"""The report queries (issue 17): pure reads over the fact rows (`TicketFact`).

Every report takes a facts queryset already limited to the viewer's scope and the
filters' dimensions (`report_facts`), plus the filters (period, buckets) and, where time
runs on, `now`; it returns frozen dataclasses of plain numbers that pages, exports and the
monthly mail share (no formatting, no labels but the names stored in the database).

Each report runs a fixed number of statements whatever the number of tickets; counting
happens in SQL (grouped by day, state or dimension) and Python only walks the grouped
rows. Percentiles: `percentile_cont` on PostgreSQL; on SQLite (development and tests, small
data) the grouped values are read and `percentile_cont` below interpolates the same way.

Which day counts: volume counts each event on its own local day (created, first
resolution, close, first reopen); SLA, escalation, top and "taken" count tickets created
in the period; satisfaction counts tickets closed in it; "resolved" those first resolved
in it. Days are the ticket's own LPSE's local dates, the same for every viewer.

Freshness: the services write a ticket's fact row in the transaction of every change, so
counts are live. Only the state of a running clock ages with time (running → at risk →
late); the SLA sweep writes it when it records a warning or breach. `facts_staleness`
therefore tells when the open tickets' rows were last written.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    Expression,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from reference.models import Priority
from reports.filters import Bucket, ReportFilters
from sla.clocks import ClockState
from tickets.access import report_scope_q
from tickets.exports import category_paths
from tickets.models import OPEN_STATUSES, CloseReason, Rating, TicketFact

CLOSE_REASONS = tuple(reason.value for reason in CloseReason)
# Closed tickets the reporter could rate (auto-closed and merged ones never ask).
RATEABLE_REASONS = (CloseReason.CONFIRMED.value, CloseReason.FORCE_CLOSED.value)
TOP_LIMIT = 10
COMMENT_LIMIT = 20
# A code filed this often on one local day is likely an incident, not a single problem.
INCIDENT_DAY_COUNT = 10
TIERS = (1, 2, 3)
# Clock states that still run within their target.
_RUNNING_STATES = frozenset({ClockState.RUNNING, ClockState.AT_RISK, ClockState.PAUSED})
OPEN = sorted(OPEN_STATUSES)


def report_facts(user: User, filters: ReportFilters) -> QuerySet[TicketFact]:
    """The fact rows a report may count for this user under these filters (all dates)."""
    return TicketFact.objects.filter(report_scope_q(user)).filter(filters.dimension_q())


def _in_period(column: str, filters: ReportFilters) -> Q:
    return Q(**{f"{column}__gte": filters.first, f"{column}__lte": filters.last})


def _postgres(facts: QuerySet[Any]) -> bool:
    return connections[facts.db].vendor == "postgresql"


# --- Percentiles ------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`:
    linear interpolation between the two nearest values; nulls are left out."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        fraction = float(fraction)
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("a percentile fraction lies between 0 and 1")
        super().__init__(expression, fraction=repr(fraction), **extra)


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """The same percentile as PostgreSQL's `percentile_cont` over `values` (None if empty)."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def _grouped_percentiles(
    facts: QuerySet[Any],
    group: str | None,
    values: Mapping[str, Expression | F],
    fractions: Sequence[float],
) -> dict[Any, dict[tuple[str, float], float | None]]:
    """{group value: {(value name, fraction): percentile}} in one statement (`group`
    None: one group, key None). Null values are left out, as `percentile_cont` does."""
    result: dict[Any, dict[tuple[str, float], float | None]] = {}
    if _postgres(facts):
        aggregates = {
            f"p_{name}_{index}": PercentileCont(expression, fraction)
            for name, expression in values.items()
            for index, fraction in enumerate(fractions)
        }
        grouped = facts.order_by()
        rows = (
            grouped.values(group).annotate(**aggregates)
            if group
            else [grouped.aggregate(**aggregates)]
        )
        for row in rows:
            result[row[group] if group else None] = {
                (name, fraction): row[f"p_{name}_{index}"]
                for name in values
                for index, fraction in enumerate(fractions)
            }
        return result
    # SQLite: read the grouped values (small data only) and interpolate alike.
    annotated = facts.order_by().annotate(**{f"v_{name}": e for name, e in values.items()})
    columns = [f"v_{name}" for name in values]
    collected: dict[Any, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in annotated.values(*([group] if group else []), *columns):
        bag = collected[row[group] if group else None]
        for name in values:
            if row[f"v_{name}"] is not None:
                bag[name].append(row[f"v_{name}"])
    for key, bag in collected.items():
        result[key] = {
            (name, fraction): percentile_cont(bag[name], fraction)
            for name in values
            for fraction in fractions
        }
    return result


# --- Volume -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VolumeRow:
    """One bucket: tickets created, first resolved, closed (by reason), first reopened
    on its days, and the backlog (created by its last day and not closed by then)."""

    bucket: Bucket
    created: int
    resolved: int
    closed: Mapping[str, int]  # CloseReason value -> count, every reason present
    reopened: int
    backlog: int

    @property
    def closed_total(self) -> int:
        return sum(self.closed.values())


@dataclass(frozen=True)
class VolumeReport:
    rows: tuple[VolumeRow, ...]
    # The backlog the evening before the period's first day.
    backlog_before: int

    @property
    def created(self) -> int:
        return sum(row.created for row in self.rows)

    @property
    def resolved(self) -> int:
        return sum(row.resolved for row in self.rows)

    @property
    def closed(self) -> int:
        return sum(row.closed_total for row in self.rows)

    @property
    def reopened(self) -> int:
        return sum(row.reopened for row in self.rows)


def _by_day(facts: QuerySet[TicketFact], column: str, filters: ReportFilters) -> dict[Any, int]:
    rows = (
        facts.filter(_in_period(column, filters))
        .order_by()
        .values(column)
        .annotate(n=Count("pk"))
        .values_list(column, "n")
    )
    return dict(rows)


def volume_report(facts: QuerySet[TicketFact], filters: ReportFilters) -> VolumeReport:
    """Volume per bucket of the period (five statements).

    The backlog at the end of a bucket is the backlog before the period plus the tickets
    created minus those closed up to that day (a ticket closes on or after the local day
    it was created, in the same zone); the one count before the period reads the open
    rows (partial index `fact_open`) and those closed within the period.
    """
    buckets = filters.buckets()
    created = _by_day(facts, "created_day", filters)
    resolved = _by_day(facts, "resolved_day", filters)
    reopened = _by_day(facts, "reopened_day", filters)
    closed_rows = (
        facts.filter(_in_period("closed_day", filters))
        .order_by()
        .values("closed_day", "close_reason")
        .annotate(n=Count("pk"))
        .values_list("closed_day", "close_reason", "n")
    )
    closed: dict[Any, dict[str, int]] = defaultdict(dict)
    for day, reason, count in closed_rows:
        closed[day][reason] = count
    before = (
        facts.filter(created_day__lt=filters.first)
        .filter(Q(status__in=OPEN) | Q(closed_day__gte=filters.first))
        .count()
    )
    rows = []
    backlog = before
    for bucket in buckets:
        days = [
            bucket.first + datetime.timedelta(days=offset)
            for offset in range((bucket.last - bucket.first).days + 1)
        ]
        by_reason = {
            reason: sum(closed.get(day, {}).get(reason, 0) for day in days)
            for reason in CLOSE_REASONS
        }
        made = sum(created.get(day, 0) for day in days)
        backlog += made - sum(by_reason.values())
        rows.append(
            VolumeRow(
                bucket=bucket,
                created=made,
                resolved=sum(resolved.get(day, 0) for day in days),
                closed=by_reason,
                reopened=sum(reopened.get(day, 0) for day in days),
                backlog=backlog,
            )
        )
    return VolumeReport(rows=tuple(rows), backlog_before=before)


@dataclass(frozen=True)
class BacklogNow:
    """The open tickets now, by status and by tier (and both).

    Of today only: the fact rows keep a ticket's current status and tier, not their
    history, so the backlog over time (`volume_report`) is not split by status or tier.
    """

    cells: Mapping[tuple[str, int], int]  # (status, tier) -> count; absent: 0

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    def by_status(self) -> dict[str, int]:
        counts: dict[str, int] = {str(status): 0 for status in OPEN}
        for (status, _tier), count in self.cells.items():
            counts[status] += count
        return counts

    def by_tier(self) -> dict[int, int]:
        counts = dict.fromkeys(TIERS, 0)
        for (_status, tier), count in self.cells.items():
            counts[tier] += count
        return counts


def backlog_now(facts: QuerySet[TicketFact]) -> BacklogNow:
    """Open tickets by (status, tier), one statement over the partial index `fact_open`."""
    rows = (
        facts.filter(status__in=OPEN)
        .order_by()
        .values("status", "tier")
        .annotate(n=Count("pk"))
        .values_list("status", "tier", "n")
    )
    return BacklogNow(cells={(status, tier): n for status, tier, n in rows})


# --- SLA --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockSummary:
    """How one clock (response or resolution) stands over a group of tickets.

    met / missed: ended by the event within / after the target; late: still running past
    its target (state breached); running: still running within it (running, at risk,
    paused); ended: closed without the event. Seconds: working time the SLA counted, of
    the clocks that ended met or missed (median and 90th percentile, linear interpolation).
    """

    met: int = 0
    missed: int = 0
    late: int = 0
    running: int = 0
    ended: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None

    @property
    def total(self) -> int:
        return self.met + self.missed + self.late + self.running + self.ended

    def share(self, count: int) -> float | None:
        """`count` as a fraction of the group (None for an empty group)."""
        return count / self.total if self.total else None

    @property
    def met_share(self) -> float | None:
        """Met among the clocks that ended by the event or ran late (the compliance rate)."""
        decided = self.met + self.missed + self.late
        return self.met / decided if decided else None


@dataclass(frozen=True)
class SlaRow:
    key: Any  # priority value, tier number, LPSE id, application id; None for the total
    name: str  # the LPSE's or application's name; "" for priority, tier and total
    response: ClockSummary
    resolution: ClockSummary

    @property
    def tickets(self) -> int:
        return self.response.total


@dataclass(frozen=True)
class SlaReport:
    total: SlaRow
    by_priority: tuple[SlaRow, ...]  # emergency first
    by_tier: tuple[SlaRow, ...]  # the tickets' current tier
    by_lpse: tuple[SlaRow, ...]
    by_application: tuple[SlaRow, ...]


def _state_field(state: str) -> str:
    if state in _RUNNING_STATES:
        return "running"
    if state == ClockState.BREACHED:
        return "late"
    return state  # met, missed, ended


_PRIORITY_ORDER = {priority.value: index for index, priority in enumerate(Priority)}
_SECONDS = {"response": F("response_seconds"), "resolution": F("resolution_seconds")}
_FRACTIONS = (0.5, 0.9)


def _sla_rows(
    created: QuerySet[TicketFact], group: str | None, name: str | None
) -> tuple[SlaRow, ...]:
    fields = [field for field in (group, name) if field]
    rows = (
        created.order_by()
        .values(*fields, "response_state", "resolution_state")
        .annotate(n=Count("pk"))
    )
    counts: dict[Any, dict[str, dict[str, int]]] = {}
    names: dict[Any, str] = {}
    for row in rows:
        key = row[group] if group else None
        names[key] = row[name] if name else ""
        clocks = counts.setdefault(key, {"response": {}, "resolution": {}})
        for clock in ("response", "resolution"):
            field = _state_field(row[f"{clock}_state"])
            clocks[clock][field] = clocks[clock].get(field, 0) + row["n"]
    percentiles = _grouped_percentiles(created, group, _SECONDS, _FRACTIONS)
    result = []
    for key in sorted(counts, key=lambda k: (names[k], _PRIORITY_ORDER.get(k, 0), str(k))):
        seconds = percentiles.get(key, {})

        def summary(clock: str, key: Any = key, seconds: Any = seconds) -> ClockSummary:
            return ClockSummary(
                **counts[key][clock],
                median_seconds=seconds.get((clock, 0.5)),
                p90_seconds=seconds.get((clock, 0.9)),
            )

        result.append(SlaRow(key, names[key], summary("response"), summary("resolution")))
    return tuple(result)


def sla_report(facts: QuerySet[TicketFact], filters: ReportFilters) -> SlaReport:
    """SLA outcomes of the tickets created in the period, in total and per priority,
    current tier, LPSE and application (ten statements). Clock states are as the fact
    rows hold them: written at each change and by the SLA sweep's warnings and breaches.
    """
    created = facts.filter(_in_period("created_day", filters))
    total = _sla_rows(created, None, None)
    empty = SlaRow(None, "", ClockSummary(), ClockSummary())
    return SlaReport(
        total=total[0] if total else empty,
        by_priority=_sla_rows(created, "priority", None),
        by_tier=_sla_rows(created, "tier", None),
        by_lpse=_sla_rows(created, "lpse_id", "lpse__name"),
        by_application=_sla_rows(created, "application_id", "application__name"),
    )


# --- Escalation -------------------------------------------------------------------------


class _SecondsSince(Func):
    """Seconds from a datetime column to a fixed moment (`now`), as a float."""

    output_field = FloatField()

    def __init__(self, column: str, now: datetime.datetime) -> None:
        super().__init__(Value(now), F(column))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::float",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


def tier_seconds(tier: int, now: datetime.datetime) -> Expression:
    """Wall-clock seconds a ticket spent at `tier`: its finished stays plus, when it is
    open at that tier now, the current stay; null for a ticket that never reached it."""
    finished = F(f"tier{tier}_seconds")
    return Case(
        When(
            Q(tier=tier, tier_since__isnull=False, max_tier__gte=tier),
            then=finished + _SecondsSince("tier_since", now),
        ),
        When(max_tier__gte=tier, then=finished * 1.0),
        default=None,
        output_field=FloatField(),
    )


@dataclass(frozen=True)
class TierTime:
    tier: int
    tickets: int  # tickets that reached this tier
    mean_seconds: float | None
    median_seconds: float | None


@dataclass(frozen=True)
class EscalationReport:
    """Tickets created in the period: how far they went up and back, and how long each
    tier held them (wall-clock time, finished stays plus the current one until `now`)."""

    tickets: int
    reached_tier2: int  # max tier ≥ 2
    reached_tier3: int
    returned: int  # tickets returned at least once
    returns: int  # returns in all
    tiers: tuple[TierTime, ...]

    def share(self, count: int) -> float | None:
        return count / self.tickets if self.tickets else None


def escalation_report(
    facts: QuerySet[TicketFact], filters: ReportFilters, *, now: datetime.datetime | None = None
) -> EscalationReport:
    """Escalation figures of the tickets created in the period (two statements)."""
    now = now or timezone.now()
    created = facts.filter(_in_period("created_day", filters)).order_by()
    times = {f"t{tier}": tier_seconds(tier, now) for tier in TIERS}
    totals = created.aggregate(
        tickets=Count("pk"),
        tier2=Count("pk", filter=Q(max_tier__gte=2)),
        tier3=Count("pk", filter=Q(max_tier__gte=3)),
        returned=Count("pk", filter=Q(return_count__gt=0)),
        returns=Coalesce(Sum("return_count"), 0, output_field=IntegerField()),
        **{f"mean{tier}": Avg(times[f"t{tier}"]) for tier in TIERS},
    )
    medians = _grouped_percentiles(created, None, times, (0.5,)).get(None, {})
    reached = {1: totals["tickets"], 2: totals["tier2"], 3: totals["tier3"]}
    return EscalationReport(
        tickets=totals["tickets"],
        reached_tier2=totals["tier2"],
        reached_tier3=totals["tier3"],
        returned=totals["returned"],
        returns=totals["returns"],
        tiers=tuple(
            TierTime(
                tier,
                reached[tier],
                totals[f"mean{tier}"],
                medians.get((f"t{tier}", 0.5)),
            )
            for tier in TIERS
        ),
    )


# --- Satisfaction -----------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryCount:
    category_id: int
    name: str
    count: int


@dataclass(frozen=True)
class SatisfactionReport:
    """Tickets closed in the period that could be rated (confirmed or force closed)."""

    rateable: int
    stars: Mapping[int, int]  # 1..5 -> ratings, every value present
    categories: tuple[CategoryCount, ...]  # chosen rating categories, most chosen first

    @property
    def rated(self) -> int:
        return sum(self.stars.values())

    @property
    def rated_share(self) -> float | None:
        return self.rated / self.rateable if self.rateable else None

    @property
    def average(self) -> float | None:
        if not self.rated:
            return None
        return sum(stars * count for stars, count in self.stars.items()) / self.rated


def _rateable(facts: QuerySet[TicketFact], filters: ReportFilters) -> QuerySet[TicketFact]:
    return facts.filter(_in_period("closed_day", filters), close_reason__in=RATEABLE_REASONS)


def satisfaction_report(facts: QuerySet[TicketFact], filters: ReportFilters) -> SatisfactionReport:
    """Ratings of the tickets closed in the period (two statements)."""
    rateable = _rateable(facts, filters)
    stars: dict[int, int] = dict.fromkeys(range(1, 6), 0)
    total = 0
    rows = rateable.order_by().values("rating_stars").annotate(n=Count("pk"))
    for row in rows.values_list("rating_stars", "n"):
        total += row[1]
        if row[0] is not None:
            stars[row[0]] = row[1]
    through = Rating.categories.through
    chosen = (
        through.objects.filter(rating__ticket_id__in=rateable.values("pk"))
        .order_by()
        .values("ratingcategory_id", "ratingcategory__name")
        .annotate(n=Count("pk"))
    )
    categories = sorted(
        (
            CategoryCount(row["ratingcategory_id"], row["ratingcategory__name"], row["n"])
            for row in chosen
        ),
        key=lambda c: (-c.count, c.name),
    )
    return SatisfactionReport(rateable=total, stars=stars, categories=tuple(categories))


@dataclass(frozen=True)
class RatingComment:
    ticket_id: int
    number: str
    stars: int
    created_at: datetime.datetime
    comment: str


def satisfaction_comments(
    facts: QuerySet[TicketFact], filters: ReportFilters, *, limit: int = COMMENT_LIMIT
) -> tuple[RatingComment, ...]:
    """The newest "saran dan kritik" of the tickets `satisfaction_report` counts (one
    statement; reads Rating and the ticket's number). For supervisors only."""
    rows = (
        Rating.objects.filter(ticket_id__in=_rateable(facts, filters).values("pk"))
        .exclude(comment="")
        .order_by("-created_at", "-pk")
        .values_list("ticket_id", "ticket__number", "stars", "created_at", "comment")[:limit]
    )
    return tuple(RatingComment(*row) for row in rows)


# --- Top categories and codes -----------------------------------------------------------


@dataclass(frozen=True)
class TopCategory:
    category_id: int
    path: str  # "A › B › C"
    count: int
    share: float  # of the tickets created in the period


@dataclass(frozen=True)
class TopCode:
    code_kind: str
    code: str
    count: int
    share: float  # of the tickets created in the period
    peak_day: datetime.date
    peak_count: int  # tickets with this code on its busiest local day

    @property
    def likely_incident(self) -> bool:
        return self.peak_count >= INCIDENT_DAY_COUNT


@dataclass(frozen=True)
class TopReport:
    tickets: int  # created in the period
    categories: tuple[TopCategory, ...]
    codes: tuple[TopCode, ...]


def top_report(
    facts: QuerySet[TicketFact], filters: ReportFilters, *, limit: int = TOP_LIMIT
) -> TopReport:
    """The categories and the codes (package, tender…) with the most tickets created in
    the period, most first, ties by category id / code (five statements)."""
    created = facts.filter(_in_period("created_day", filters)).order_by()
    tickets = created.count()
    category_rows = list(
        created.values("category_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "category_id")
        .values_list("category_id", "n")[:limit]
    )
    paths = category_paths() if category_rows else {}
    coded = created.exclude(code="")
    code_rows = list(
        coded.values("code_kind", "code")
        .annotate(n=Count("pk"))
        .order_by("-n", "code_kind", "code")
        .values_list("code_kind", "code", "n")[:limit]
    )
    peaks: dict[tuple[str, str], tuple[int, datetime.date]] = {}
    if code_rows:
        days = (
            coded.filter(code__in=sorted({code for _kind, code, _n in code_rows}))
            .values("code_kind", "code", "created_day")
            .annotate(n=Count("pk"))
            .values_list("code_kind", "code", "created_day", "n")
        )
        for kind, code, day, count in days:
            best = peaks.get((kind, code))
            if best is None or (count, -day.toordinal()) > (best[0], -best[1].toordinal()):
                peaks[(kind, code)] = (count, day)
    share = 1 / tickets if tickets else 0.0
    return TopReport(
        tickets=tickets,
        categories=tuple(
            TopCategory(pk, paths.get(pk, ""), n, n * share) for pk, n in category_rows
        ),
        codes=tuple(
            TopCode(kind, code, n, n * share, peaks[(kind, code)][1], peaks[(kind, code)][0])
            for kind, code, n in code_rows
        ),
    )


# --- Staff ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    """One agent's figures in the period.

    taken: tickets created in the period they held at some tier (first holder there);
    resolved: tickets they resolved first, that resolution in the period; reopened: of
    those, the ones the reporter reopened since; average_stars: the ratings of those;
    median_response_seconds: working seconds to the first response, over the tickets
    created in the period they answered first.
    """

    user_id: int
    name: str
    taken: int = 0
    resolved: int = 0
    reopened: int = 0
    average_stars: float | None = None
    median_response_seconds: float | None = None


def _holders(created: QuerySet[TicketFact]) -> dict[int, int]:
    """Tickets held per agent at any tier, each ticket once (inclusion–exclusion over the
    three first-holder columns: seven grouped statements)."""
    taken: dict[int, int] = defaultdict(int)
    columns = ("holder_tier1", "holder_tier2", "holder_tier3")
    combinations: list[tuple[tuple[str, ...], int]] = [((column,), 1) for column in columns] + [
        (("holder_tier1", "holder_tier2"), -1),
        (("holder_tier1", "holder_tier3"), -1),
        (("holder_tier2", "holder_tier3"), -1),
        (columns, 1),
    ]
    for combination, sign in combinations:
        first, *others = combination
        rows = (
            created.filter(**{f"{first}__isnull": False})
            .filter(**{other: F(first) for other in others})
            .values(first)
            .annotate(n=Count("pk"))
            .values_list(first, "n")
        )
        for user_id, count in rows:
            taken[user_id] += sign * count
    return {user_id: count for user_id, count in taken.items() if count}


def staff_report(facts: QuerySet[TicketFact], filters: ReportFilters) -> tuple[StaffRow, ...]:
    """Per agent with at least one figure, by name (ten statements)."""
    created = facts.filter(_in_period("created_day", filters)).order_by()
    taken = _holders(created)
    resolved_rows = (
        facts.filter(_in_period("resolved_day", filters), resolved_by__isnull=False)
        .order_by()
        .values("resolved_by")
        .annotate(
            n=Count("pk"),
            reopened=Count("pk", filter=Q(reopen_count__gt=0)),
            stars=Avg("rating_stars"),
        )
        .values_list("resolved_by", "n", "reopened", "stars")
    )
    resolved = {row[0]: row[1:] for row in resolved_rows}
    responses = _grouped_percentiles(
        created.filter(first_responder__isnull=False, response_seconds__isnull=False),
        "first_responder",
        {"response": F("response_seconds")},
        (0.5,),
    )
    ids = set(taken) | set(resolved) | set(responses)
    names = {
        user.pk: user.display_name
        for user in User.objects.filter(pk__in=sorted(ids)).only(
            "pk", "full_name", "first_name", "last_name", "username"
        )
    }
    rows = [
        StaffRow(
            user_id=user_id,
            name=names.get(user_id, ""),
            taken=taken.get(user_id, 0),
            resolved=resolved.get(user_id, (0,))[0],
            reopened=resolved.get(user_id, (0, 0))[1],
            average_stars=resolved.get(user_id, (0, 0, None))[2],
            median_response_seconds=responses.get(user_id, {}).get(("response", 0.5)),
        )
        for user_id in ids
    ]
    return tuple(sorted(rows, key=lambda row: (row.name.casefold(), row.user_id)))


# --- Freshness --------------------------------------------------------------------------


def facts_staleness(facts: QuerySet[TicketFact]) -> datetime.datetime | None:
    """When the open tickets' rows were last written (one statement over `fact_open`).

    Counts are live (rows are written in each change's transaction); what ages is a
    running clock's state, written at changes and by the SLA sweep. Closed tickets' rows
    are final. None when nothing is open.
    """
    return facts.filter(status__in=OPEN).aggregate(at=Max("refreshed_at"))["at"]
