"""The public statistics page (*Statistik Layanan*): national numbers per month and per
application, without sign-in, without personal data and without free text.

What a government service owes in transparency, and no more: tickets filed, the share of
first responses and resolutions within the SLA, and the average rating, per month of the
last twelve (each ticket on its own LPSE's local date) and per application. A number
counted over fewer than `MIN_CELL` tickets (or ratings) is not shown, so that nobody can
be singled out from a small cell. `PUBLIC_STATISTICS=0` switches the page off.

Read from the fact rows (tickets/facts.py) in one grouped query, and kept in the shared
cache for a few minutes: an unauthenticated page must not cost a scan per visit.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lib.numformat import percent
from lib.replica import replica_reads
from lib.svgchart import Series, bar_chart, line_chart
from reference.models import Application
from reports.pages import Cell, ReportView, Table, label_cell, number_cell, percent_cell
from sla.clocks import ClockState
from tickets.models import TicketFact

MIN_CELL = 10
MONTHS = 12
CACHE_SECONDS = 600
_CACHE_KEY = "public-statistics:v1:{first}:{last}"

_MET = ClockState.MET.value
# A clock with a verdict: met, missed, or already past due while it runs.
_JUDGED = (ClockState.MET.value, ClockState.MISSED.value, ClockState.BREACHED.value)


@dataclass(frozen=True)
class Figures:
    """One cell group: None where the count behind it is below MIN_CELL."""

    tickets: int | None
    response_met: float | None
    resolution_met: float | None
    rating: float | None
    ratings: int | None


@dataclass(frozen=True)
class PublicStatistics:
    months: list[datetime.date]  # the first day of each month, oldest first
    national: list[Figures]  # per month
    applications: list[tuple[str, str, list[Figures]]]  # (code, name, per month)
    totals: Figures  # the twelve months together, national


def month_starts(today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """The first days of the last `count` months, this month included, oldest first."""
    year, month = today.year, today.month
    starts = []
    for _step in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def _figures(row: dict[str, object] | None) -> Figures:
    if not row:
        return Figures(None, None, None, None, None)
    tickets = int(row["tickets"])  # type: ignore[call-overload]
    response_judged = int(row["response_judged"])  # type: ignore[call-overload]
    resolution_judged = int(row["resolution_judged"])  # type: ignore[call-overload]
    ratings = int(row["ratings"])  # type: ignore[call-overload]
    avg = row["rating"]
    return Figures(
        tickets=tickets if tickets >= MIN_CELL else None,
        response_met=(
            percent(int(row["response_met"]), response_judged)  # type: ignore[call-overload]
            if response_judged >= MIN_CELL
            else None
        ),
        resolution_met=(
            percent(int(row["resolution_met"]), resolution_judged)  # type: ignore[call-overload]
            if resolution_judged >= MIN_CELL
            else None
        ),
        rating=float(avg) if ratings >= MIN_CELL and avg is not None else None,  # type: ignore[arg-type]
        ratings=ratings if ratings >= MIN_CELL else None,
    )


_AGGREGATES = {
    "tickets": Count("pk"),
    "response_met": Count("pk", filter=Q(response_state=_MET)),
    "response_judged": Count("pk", filter=Q(response_state__in=_JUDGED)),
    "resolution_met": Count("pk", filter=Q(resolution_state=_MET)),
    "resolution_judged": Count("pk", filter=Q(resolution_state__in=_JUDGED)),
    "rating": Avg("rating_stars"),
    "ratings": Count("rating_stars"),
}


def _compute(first: datetime.date, last: datetime.date) -> PublicStatistics:
    months = month_starts(last)
    facts = TicketFact.objects.filter(created_day__gte=first, created_day__lte=last).order_by()
    per_app: dict[int, dict[datetime.date, dict[str, object]]] = defaultdict(dict)
    for row in (
        facts.annotate(month=TruncMonth("created_day"))
        .values("application_id", "month")
        .annotate(**_AGGREGATES)
    ):
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        per_app[row["application_id"]][month] = row
    national: dict[datetime.date, dict[str, object]] = {}
    overall: dict[str, object] = {}
    for rows in per_app.values():
        for month, row in rows.items():
            _add(national.setdefault(month, {}), row)
            _add(overall, row)
    applications = [
        (app.code, app.name, [_figures(per_app[app.pk].get(month)) for month in months])
        for app in Application.objects.filter(pk__in=per_app).order_by("order", "code")
    ]
    return PublicStatistics(
        months=months,
        national=[_figures(national.get(month)) for month in months],
        applications=applications,
        totals=_figures(overall),
    )


_COUNTS = ("tickets", "response_met", "response_judged", "resolution_met", "resolution_judged")


def _add(into: dict[str, object], row: dict[str, object]) -> None:
    """Sum a group's counts into a larger one; the average rating weighted by ratings."""
    ratings = int(row["ratings"])  # type: ignore[call-overload]
    stars = float(row["rating"] or 0) * ratings  # type: ignore[arg-type]
    for name in _COUNTS:
        into[name] = int(into.get(name, 0)) + int(row[name])  # type: ignore[call-overload]
    total_ratings = int(into.get("ratings", 0)) + ratings  # type: ignore[call-overload]
    total_stars = float(into.get("_stars", 0.0)) + stars  # type: ignore[arg-type]
    into.update(ratings=total_ratings, _stars=total_stars)
    into["rating"] = total_stars / total_ratings if total_ratings else None


