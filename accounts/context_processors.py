from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"call_centre": settings.HELPDESK_CALL_CENTRE}
