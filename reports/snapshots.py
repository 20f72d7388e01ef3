"""Built report pages kept for a few minutes (issue 17: reports at a million tickets).

A national report over 90 days reads some hundred thousand fact rows: 0.2–0.8 s of
database time per report at 1,000,000 tickets (docs/performance.md). Supervisors open
the same reports over and over, so the built page (numbers, charts, links) is kept in
the shared cache (`REPORT_CACHE_SECONDS`, default 300; 0 builds every time) and the page
says when its numbers were computed.

The key is the report, the SQL of the fact rows it reads (the reader's scope and the
filters' dimensions, exactly as `report_facts` builds it), the period's dates and the
grouping: two readers share an entry only when they may count exactly the same rows.
Who may read is asked before this, on every request (reports/views.py), so a removed
assignment or a deactivated account never reads an entry; a changed scope is another
key. The monthly mail does not come here: it counts afresh.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet

from accounts.models import User
from reports.builders import ReportSpec
from reports.filters import ReportFilters
from reports.pages import ReportView
from reports.queries import report_facts

KEY_PREFIX = "report-view:v1:"


@dataclass(frozen=True)
class Snapshot:
    view: ReportView
    # When the numbers were counted (the moment the report was built).
    computed_at: datetime.datetime
    # Whether it came from the cache (the page then says it may be a few minutes old).
    cached: bool


def snapshot_key(slug: str, user: User, filters: ReportFilters) -> str:
    try:
        sql = str(report_facts(user, filters).query)
    except EmptyResultSet:  # a scope of nothing (an empty application group)
        sql = "(nothing)"
    parts = [
        slug,
        sql,
        filters.first.isoformat(),
        filters.last.isoformat(),
        repr(sorted(filters.query_params().items())),
    ]
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return KEY_PREFIX + digest


def report_snapshot(
    slug: str, spec: ReportSpec, *, user: User, filters: ReportFilters, now: datetime.datetime
) -> Snapshot:
    """The report's page as built at most `REPORT_CACHE_SECONDS` ago for exactly these
    rows, or built now (and kept)."""
    seconds = settings.REPORT_CACHE_SECONDS
    if seconds <= 0:
        return Snapshot(spec.build(user=user, filters=filters, now=now), now, cached=False)
    key = snapshot_key(slug, user, filters)
    kept = cache.get(key)
    if isinstance(kept, tuple) and len(kept) == 2:
        view, computed_at = kept
        return Snapshot(view, computed_at, cached=True)
    view = spec.build(user=user, filters=filters, now=now)
    cache.set(key, (view, now), seconds)
    return Snapshot(view, now, cached=False)
