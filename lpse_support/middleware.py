import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.core.files.uploadhandler import load_handler
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.tokens import api_token_authenticate
from lib.errors import NotFound
from lpse_support.uploads import (
    RefuseFilesHandler,
    UploadLimitHandler,
    UploadTooLarge,
    upload_body_limit,
)
from tickets.lifecycle import StorageUnavailable

API_PREFIX = "/api/"
SSO_PREFIX = "/sso/"
# What a request that is not signed in may send: forms of a few fields, never files.
ANONYMOUS_MAX_BODY_BYTES = 64 * 1024
# The sign-in forms: a user name and password, or a hand-off token of at most 8 KB.
SIGN_IN_MAX_BODY_BYTES = 16 * 1024


class DomainErrorMiddleware:
    """The pages' one translation of the domain's `NotFound`: the same 404 response as an
    unknown address; and of a file storage that cannot be reached where no form can take
    the message (a download): a page that says so, 503. The API translates both in
    `api.errors`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, NotFound):
            return response_for_exception(request, Http404())
        if isinstance(exc, StorageUnavailable):
            return render(request, "tickets/storage_error.html", {"error": exc}, status=503)
        return None


class RequestBodyMiddleware:
    """Decide how much of a request body to read, and read it only then.

    Runs after authentication and before anything touches `request.POST`, so that:
    - the sign-in endpoints take only small forms (a few fields, never a file);
    - a request that is not authenticated (no session user, no valid API token) never
      gets a file part written to disk, and a large body from it is refused unread;
    - a signed-in person's upload stops being read as soon as a file passes
      `ATTACHMENT_MAX_BYTES` or the body passes what `ATTACHMENT_MAX_FILES` such files
      make, answered 413 with no temporary file left behind;
    - a path or form value holding a NUL byte is refused (PostgreSQL cannot store or
      compare NUL in text, and no real user types one).
    The proxy in front should refuse the same sizes earlier (`client_max_body_size`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._sign_in_paths: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" or _content_length(request) > 0:
            refused = self._guard_body(request)
            if refused is not None:
                return refused
        refused = _refuse_nul_bytes(request)
        if refused is not None:
            return refused
        return self.get_response(request)

    def _guard_body(self, request: HttpRequest) -> HttpResponse | None:
        length = _content_length(request)
        if self._is_sign_in(request.path):
            if length > SIGN_IN_MAX_BODY_BYTES:
                return _too_large(request, _("Data masuk terlalu besar."))
            # A sign-in form has a few short fields and never a file.
            request.upload_handlers = [RefuseFilesHandler(request)]
            return None
        if not _authenticated(request):
            if length > ANONYMOUS_MAX_BODY_BYTES:
                if request.path.startswith(API_PREFIX):
                    return _api_error(
                        401,
                        "unauthorized",
                        _("Token API tidak ada, tidak valid, atau sudah dicabut."),
                    )
                return _too_large(
                    request,
                    _(
                        "Anda belum masuk atau sesi Anda telah berakhir, sehingga kiriman "
                        "ini tidak diterima. Silakan masuk kembali, lalu kirim ulang."
                    ),
                )
            request.upload_handlers = [RefuseFilesHandler(request)]
            return None
        max_bytes = settings.ATTACHMENT_MAX_BYTES
        max_total = upload_body_limit(max_bytes=max_bytes, max_files=settings.ATTACHMENT_MAX_FILES)
        if length > max_total:
            return _too_large(request, _upload_message(per_file=False), field="files")
        request.upload_handlers = [
            UploadLimitHandler(request, max_bytes=max_bytes, max_total=max_total),
            *(load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS),
        ]
        return None

    def _is_sign_in(self, path: str) -> bool:
        if self._sign_in_paths is None:
            self._sign_in_paths = frozenset(
                {reverse("accounts:staff_login"), reverse("admin:login")}
            )
        return path in self._sign_in_paths or path.startswith(SSO_PREFIX)


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _authenticated(request: HttpRequest) -> bool:
    """A signed-in session, or a valid API token on an API path (checked once: the API's
    own authentication reuses the answer)."""
    if request.user.is_authenticated:
        return True
    if not request.path.startswith(API_PREFIX):
        return False
    header = request.headers.get("Authorization", "")
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return False
    user = api_token_authenticate(raw)
    request.api_token_user = user  # type: ignore[attr-defined]
    return user is not None


def _refuse_nul_bytes(request: HttpRequest) -> HttpResponse | None:
    values = [request.path]
    try:
        params = [request.GET, request.POST] if request.method == "POST" else [request.GET]
        for query in params:
            for key, items in query.lists():
                values.append(key)
                values.extend(item for item in items if isinstance(item, str))
    except UploadTooLarge as error:
        # The API's file parameter is `files` on every endpoint that takes them.
        return _too_large(request, _upload_message(per_file=error.per_file), field="files")
    except RequestDataTooBig:
        return _too_large(request, _("Isian formulir terlalu besar."))
    except (MultiPartParserError, TooManyFilesSent):
        return _bad_request(request, _("Isi permintaan multipart tidak dapat dibaca."))
    if any("\x00" in value for value in values):
        return _bad_request(request, _("Permintaan berisi karakter yang tidak diizinkan."))
    return None


def _upload_message(*, per_file: bool) -> str:
    limit = filesizeformat(settings.ATTACHMENT_MAX_BYTES)
    if per_file:
        return _("Berkas melebihi batas %(limit)s per berkas. Tidak ada yang disimpan.") % {
            "limit": limit
        }
    return _(
        "Kiriman terlalu besar: paling banyak %(files)d berkas, masing-masing %(limit)s. "
        "Tidak ada yang disimpan."
    ) % {"files": settings.ATTACHMENT_MAX_FILES, "limit": limit}


def _too_large(request: HttpRequest, message: str, *, field: str = "") -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(413, "too_large", message, {field: [message]} if field else {})
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """400 as plain text, or in the API's error format under /api/."""
    if request.path.startswith(API_PREFIX):
        return _api_error(400, "invalid", message)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _api_error(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> HttpResponse:
    body = json.dumps({"code": code, "message": message, "fields": fields or {}})
    return HttpResponse(body, status=status, content_type="application/json")
