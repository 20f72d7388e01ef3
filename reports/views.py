"""The report pages (console › Laporan) and their exports.

Who may read is asked of `tickets.access` (a non-reader, and a report that does not
exist, get the same 404 as any unknown address); what is counted is built in
`reports.builders` from the fact rows, inside the reader's scope, on the replica when
there is one. The views only pick the report, read the filters and render.
"""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import User
from lib.replica import replica_reads
from lib.tabular import csv_stream, xlsx_stream
from reports.builders import REPORTS, ReportSpec
from reports.filters import ReportFilterForm, ReportFilters
from reports.public import public_statistics, public_view
from reports.snapshots import Snapshot, report_snapshot
from tickets.access import may_read_reports, may_read_staff_report

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _spec(request: HttpRequest, slug: str) -> tuple[User, ReportSpec]:
    user = request.user
    assert isinstance(user, User)
    spec = REPORTS.get(slug)
    if spec is None or not may_read_reports(user):
        raise Http404
    if spec.staff and not may_read_staff_report(user):
        raise Http404
    return user, spec


def _build(
    request: HttpRequest, user: User, slug: str, spec: ReportSpec
) -> tuple[ReportFilterForm, ReportFilters, Snapshot]:
    form = ReportFilterForm(request.GET or None, user=user)
    filters = form.filters()
    with replica_reads():
        snapshot = report_snapshot(slug, spec, user=user, filters=filters, now=timezone.now())
    return form, filters, snapshot


@require_GET
@login_required(login_url="accounts:staff_login")
def report(request: HttpRequest, slug: str) -> HttpResponse:
    user, spec = _spec(request, slug)
    form, filters, snapshot = _build(request, user, slug, spec)
    query = urlencode(filters.query_params())
    context: dict[str, Any] = {
        "nav": "reports",
        "reports": [
            (key, other)
            for key, other in REPORTS.items()
            if not other.staff or may_read_staff_report(user)
        ],
        "slug": slug,
        "spec": spec,
        "form": form,
        "filters": filters,
        "view": snapshot.view,
        "computed_at": snapshot.computed_at,
        "cache_minutes": max(1, settings.REPORT_CACHE_SECONDS // 60),
        "cached_views": settings.REPORT_CACHE_SECONDS > 0,
        "query": query,
    }
    return render(request, "reports/report.html", context)


@require_GET
@login_required(login_url="accounts:staff_login")
def report_export(request: HttpRequest, slug: str, fmt: str) -> StreamingHttpResponse:
    """One table of the report (`?tabel=<key>` with the page's filters) as CSV or XLSX."""
    user, spec = _spec(request, slug)
    if fmt not in EXPORT_TYPES:
        raise Http404
    _form, filters, snapshot = _build(request, user, slug, spec)
    table = snapshot.view.table(request.GET.get("tabel", ""))
    if table is None:
        raise Http404
    header = [str(column) for column in table.columns]
    rows = [[cell.value for cell in row] for row in table.rows]
    if fmt == "csv":
        body = csv_stream(header, rows)
    else:
        body = xlsx_stream(str(table.caption)[:31], header, rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"laporan-{slug}-{table.key}-{filters.first:%Y%m%d}-{filters.last:%Y%m%d}-{stamp}.{fmt}"
    response = StreamingHttpResponse(body, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def public_statistics_page(request: HttpRequest) -> HttpResponse:
    """Statistik Layanan: no sign-in, national aggregates only (reports/public.py)."""
    if not settings.PUBLIC_STATISTICS:
        raise Http404
    stats = public_statistics(timezone.localdate())
    return render(request, "reports/public.html", public_view(stats) | {"nav": "statistics"})
