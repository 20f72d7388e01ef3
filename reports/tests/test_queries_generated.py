"""The report queries and pages on one generated data set: 700 tickets over 60 days up to
2026-01-15, written once for this module (testsupport/dataset.py) and only read here.

The brute force they are compared with is in test_queries.py.
"""

import datetime
import io
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reference.models import Application, Category, Lpse
from reports import queries
from reports.filters import GROUP_DAY, GROUP_MONTH, GROUP_WEEK
from reports.tests.test_queries import (  # noqa: F401 (a fixture)
    DAYS,
    END,
    END_DAY,
    MAX_QUERIES,
    N,
    check_all,
    fast_passwords,
    filters_for,
    within,
)
from reports.tests.test_report_pages import SLUGS, _console_count, _login
from testsupport.dataset import committed_for_module
from tickets.access import report_scope_q
from tickets.facts import ticket_facts_rebuild
from tickets.models import Ticket, TicketFact


def _generate() -> None:
    call_command(
        "generate_tickets",
        tickets=N,
        seed=7,
        batch=250,
        end=END_DAY,
        days=DAYS,
        stdout=io.StringIO(),
    )
    # A burst: one code on a dozen tickets of one local day (a likely incident).
    burst = Ticket.objects.filter(
        created_at__gte=datetime.datetime(2026, 1, 5, 2, tzinfo=datetime.UTC),
        created_at__lt=datetime.datetime(2026, 1, 5, 14, tzinfo=datetime.UTC),
    ).values_list("pk", flat=True)
    assert len(burst) >= queries.INCIDENT_DAY_COUNT
    Ticket.objects.filter(pk__in=list(burst)).update(code_kind="package", code="10987001")
    for _ in ticket_facts_rebuild(now=END):
        pass


@pytest.fixture(scope="module")
def generated_once(django_db_setup, django_db_blocker) -> Iterator[None]:
    yield from committed_for_module(django_db_blocker, _generate)


@pytest.fixture
def generated(generated_once, db, reference) -> None:
    """700 generated tickets over 60 days up to END (plus a burst on one code), with
    their fact rows."""


LAST = datetime.date(2026, 1, 14)
PERIODS = [
    (LAST - datetime.timedelta(days=29), LAST, GROUP_DAY),
    (LAST - datetime.timedelta(days=59), LAST, GROUP_WEEK),
    (datetime.date(2025, 11, 10), datetime.date(2026, 1, 15), GROUP_MONTH),
    # One day: the local-day edge of WIB, WITA and WIT tickets.
    (datetime.date(2026, 1, 2), datetime.date(2026, 1, 2), GROUP_DAY),
]


@pytest.mark.parametrize(("first", "last", "grouping"), PERIODS)
def test_national_reports_equal_the_brute_force(generated, supervisor, first, last, grouping):
    plain = check_all(supervisor, filters_for(first, last, grouping))
    assert len(plain) == N


def test_the_data_set_has_what_the_reports_count(generated, supervisor):
    """The comparisons above mean something: every state and kind of figure occurs."""
    filters = filters_for(LAST - datetime.timedelta(days=59), LAST, GROUP_WEEK)
    facts = queries.report_facts(supervisor, filters)
    total = queries.sla_report(facts, filters).total
    for summary in (total.response, total.resolution):
        assert min(summary.met, summary.missed, summary.late, summary.running, summary.ended)
    escalation = queries.escalation_report(facts, filters, now=END)
    assert escalation.reached_tier2 and escalation.reached_tier3
    satisfaction = queries.satisfaction_report(facts, filters)
    assert all(satisfaction.stars.values()) and satisfaction.categories
    assert len(queries.satisfaction_comments(facts, filters)) == queries.COMMENT_LIMIT
    codes = queries.top_report(facts, filters).codes
    assert codes[0].code == "10987001" and codes[0].likely_incident
    assert not codes[-1].likely_incident
    volume = queries.volume_report(facts, filters)
    assert all(volume.rows[-1].closed.values()) and volume.reopened
    assert len(queries.staff_report(facts, filters)) > 10
    zones = set(Ticket.objects.values_list("lpse__timezone", flat=True))
    assert zones == {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}


def test_each_dimension_filter_alone(generated, supervisor):
    first, last = LAST - datetime.timedelta(days=44), LAST
    busiest = Counter(Ticket.objects.values_list("lpse_id", flat=True)).most_common(1)[0][0]
    application = Application.objects.get(
        pk=Counter(Ticket.objects.values_list("application_id", flat=True)).most_common(1)[0][0]
    )
    parent = Category.objects.filter(
        application=application, parent__isnull=True, children__isnull=False
    ).first()
    assert parent is not None
    dimensions: list[dict[str, Any]] = [
        {"lpse": Lpse.objects.get(pk=busiest)},
        {"application": application},
        {"category": parent},
        {"tier": 2},
        {"priority": "major"},
        {"reporter_role": "ppk"},
    ]
    for chosen in dimensions:
        plain = check_all(supervisor, filters_for(first, last, GROUP_WEEK, **chosen))
        assert plain, chosen


