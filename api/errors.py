"""One error format for every failure of the API: {"code", "message", "fields"}.

Status codes follow DESIGN §1 as the web does: 404 cannot see (exactly like "does not
exist"), 403 may not act, 409 wrong status or stale revision, 400 bad input to an
action; plus 401 no or bad token, 413 file too large, 415 file type not allowed, 422
invalid fields, 429 too many requests, 503 the file storage cannot be reached (nothing
was changed; the same request may succeed later).
"""

import math
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from lib.errors import NotFound
from tickets.lifecycle import TicketActionError
from tickets.services import SubmissionKeyReused


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ApiFieldErrors(Exception):
    """Invalid fields (from a Django form or our own checks) → 422, or 413/415 for files."""

    def __init__(self, fields: dict[str, list[str]], *, status: int = 422) -> None:
        super().__init__(fields)
        self.fields = fields
        self.status = status

    @classmethod
    def from_form(cls, form: forms.BaseForm) -> "ApiFieldErrors":
        """The errors of a Django form the endpoint validated with, field by field."""
        return cls({name: [str(error) for error in errors] for name, errors in form.errors.items()})


class ApiError(Exception):
    """A refusal with its own message and no field to point at."""

    def __init__(self, status: int, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    415: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
    503: ErrorOut,
}

_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    message: str,
    fields: dict[str, list[str]] | None = None,
    *,
    code: str = "",
) -> HttpResponse:
    body = {
        "code": code or _CODES.get(status, "error"),
        "message": message,
        "fields": fields or {},
    }
    return api.create_response(request, body, status=status)


# Pydantic's English messages, in the users' language.
_MESSAGES = {
    "missing": gettext_noop("Wajib diisi."),
    "int_parsing": gettext_noop("Harus berupa bilangan bulat."),
    "int_type": gettext_noop("Harus berupa bilangan bulat."),
    "string_type": gettext_noop("Harus berupa teks."),
    "bool_parsing": gettext_noop("Harus true atau false."),
    "list_type": gettext_noop("Harus berupa daftar."),
    "json_invalid": gettext_noop("JSON tidak valid."),
    "model_attributes_type": gettext_noop("Isian tidak valid."),
    "dict_type": gettext_noop("Harus berupa objek JSON."),
    "greater_than_equal": gettext_noop("Nilai terlalu kecil."),
    "less_than_equal": gettext_noop("Nilai terlalu besar."),
    "string_too_long": gettext_noop("Terlalu panjang."),
}


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    return _(_MESSAGES[kind]) if kind in _MESSAGES else _("Isian tidak valid.")


_LOCATIONS = ("body", "query", "path", "form", "file", "header", "cookie")
# The endpoints' parameter names for a whole body (`data: Form[...]`, `data: Schema`).
_BODY_PARAMETERS = ("data", "filters")


def _field_name(loc: list[Any]) -> str:
    """The field as the client sent it: ["body", "data", "reason"] → "reason"."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in _BODY_PARAMETERS:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def install_error_handlers(api: NinjaAPI) -> None:
    # The domain's "does not exist, or not yours" and Django's own 404 answer alike.
    @api.exception_handler(NotFound)
    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 404, _("Tidak ditemukan."))

    @api.exception_handler(TicketActionError)
    def refused(request: HttpRequest, exc: TicketActionError) -> HttpResponse:
        return error_response(api, request, exc.status_code, exc.message)

    @api.exception_handler(ApiFieldErrors)
    def fields(request: HttpRequest, exc: ApiFieldErrors) -> HttpResponse:
        return error_response(
            api, request, exc.status, _("Periksa isian yang ditandai."), exc.fields
        )

    @api.exception_handler(SubmissionKeyReused)
    def key_reused(request: HttpRequest, exc: SubmissionKeyReused) -> HttpResponse:
        message = _(
            "Idempotency-Key ini sudah dipakai untuk permintaan lain dengan isi yang "
            "berbeda (tiket %(number)s). Gunakan Idempotency-Key baru untuk tiket baru, "
            "atau kirim ulang permintaan yang sama persis."
        ) % {"number": exc.ticket.number}
        return error_response(api, request, 422, message, code="idempotency_key_reused")

    @api.exception_handler(ApiError)
    def refused_request(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.message, code=exc.code)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        found: dict[str, list[str]] = {}
        for error in exc.errors:
            found.setdefault(_field_name(list(error.get("loc", []))), []).append(_message(error))
        return error_response(api, request, 422, _("Periksa isian yang ditandai."), found)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            api,
            request,
            401,
            _("Token API tidak ada, tidak valid, atau sudah dicabut."),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        response = error_response(
            api, request, 429, _("Terlalu banyak permintaan. Coba lagi sebentar lagi.")
        )
        if exc.wait:
            # Whole seconds, never early (RFC 9110), as ninja's own throttle path does.
            response["Retry-After"] = str(max(1, math.ceil(exc.wait)))
        return response

    @api.exception_handler(RawPostDataException)
    def not_json(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
        # A form body (read as a form before the view) sent to an endpoint that takes JSON.
        return error_response(
            api, request, 400, _("Isi permintaan untuk alamat ini harus berformat JSON.")
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # django-ninja's own HttpErrors are about requests it cannot read.
        if exc.status_code == 400:
            return error_response(api, request, 400, _("JSON tidak valid."))
        return error_response(api, request, exc.status_code, _("Permintaan tidak dapat diproses."))
