from django.conf import settings
from django.http import HttpRequest

from tickets.access import is_staff_member


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    helpdesk = bool(user is not None and user.is_authenticated and is_staff_member(user))
    return {"call_centre": settings.HELPDESK_CALL_CENTRE, "is_helpdesk": helpdesk}
