"""Each report's page built from the report queries: charts, tables and their links.

`REPORTS` lists the reports in the order of the page's tabs; the views look a report up
here by its slug (an unknown slug is a 404).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django_stubs_ext import StrOrPromise

from accounts.models import User
from reports.filters import ReportFilters
from reports.pages import ReportView

Build = Callable[..., ReportView]


@dataclass(frozen=True)
class ReportSpec:
    label: StrOrPromise
    description: StrOrPromise
    build: Build
    # Only the supervisors of the scope read it (the per-agent staff report).
    staff: bool = False


def _pending(*, user: User, filters: ReportFilters, now: datetime.datetime) -> ReportView:
    return ReportView()


REPORTS: dict[str, ReportSpec] = {}
