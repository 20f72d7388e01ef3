"""`Cache-Control: no-store` on every answer given to someone signed in.

Pages of a signed-in person (tickets, the console, a newly created API token) and API
answers to a token must never be kept by the browser's cache, a shared proxy or the
back/forward cache, where the next user of the machine could read them. Answers that
set their own Cache-Control (never_cache views, static files) keep it; anonymous
answers (the landing page, static files) are left cacheable.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


def _signed_in(request: HttpRequest) -> bool:
    # An API request carrying a token is treated as signed in even when the token turns
    # out to be wrong: its answer is about a credential and is never worth caching.
    if request.headers.get("Authorization"):
        return True
    # The API's TokenAuth sets request.user on this same request object, so answers to a
    # valid token are seen here too. No user at all: WhiteNoise answered before the
    # authentication middleware ran.
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and _signed_in(request):
            patch_cache_control(response, no_store=True)
        return response