def public_statistics(today: datetime.date) -> PublicStatistics:
    """The last twelve months up to `today` (cached for CACHE_SECONDS)."""
    first = month_starts(today)[0]
    key = _CACHE_KEY.format(first=first.isoformat(), last=today.isoformat())
    found = cache.get(key)
    if isinstance(found, PublicStatistics):
        return found
    with replica_reads():
        computed = _compute(first, today)
    cache.set(key, computed, CACHE_SECONDS)
    return computed


# --- The page's view of the numbers ---------------------------------------------------


def _month_label(month: datetime.date) -> str:
    return date_format(month, "F Y")


def _count(value: int | None) -> Cell:
    return number_cell(value) if value is not None else Cell(None, _hidden())


def _share(value: float | None) -> Cell:
    return percent_cell(value) if value is not None else Cell(None, _hidden())


def _stars(value: float | None) -> Cell:
    return number_cell(value, decimals=2) if value is not None else Cell(None, _hidden())


def _hidden() -> str:
    return _("< %(count)s") % {"count": MIN_CELL}


def public_view(stats: PublicStatistics) -> dict[str, object]:
    """The charts and tables of the public page."""
    labels = [date_format(month, "M Y") for month in stats.months]
    full = [_month_label(month) for month in stats.months]
    charts = [
        bar_chart(
            title=_("Tiket per bulan, nasional"),
            labels=labels,
            full_labels=full,
            series=[Series(_("Tiket"), [f.tickets for f in stats.national])],
            unit=_("tiket"),
            chart_id="statistik-tiket",
        ),
        line_chart(
            title=_("Tiket yang ditangani sesuai SLA, nasional"),
            labels=labels,
            full_labels=full,
            series=[
                Series(_("Respons pertama"), [f.response_met for f in stats.national]),
                Series(_("Penyelesaian"), [f.resolution_met for f in stats.national]),
            ],
            percent=True,
            chart_id="statistik-sla",
        ),
    ]
    national = Table(
        key="nasional",
        caption=_("Nasional per bulan"),
        columns=[
            _("Bulan"),
            _("Tiket"),
            _("Respons pertama sesuai SLA"),
            _("Penyelesaian sesuai SLA"),
            _("Rata-rata penilaian (1–5)"),
        ],
        rows=[
            [
                label_cell(_month_label(month)),
                _count(f.tickets),
                _share(f.response_met),
                _share(f.resolution_met),
                _stars(f.rating),
            ]
            for month, f in zip(stats.months, stats.national, strict=True)
        ],
    )
    per_app = [
        Table(
            key=key,
            caption=caption,
            columns=[_("Aplikasi"), *labels],
            rows=[
                [label_cell(f"{name} ({code})"), *(cell(f) for f in figures)]
                for code, name, figures in stats.applications
            ],
        )
        for key, caption, cell in (
            ("aplikasi-tiket", _("Tiket per aplikasi"), lambda f: _count(f.tickets)),
            (
                "aplikasi-sla",
                _("Penyelesaian sesuai SLA per aplikasi"),
                lambda f: _share(f.resolution_met),
            ),
            (
                "aplikasi-penilaian",
                _("Rata-rata penilaian per aplikasi"),
                lambda f: _stars(f.rating),
            ),
        )
    ]
    return {
        "stats": stats,
        "view": ReportView(charts=charts, tables=[national, *per_app]),
        "min_cell": MIN_CELL,
        "totals": stats.totals,
    }
