"""The report queries (reports/queries.py) equal a brute-force count over the tickets,
their events and ratings themselves (not the fact rows), for scopes, filters, periods and
groupings that change the SQL; they stay within their scope and a bounded statement count.
"""

import datetime
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import reporter_upsert
from reference.models import Lpse, Priority
from reports import queries
from reports.filters import (
    GROUP_DAY,
    PERIOD_RANGE,
    ReportFilters,
)
from sla.calendars import CalendarBook
from sla.clocks import ClockState, ticket_clocks
from tickets import services
from tickets.access import report_scope_q
from tickets.exports import category_paths
from tickets.models import (
    CloseReason,
    EventKind,
    Rating,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.queues import category_subtree_ids
from tickets.tests.factories import make_ticket
from tickets.tests.test_facts import MONDAY, at, walked  # noqa: F401 (a fixture)
from tickets.ticket_sla import clock_input, sla_sweep

END_DAY = "2026-01-15"
END = datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC)
N = 700
DAYS = 60
# The report statement counts, whatever the number of tickets.
MAX_QUERIES = {
    "volume": 5,
    "backlog": 1,
    "sla": 10,
    "escalation": 2,
    "satisfaction": 2,
    "comments": 1,
    "top": 5,
    "staff": 10,
    "staleness": 1,
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def filters_for(
    first: datetime.date, last: datetime.date, grouping: str = GROUP_DAY, **dimensions: Any
) -> ReportFilters:
    category = dimensions.get("category")
    if category is not None:
        dimensions["category_ids"] = frozenset(category_subtree_ids(category.pk))
    return ReportFilters(PERIOD_RANGE, first, last, grouping, **dimensions)


# --- The brute force ----------------------------------------------------------------------


@dataclass
class Plain:
    """What the brute force knows of one ticket, from its row, events and rating."""

    id: int
    number: str
    lpse_id: int
    lpse_name: str
    application_id: int
    application_name: str
    category_id: int
    priority: str
    tier: int
    max_tier: int
    status: str
    created_day: datetime.date
    closed_day: datetime.date | None
    close_reason: str
    reopen_count: int
    code_kind: str
    code: str
    response_state: str
    resolution_state: str
    response_seconds: float | None
    resolution_seconds: float | None
    resolved_day: datetime.date | None = None
    resolved_by: int | None = None
    reopened_day: datetime.date | None = None
    first_responder: int | None = None
    returns: int = 0
    holders: dict[int, int | None] = field(default_factory=dict)
    tier_seconds: dict[int, float] = field(default_factory=dict)
    stars: int | None = None
    rated_at: datetime.datetime | None = None
    comment: str = ""
    rating_categories: list[tuple[int, str]] = field(default_factory=list)


def _seconds(reading) -> float | None:
    if reading.state not in (ClockState.MET, ClockState.MISSED):
        return None
    return round((reading.target - reading.remaining).total_seconds())


def brute_tickets(user: User, filters: ReportFilters, now: datetime.datetime) -> list[Plain]:
    """Every ticket in the user's scope and the filters' dimensions, told from scratch."""
    book = CalendarBook.load()
    tickets = (
        Ticket.objects.filter(report_scope_q(user))
        .filter(filters.dimension_q())
        .select_related("lpse", "application")
        .order_by("pk")
    )
    events = defaultdict(list)
    for event in TicketEvent.objects.order_by("ticket_id", "created_at", "pk"):
        events[event.ticket_id].append(event)
    ratings = {r.ticket_id: r for r in Rating.objects.prefetch_related("categories")}
    plain = []
    for ticket in tickets:
        zone = ZoneInfo(ticket.lpse.timezone)

        def day(moment, zone=zone):
            return moment.astimezone(zone).date() if moment else None

        clocks = ticket_clocks(clock_input(ticket), book, now)
        p = Plain(
            id=ticket.pk,
            number=ticket.number,
            lpse_id=ticket.lpse_id,
            lpse_name=ticket.lpse.name,
            application_id=ticket.application_id,
            application_name=ticket.application.name,
            category_id=ticket.category_id,
            priority=ticket.priority,
            tier=ticket.tier,
            max_tier=ticket.max_tier,
            status=ticket.status,
            created_day=day(ticket.created_at),
            closed_day=day(ticket.closed_at),
            close_reason=ticket.close_reason,
            reopen_count=ticket.reopen_count,
            code_kind=ticket.code_kind,
            code=ticket.code,
            response_state=clocks.response.state.value,
            resolution_state=clocks.resolution.state.value,
            response_seconds=_seconds(clocks.response),
            resolution_seconds=_seconds(clocks.resolution),
        )
        tier, since = 1, ticket.created_at
        stays: dict[int, float] = defaultdict(float)
        stays[1] = 0.0
        for event in events[ticket.pk]:
            kind = event.kind
            if (
                kind in (EventKind.REPLIED, EventKind.FEEDBACK_REQUESTED, EventKind.RESOLVED)
                and p.first_responder is None
            ):
                p.first_responder = event.actor_id
            if kind == EventKind.RESOLVED and p.resolved_day is None:
                p.resolved_day, p.resolved_by = day(event.created_at), event.actor_id
            if kind == EventKind.REOPENED and p.reopened_day is None:
                p.reopened_day = day(event.created_at)
            if kind in (EventKind.TAKEN, EventKind.ASSIGNED) and tier not in p.holders:
                p.holders[tier] = (event.data or {}).get("holder", event.actor_id)
            if kind in (EventKind.ESCALATED, EventKind.RETURNED):
                p.returns += kind == EventKind.RETURNED
                stays[tier] += (event.created_at - since).total_seconds()
                tier, since = event.data["to_tier"], event.created_at
                stays[tier] += 0.0
        if ticket.closed_at is not None:
            stays[tier] += (ticket.closed_at - since).total_seconds()
        # Finished stays count in whole seconds, the current one until `now`.
        p.tier_seconds = {t: float(round(seconds)) for t, seconds in stays.items()}
        if ticket.closed_at is None:
            p.tier_seconds[tier] += (now - since).total_seconds()
        rating = ratings.get(ticket.pk)
        if rating is not None:
            p.stars, p.rated_at, p.comment = rating.stars, rating.created_at, rating.comment
            p.rating_categories = [(c.pk, c.name) for c in rating.categories.all()]
        plain.append(p)
    return plain


def within(day: datetime.date | None, first: datetime.date, last: datetime.date) -> bool:
    return day is not None and first <= day <= last


def p50_p90(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    if len(values) == 1:
        return float(values[0]), float(values[0])
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return float(statistics.median(values)), float(deciles[8])


def close(a: float | None, b: float | None, tolerance: float = 1e-6) -> bool:
    """Equal within `tolerance` (absolute): SQLite's julianday arithmetic for the
    current tier stay is exact to well under a millisecond."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tolerance


# --- Compare ------------------------------------------------------------------------------


def check_volume(facts, filters, plain):
    report = queries.volume_report(facts, filters)
    assert [row.bucket for row in report.rows] == filters.buckets()
    for row in report.rows:
        b = row.bucket
        assert row.created == sum(within(p.created_day, b.first, b.last) for p in plain)
        assert row.resolved == sum(within(p.resolved_day, b.first, b.last) for p in plain)
        assert row.reopened == sum(within(p.reopened_day, b.first, b.last) for p in plain)
        for reason in CloseReason:
            expected = sum(
                within(p.closed_day, b.first, b.last) and p.close_reason == reason for p in plain
            )
            assert row.closed[reason.value] == expected, (b, reason)
        backlog = sum(
            p.created_day <= b.last and (p.closed_day is None or p.closed_day > b.last)
            for p in plain
        )
        assert row.backlog == backlog, b
    now = queries.backlog_now(facts)
    open_ = [p for p in plain if p.closed_day is None]
    assert now.total == len(open_)
    assert dict(now.cells) == dict(Counter((p.status, p.tier) for p in open_))
    assert now.by_tier() == {t: sum(p.tier == t for p in open_) for t in (1, 2, 3)}


_GROUP = {"met": "met", "missed": "missed", "breached": "late", "ended": "ended"}


def expected_summary(tickets: list[Plain], clock: str) -> dict[str, Any]:
    states = Counter(_GROUP.get(getattr(p, f"{clock}_state"), "running") for p in tickets)
    seconds = [
        getattr(p, f"{clock}_seconds")
        for p in tickets
        if getattr(p, f"{clock}_seconds") is not None
    ]
    median, p90 = p50_p90(seconds)
    return {**{k: states.get(k, 0) for k in _GROUP.values()}, "running": states.get("running", 0),
            "median": median, "p90": p90}  # fmt: skip


def assert_summary(summary: queries.ClockSummary, expected: dict[str, Any]) -> None:
    got = {
        "met": summary.met,
        "missed": summary.missed,
        "late": summary.late,
        "running": summary.running,
        "ended": summary.ended,
    }
    assert got == {k: expected[k] for k in got}
    assert close(summary.median_seconds, expected["median"])
    assert close(summary.p90_seconds, expected["p90"])


def check_sla(facts, filters, plain):
    report = queries.sla_report(facts, filters)
    created = [p for p in plain if within(p.created_day, filters.first, filters.last)]
    for clock in ("response", "resolution"):
        assert_summary(getattr(report.total, clock), expected_summary(created, clock))
    for rows, attribute in (
        (report.by_priority, "priority"),
        (report.by_tier, "tier"),
        (report.by_lpse, "lpse_id"),
        (report.by_application, "application_id"),
    ):
        groups = defaultdict(list)
        for p in created:
            groups[getattr(p, attribute)].append(p)
        assert {row.key for row in rows} == set(groups)
        for row in rows:
            for clock in ("response", "resolution"):
                assert_summary(getattr(row, clock), expected_summary(groups[row.key], clock))
        if attribute == "priority":
            order = [p.value for p in Priority]
            keys = [row.key for row in rows]
            assert keys == sorted(keys, key=order.index)
        if attribute == "lpse_id":
            names = {p.lpse_id: p.lpse_name for p in created}
            assert {row.key: row.name for row in rows} == names


def check_escalation(facts, filters, plain, now):
    report = queries.escalation_report(facts, filters, now=now)
    created = [p for p in plain if within(p.created_day, filters.first, filters.last)]
    assert report.tickets == len(created)
    assert report.reached_tier2 == sum(p.max_tier >= 2 for p in created)
    assert report.reached_tier3 == sum(p.max_tier >= 3 for p in created)
    assert report.returned == sum(p.returns > 0 for p in created)
    assert report.returns == sum(p.returns for p in created)
    for tier_time in report.tiers:
        tier = tier_time.tier
        spent = [p.tier_seconds.get(tier, 0.0) for p in created if p.max_tier >= tier]
        assert tier_time.tickets == len(spent)
        mean = statistics.fmean(spent) if spent else None
        median = statistics.median(spent) if spent else None
        assert close(tier_time.mean_seconds, mean, 0.01), tier
        assert close(tier_time.median_seconds, median, 0.01), tier


def check_satisfaction(facts, filters, plain):
    report = queries.satisfaction_report(facts, filters)
    rateable = [
        p
        for p in plain
        if within(p.closed_day, filters.first, filters.last)
        and p.close_reason in (CloseReason.CONFIRMED, CloseReason.FORCE_CLOSED)
    ]
    assert report.rateable == len(rateable)
    stars = Counter(p.stars for p in rateable if p.stars is not None)
    assert dict(report.stars) == {s: stars.get(s, 0) for s in range(1, 6)}
    chosen = Counter(c for p in rateable for c in p.rating_categories)
    assert {(c.category_id, c.name): c.count for c in report.categories} == dict(chosen)
    counts = [c.count for c in report.categories]
    assert counts == sorted(counts, reverse=True)
    comments = queries.satisfaction_comments(facts, filters)
    expected = sorted(
        (p for p in rateable if p.comment), key=lambda p: (p.rated_at, p.id), reverse=True
    )[: queries.COMMENT_LIMIT]
    assert [(c.ticket_id, c.number, c.stars, c.comment) for c in comments] == [
        (p.id, p.number, p.stars, p.comment) for p in expected
    ]


def check_top(facts, filters, plain):
    report = queries.top_report(facts, filters)
    created = [p for p in plain if within(p.created_day, filters.first, filters.last)]
    assert report.tickets == len(created)
    categories = Counter(p.category_id for p in created)
    expected = sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    paths = category_paths()
    assert [(c.category_id, c.count, c.path) for c in report.categories] == [
        (pk, n, paths[pk]) for pk, n in expected
    ]
    assert all(c.share == pytest.approx(c.count / len(created)) for c in report.categories)
    codes = Counter((p.code_kind, p.code) for p in created if p.code)
    expected_codes = sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [((c.code_kind, c.code), c.count) for c in report.codes] == expected_codes
    for code in report.codes:
        per_day = Counter(
            p.created_day for p in created if (p.code_kind, p.code) == (code.code_kind, code.code)
        )
        assert code.peak_count == max(per_day.values())
        assert per_day[code.peak_day] == code.peak_count
        assert code.likely_incident == (code.peak_count >= 10)


def check_staff(facts, filters, plain):
    rows = queries.staff_report(facts, filters)
    created = [p for p in plain if within(p.created_day, filters.first, filters.last)]
    taken = Counter(u for p in created for u in set(p.holders.values()) if u is not None)
    resolved = [
        p for p in plain if p.resolved_by and within(p.resolved_day, filters.first, filters.last)
    ]
    responses = defaultdict(list)
    for p in created:
        if p.first_responder and p.response_seconds is not None:
            responses[p.first_responder].append(p.response_seconds)
    ids = set(taken) | {p.resolved_by for p in resolved} | set(responses)
    assert {row.user_id for row in rows} == ids
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)}
    for row in rows:
        mine = [p for p in resolved if p.resolved_by == row.user_id]
        stars = [p.stars for p in mine if p.stars is not None]
        assert row.name == names[row.user_id]
        assert row.taken == taken.get(row.user_id, 0)
        assert row.resolved == len(mine)
        assert row.reopened == sum(p.reopen_count > 0 for p in mine)
        assert close(row.average_stars, statistics.fmean(stars) if stars else None)
        median = p50_p90(responses.get(row.user_id, []))[0]
        assert close(row.median_response_seconds, median)


def check_all(user: User, filters: ReportFilters, now: datetime.datetime = END) -> list[Plain]:
    facts = queries.report_facts(user, filters)
    plain = brute_tickets(user, filters, now)
    check_volume(facts, filters, plain)
    check_sla(facts, filters, plain)
    check_escalation(facts, filters, plain, now)
    check_satisfaction(facts, filters, plain)
    check_top(facts, filters, plain)
    check_staff(facts, filters, plain)
    return plain


# --- The tests ----------------------------------------------------------------------------


def test_a_walk_through_three_tiers_and_back_by_the_services(
    request, supervisor, alice, agent, lkpp_spse
):
    """Returns, tier stays (finished and current), reopen and rating categories, built
    through the services (`walked` of the facts' tests; the synthetic data has no returns).
    """
    t = request.getfixturevalue("walked")
    # A second ticket still open at tier 2: its current stay counts until `now`.
    u = make_ticket(alice, now=at(1))
    u = services.ticket_take(ticket=u, actor=agent, now=at(2))
    services.ticket_escalate(ticket=u, actor=agent, note="Perlu LKPP.", now=at(2.5))
    now = at(30)
    # The sweep writes the breach of the open ticket's running clock into its fact row.
    sla_sweep(now=now)
    filters = filters_for(MONDAY.date(), MONDAY.date() + datetime.timedelta(days=2))
    plain = check_all(supervisor, filters, now)
    assert len(plain) == 2
    facts = queries.report_facts(supervisor, filters)
    escalation = queries.escalation_report(facts, filters, now=now)
    assert (escalation.returned, escalation.returns, escalation.reached_tier3) == (1, 1, 1)
    tier2 = escalation.tiers[1]
    # Ticket one: 7 h at tier 2 (3→5, 6→closed at 11); ticket two: 27.5 h so far.
    assert tier2.tickets == 2
    assert tier2.mean_seconds == pytest.approx((7 * 3600 + 27.5 * 3600) / 2, abs=1)
    staff = {row.user_id: row for row in queries.staff_report(facts, filters)}
    assert staff[lkpp_spse.pk].taken == 1 and staff[lkpp_spse.pk].resolved == 1
    assert staff[lkpp_spse.pk].reopened == 1 and staff[lkpp_spse.pk].average_stars == 4
    assert staff[agent.pk].taken == 2
    assert queries.satisfaction_report(facts, filters).categories
    assert queries.satisfaction_comments(facts, filters) == ()  # rated without a comment
    Rating.objects.filter(ticket=t).update(comment="Cepat, terima kasih.")
    [comment] = queries.satisfaction_comments(facts, filters)
    assert (comment.number, comment.stars, comment.comment) == (t.number, 4, "Cepat, terima kasih.")


def test_percentiles_agree_with_postgresql_and_statistics(db):
    rng = random.Random(17)
    for size in (1, 2, 3, 10, 101):
        values = [rng.randint(0, 100_000) for _ in range(size)]
        median, p90 = p50_p90(values)
        assert queries.percentile_cont(values, 0.5) == pytest.approx(median)
        assert queries.percentile_cont(values, 0.9) == pytest.approx(p90)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v),"
                    " percentile_cont(0.9) WITHIN GROUP (ORDER BY v) FROM unnest(%s) AS v",
                    [values],
                )
                pg_median, pg_p90 = cursor.fetchone()
            assert queries.percentile_cont(values, 0.5) == pytest.approx(pg_median)
            assert queries.percentile_cont(values, 0.9) == pytest.approx(pg_p90)
    assert queries.percentile_cont([], 0.5) is None


def test_a_ticket_filed_late_in_wit_counts_on_its_wit_day_for_a_wib_viewer(reference, supervisor):
    """23:30 WIT on 2 March is 21:30 WIB and 14:30 UTC: it counts on 2 March for all; one
    filed at 00:30 WIT on 3 March (22:30 WIB on 2 March) counts on 3 March."""
    wit = ZoneInfo("Asia/Jayapura")
    lpse = Lpse.objects.filter(timezone="Asia/Jayapura").first()
    assert lpse is not None
    reporter = reporter_upsert(
        source="spse",
        kd_lpse=lpse.kd_lpse,
        user_id="ppk-wit",
        name="Pelapor Papua",
        email="ppk-wit@example.go.id",
        role="ppk",
        instansi="Instansi Uji",
    )
    late = make_ticket(reporter, now=datetime.datetime(2026, 3, 2, 23, 30, tzinfo=wit))
    early = make_ticket(reporter, now=datetime.datetime(2026, 3, 3, 0, 30, tzinfo=wit))
    assert late.lpse_id == early.lpse_id == lpse.pk
    now = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=wit)
    sla_sweep(now=now)
    days = ((datetime.date(2026, 3, 2), late), (datetime.date(2026, 3, 3), early))
    for day, expected in days:
        filters = filters_for(day, day)
        facts = queries.report_facts(supervisor, filters)
        volume = queries.volume_report(facts, filters)
        assert [row.created for row in volume.rows] == [1]
        top = queries.top_report(facts, filters)
        assert top.tickets == 1
        assert set(facts.filter(created_day=day).values_list("pk", flat=True)) == {expected.pk}
        with timezone.override(ZoneInfo("Asia/Jakarta")):  # the viewer's zone plays no part
            check_all(supervisor, filters, now)
    assert Ticket.objects.filter(status=Status.NEW).count() == 2
    assert not Ticket.objects.filter(~Q(lpse=lpse)).exists()
