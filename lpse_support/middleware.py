import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    """Refuse a request whose path or form values hold a NUL byte.

    PostgreSQL cannot store or compare NUL in text, so such a value would reach the
    database as an error; no real user types one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        values = [request.path]
        try:
            params = [request.GET, request.POST] if request.method == "POST" else [request.GET]
        except MultiPartParserError:
            return _bad_request(request, _("Isi permintaan multipart tidak dapat dibaca."))
        for query in params:
            for key, items in query.lists():
                values.append(key)
                values.extend(item for item in items if isinstance(item, str))
        if any("\x00" in value for value in values):
            return _bad_request(request, _("Permintaan berisi karakter yang tidak diizinkan."))
        return self.get_response(request)


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """400 as plain text, or in the API's error format under /api/."""
    if request.path.startswith("/api/"):
        body = json.dumps({"code": "invalid", "message": message, "fields": {}})
        return HttpResponseBadRequest(body, content_type="application/json")
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
