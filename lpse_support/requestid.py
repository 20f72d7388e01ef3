"""The first middleware: every request runs under a request id (lib/requestid.py),
answered in `X-Request-ID`."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lib.requestid import HEADER, request_id_bound, request_id_from


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_id_bound(request_id_from(request.headers.get(HEADER))) as current:
            response = self.get_response(request)
        response[HEADER] = current
        return response