@pytest.mark.parametrize("persona", ["supervisor_119", "supervisor_spse_group"])
def test_scoped_supervisors_see_only_their_scope(generated, persona, request):
    user = request.getfixturevalue(persona)
    filters = filters_for(LAST - datetime.timedelta(days=59), LAST, GROUP_WEEK)
    plain = check_all(user, filters)
    assert plain, "the scope has tickets"
    scope = Ticket.objects.filter(report_scope_q(user))
    outside = set(Ticket.objects.exclude(pk__in=scope.values("pk")).values_list("pk", flat=True))
    assert outside, "the data set has tickets outside the scope"
    assert not outside & {p.id for p in plain}
    facts = queries.report_facts(user, filters)
    assert not outside & set(facts.values_list("pk", flat=True))
    comments = queries.satisfaction_comments(facts, filters, limit=1000)
    assert not outside & {c.ticket_id for c in comments}
    # Staff figures count only the scope's tickets.
    everyone = queries.staff_report(TicketFact.objects.all(), filters)
    mine = queries.staff_report(facts, filters)
    assert sum(row.resolved for row in mine) == sum(
        1 for p in plain if p.resolved_by and within(p.resolved_day, filters.first, filters.last)
    )
    assert sum(row.resolved for row in mine) < sum(row.resolved for row in everyone)
    lpses = {row.key for row in queries.sla_report(facts, filters).by_lpse}
    if persona == "supervisor_119":
        assert lpses <= {Lpse.objects.get(kd_lpse=119).pk}


def test_a_supervisor_of_an_empty_group_counts_nothing(generated, supervisor_empty_group):
    filters = filters_for(LAST - datetime.timedelta(days=59), LAST, GROUP_WEEK)
    facts = queries.report_facts(supervisor_empty_group, filters)
    assert not facts.exists()
    volume = queries.volume_report(facts, filters)
    assert (volume.created, volume.closed, volume.rows[-1].backlog) == (0, 0, 0)
    assert queries.backlog_now(facts).total == 0
    sla = queries.sla_report(facts, filters)
    assert sla.total.tickets == 0 and sla.total.response.met_share is None
    assert sla.by_lpse == ()
    assert queries.escalation_report(facts, filters, now=END).share(0) is None
    assert queries.satisfaction_report(facts, filters).average is None
    assert queries.satisfaction_comments(facts, filters) == ()
    assert queries.top_report(facts, filters) == queries.TopReport(0, (), ())
    assert queries.staff_report(facts, filters) == ()
    assert queries.facts_staleness(facts) is None


def test_statement_counts_do_not_grow_with_tickets(generated, supervisor):
    filters = filters_for(LAST - datetime.timedelta(days=59), LAST, GROUP_DAY)
    facts = queries.report_facts(supervisor, filters)
    calls = {
        "volume": lambda: queries.volume_report(facts, filters),
        "backlog": lambda: queries.backlog_now(facts),
        "sla": lambda: queries.sla_report(facts, filters),
        "escalation": lambda: queries.escalation_report(facts, filters, now=END),
        "satisfaction": lambda: queries.satisfaction_report(facts, filters),
        "comments": lambda: queries.satisfaction_comments(facts, filters),
        "top": lambda: queries.top_report(facts, filters),
        "staff": lambda: queries.staff_report(facts, filters),
        "staleness": lambda: queries.facts_staleness(facts),
    }
    for name, call in calls.items():
        with CaptureQueriesContext(connection) as captured:
            call()
        assert len(captured) <= MAX_QUERIES[name], (name, [q["sql"] for q in captured])
    assert queries.facts_staleness(facts) == END


@pytest.mark.parametrize("persona", ["supervisor", "supervisor_119", "supervisor_spse_group"])
def test_reports_read_the_fact_rows_through_indexes(generated, persona, request):
    """With sequential scans off, no report statement scans the whole fact table: every
    one is served by an index (the period's day, the open rows' partial index…)."""
    if connection.vendor != "postgresql":
        pytest.skip("plans are checked on PostgreSQL, where the million tickets live")
    user = request.getfixturevalue(persona)
    filters = filters_for(LAST - datetime.timedelta(days=29), LAST, GROUP_DAY)
    facts = queries.report_facts(user, filters)
    with CaptureQueriesContext(connection) as captured:
        queries.volume_report(facts, filters)
        queries.backlog_now(facts)
        queries.sla_report(facts, filters)
        queries.escalation_report(facts, filters, now=END)
        queries.satisfaction_report(facts, filters)
        queries.satisfaction_comments(facts, filters)
        queries.top_report(facts, filters)
        queries.staff_report(facts, filters)
        queries.facts_staleness(facts)
    statements = [q["sql"] for q in captured if "tickets_ticketfact" in q["sql"]]
    assert len(statements) > 20
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in statements:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on tickets_ticketfact" not in plan, (sql, plan)


# --- Every number's link lists exactly the tickets it counts ------------------------------

# The whole period of the data set, by month.
PERIOD = "periode=rentang&dari=17/11/2025&sampai=15/01/2026&per=bulan"


@pytest.mark.usefixtures("generated")
def test_every_linked_number_equals_its_console_list(client, request, kept):
    """The national view, and a group supervisor with two dimension filters (one data set
    for both: it takes a while to generate)."""
    for reader, narrow in (
        ("supervisor", ""),
        ("supervisor_spse_group", "&prioritas=medium&peran=pelaku_usaha"),
    ):
        _login(client, request.getfixturevalue(reader))
        checked = 0
        for slug in SLUGS:
            page = client.get(f"/konsol/laporan/{slug}/?{PERIOD}{narrow}")
            assert page.status_code == 200, slug
            assert not page.context["form"].errors, page.context["form"].errors
            for table in page.context["view"].tables:
                for row in table.rows:
                    for cell in row:
                        if cell.href and cell.numeric:
                            assert _console_count(client, cell.href) == cell.value, (
                                reader,
                                slug,
                                table.key,
                                row[0].text,
                                cell.href,
                            )
                            checked += 1
        assert checked > 20, reader
