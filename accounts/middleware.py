from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from accounts.totp import totp_required
from reference.book import ReferenceBook


class UserTimezoneMiddleware:
    """Show times in the time zone of the viewer's LPSE (WIB for national users).

    The LPSE is the process's reference book's row (`reference.book`), attached to the
    user: neither this nor any later `user.lpse` of the request asks the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        lpse = None
        if user is not None and user.is_authenticated and user.lpse_id is not None:
            lpse = ReferenceBook.current().lpses.get(user.lpse_id)
            if lpse is not None:
                user.lpse = lpse
        if lpse is not None:
            timezone.activate(lpse.timezone)
        else:
            timezone.deactivate()
        return self.get_response(request)


# Session keys (epoch seconds) of the staff idle timeout.
LAST_ACTIVITY_KEY = "staff_last_activity"
STARTED_KEY = "staff_session_started"
# The last-activity mark is written at most this often: no session write per request.
ACTIVITY_PRECISION_SECONDS = 60
# Requests an open page sends by itself: they are not somebody at work, so an open tab
# would otherwise never time out. The live pages poll with ?live=<stamp> (tickets/live.py).
BACKGROUND_VIEWS = frozenset({"console:ticket_presence", "notifications:bell"})


def _is_staff_session(user: Any) -> bool:
    # Everyone who signs in with a password: admins, staff, and staff whose assignments
    # are not in force yet. Reporters (handed over by SPSE/SiRUP) are never staff for
    # access (tickets/access.py decides reporters first), so no assignment query here.
    return bool(user.is_staff or user.is_superuser or not user.is_reporter)


def _is_background(request: HttpRequest) -> bool:
    match = request.resolver_match
    return "live" in request.GET or (match is not None and match.view_name in BACKGROUND_VIEWS)


class StaffIdleTimeoutMiddleware:
    """End a staff session after STAFF_SESSION_IDLE_SECONDS without activity, and at
    SESSION_COOKIE_AGE after it began (the activity mark saves the session, which would
    otherwise push Django's own expiry forward for ever)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not _is_staff_session(user):
            return None
        session = request.session
        now = timezone.now().timestamp()
        last = session.get(LAST_ACTIVITY_KEY)
        started = session.get(STARTED_KEY)
        idle_limit = settings.STAFF_SESSION_IDLE_SECONDS
        if isinstance(last, int | float) and now - last > idle_limit:
            return self._end(
                request,
                _(
                    "Sesi Anda berakhir karena tidak ada aktivitas selama %(minutes)d menit. "
                    "Silakan masuk lagi."
                )
                % {"minutes": idle_limit // 60},
                "idle",
            )
        if isinstance(started, int | float) and now - started > settings.SESSION_COOKIE_AGE:
            return self._end(
                request,
                _("Sesi Anda sudah mencapai batas waktunya. Silakan masuk lagi."),
                "max_age",
            )
        if not isinstance(started, int | float):
            session[STARTED_KEY] = now
        if not isinstance(last, int | float) or (
            not _is_background(request) and now - last >= ACTIVITY_PRECISION_SECONDS
        ):
            session[LAST_ACTIVITY_KEY] = now
        return None

    def _end(self, request: HttpRequest, message: str, reason: str) -> HttpResponse:
        background = _is_background(request)
        # The audit log's sign-out event says why (accounts/audit.py).
        request.sign_out_reason = reason  # type: ignore[attr-defined]
        logout(request)
        messages.info(request, message)
        login_url = reverse("accounts:staff_login")
        if getattr(request, "htmx", False):
            # A full page load of the sign-in page, not a sign-in form inside a fragment.
            return HttpResponseClientRedirect(login_url)
        if background:
            # A poll must not draw the sign-in page into the bell; live.js stops on 403.
            # The message waits in the session for the next page the person opens.
            return HttpResponseForbidden()
        if request.method == "GET":
            return redirect_to_login(request.get_full_path(), login_url)
        return redirect(login_url)


# Pages an unverified person still reaches: the code page itself and signing out.
TOTP_OPEN_VIEWS = frozenset({"accounts:totp", "accounts:logout", "admin:logout"})


class StaffTotpMiddleware:
    """With STAFF_TOTP_REQUIRED, a superuser or national supervisor signed in with a
    password reaches nothing but the code page until they give a code (accounts/totp.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not settings.STAFF_TOTP_REQUIRED:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TOTP_OPEN_VIEWS:
            return None
        if not totp_required(user):
            return None
        url = reverse("accounts:totp")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        if _is_background(request):
            # The code page's own bell must not fetch the code page into itself.
            return HttpResponseForbidden()
        if request.method == "GET":
            return redirect_to_login(request.get_full_path(), url)
        return redirect(url)
