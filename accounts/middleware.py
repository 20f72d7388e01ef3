from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class UserTimezoneMiddleware:
    """Show times in the time zone of the viewer's LPSE (WIB for national users)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        lpse = getattr(user, "lpse", None) if user is not None and user.is_authenticated else None
        if lpse is not None:
            timezone.activate(lpse.timezone)
        else:
            timezone.deactivate()
        return self.get_response(request)
