"""The report pages: for now the public statistics page (*Statistik Layanan*).

The supervisors' report pages (console › Laporan) come next; their queries are in
`reports.queries`.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reports.public import public_statistics, public_view


@require_GET
def public_statistics_page(request: HttpRequest) -> HttpResponse:
    """Statistik Layanan: no sign-in, national aggregates only (reports/public.py)."""
    if not settings.PUBLIC_STATISTICS:
        raise Http404
    stats = public_statistics(timezone.localdate())
    return render(request, "reports/public.html", public_view(stats) | {"nav": "statistics"})
