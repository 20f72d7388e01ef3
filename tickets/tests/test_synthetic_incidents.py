"""Tender incidents in the generated data (issue 17): a few tender codes get 20–60
tickets in one LPSE within one to three local days, in one category, mostly from
providers, and the reports' top codes find them."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from reports.filters import GROUP_DAY, PERIOD_RANGE, ReportFilters
from reports.queries import top_report
from tickets.models import Ticket, TicketFact

END = datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_incidents_are_clusters_of_one_tender_that_the_top_codes_find(db, reference):
    # Given 4,000 generated tickets over 60 days (about 65 a day)
    call_command("generate_tickets", tickets=4000, seed=3, batch=1000, end="2026-01-15", days=60)
    # Then some codes have many tickets: each one LPSE's, within three local days, in
    # one category, mostly filed by providers
    by_code: dict[str, list[tuple]] = defaultdict(list)
    rows = Ticket.objects.exclude(code="").values_list(
        "code", "lpse_id", "created_at", "category_id", "reporter_role", "fact__created_day"
    )
    for code, *rest in rows:
        by_code[code].append(tuple(rest))
    incidents = {code: tickets for code, tickets in by_code.items() if len(tickets) >= 10}
    assert len(incidents) >= 2
    roles: Counter[str] = Counter()
    for code, tickets in incidents.items():
        assert len({lpse for lpse, *_ in tickets}) == 1, code
        assert len({category for _l, _c, category, _r, _d in tickets}) == 1, code
        days = sorted(day for *_x, day in tickets)
        assert (days[-1] - days[0]).days <= 2, code
        roles.update(role for _l, _c, _cat, role, _d in tickets)
    assert roles["pelaku_usaha"] / sum(roles.values()) >= 0.7
    # ... while other codes stay small
    assert max(len(t) for c, t in by_code.items() if c not in incidents) < 5
    # And the top codes of the whole period start with them
    first = TicketFact.objects.earliest("created_day").created_day
    last = TicketFact.objects.latest("created_day").created_day
    top = top_report(TicketFact.objects.all(), ReportFilters(PERIOD_RANGE, first, last, GROUP_DAY))
    leading = top.codes[: min(len(incidents), len(top.codes))]
    assert {row.code for row in leading} <= set(incidents)
    assert leading[0].likely_incident
