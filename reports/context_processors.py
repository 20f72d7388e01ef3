from django.conf import settings
from django.http import HttpRequest

from tickets.access import may_read_reports


def reports_nav(request: HttpRequest) -> dict[str, object]:
    """Whether the top bar shows *Laporan* (the reports decide their access themselves)
    and the footer the public statistics."""
    user = getattr(request, "user", None)
    readable = bool(user is not None and user.is_authenticated and may_read_reports(user))
    return {"reads_reports": readable, "public_statistics": settings.PUBLIC_STATISTICS}
