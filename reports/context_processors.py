from django.conf import settings
from django.http import HttpRequest


def reports_nav(request: HttpRequest) -> dict[str, object]:
    """Whether the footer links the public statistics page."""
    return {"public_statistics": settings.PUBLIC_STATISTICS}
