"""Answers the API gives outside its operations (unknown path, wrong method) in its one
error format, instead of Django's HTML pages."""

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"

_MESSAGES = {
    404: ("not_found", "Tidak ditemukan."),
    405: ("method_not_allowed", "Metode HTTP ini tidak didukung untuk alamat ini."),
}


class ApiErrorFormatMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code in _MESSAGES
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _MESSAGES[response.status_code]
            body = json.dumps({"code": code, "message": _(message), "fields": {}})
            answer = HttpResponse(
                body, status=response.status_code, content_type="application/json"
            )
            if response.has_header("Allow"):
                answer["Allow"] = response["Allow"]
            return answer
        return response
