"""The sign-in hand-off: SPSE/SiRUP post a token, the browser then comes back here.

Two steps, because the hand-off is a cross-site POST: a SameSite=Lax session cookie does
not come with it, so the POST can neither see who is signed in in this browser nor set
a session without silently replacing that person. The POST verifies the token and
records the verified identity (PendingSsoSignIn), keyed by a random value in a cookie of
its own; the same-site GET to /sso/lanjut/ that follows sees the real session and signs
in directly when nobody or the same person is signed in, or asks first when somebody
else is ("Masuk sebagai …", Lanjutkan / Batal).
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.services import (
    PENDING_SIGN_IN_SECONDS,
    pending_sign_in_create,
    pending_sign_in_discard,
    pending_sign_in_find,
    pending_sign_in_take,
    reporter_sign_in,
)
from accounts.sso import SsoError, verify_handoff_token

logger = logging.getLogger(__name__)

# Carries the pending hand-off from the cross-site POST to the same-site GET after it.
HANDOFF_COOKIE = "lpsesupport_handoff"


def _continue_path() -> str:
    return reverse("accounts:sso_continue")


def _forget_cookie(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(HANDOFF_COOKIE, path=_continue_path(), samesite="Lax")
    return response


def _refuse(request: HttpRequest, source: str, error: SsoError) -> HttpResponse:
    logger.warning("SSO hand-off from %s refused: %s (%s)", source, error.code, error.detail)
    # Whoever is signed in in this browser stays signed in: a bad or replayed token,
    # possibly posted by somebody else's page, must not be a way to end a session.
    response = render(
        request,
        "accounts/sso_error.html",
        {
            "error_code": error.code,
            "error_message": error.message,
            "spse_login_url": settings.SSO_SPSE_LOGIN_URL,
            "sirup_login_url": settings.SSO_SIRUP_LOGIN_URL,
        },
        status=400,
    )
    return response


# csrf_exempt: the POST legitimately comes from another site (SPSE/SiRUP); the signed,
# single-use token is what authenticates it.
@csrf_exempt
@require_POST
@never_cache
def sso_handoff(request: HttpRequest, source: str) -> HttpResponse:
    """Verify the token posted by SPSE or SiRUP, then send the browser to /sso/lanjut/."""
    # Only the POST body is read: a token in a query string would end up in logs.
    token = request.POST.get("token", "")
    try:
        claims = verify_handoff_token(source=source, token=token)
        user = reporter_sign_in(claims=claims)
    except SsoError as error:
        return _refuse(request, source, error)
    nonce = pending_sign_in_create(user=user, source=source)
    logger.info("SSO hand-off from %s verified for user %s", source, user.pk)
    response = HttpResponseRedirect(_continue_path())
    response.status_code = 303  # See Other: the browser follows with a GET
    response.set_cookie(
        HANDOFF_COOKIE,
        nonce,
        max_age=PENDING_SIGN_IN_SECONDS,
        path=_continue_path(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _complete(request: HttpRequest, nonce: str) -> HttpResponse:
    user = pending_sign_in_take(nonce)
    if user is None:
        return _forget_cookie(_refuse(request, "pending", SsoError("pending_expired")))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    logger.info("SSO hand-off signed in user %s", user.pk)
    return _forget_cookie(redirect("portal:dashboard"))


def _lpse_label(user: User) -> str:
    if user.lpse is not None:
        return user.lpse.name
    return _("SiRUP (nasional)")


@require_http_methods(["GET", "POST"])
@never_cache
def sso_continue(request: HttpRequest) -> HttpResponse:
    """Finish a verified hand-off, asking first if somebody else is signed in here."""
    nonce = request.COOKIES.get(HANDOFF_COOKIE, "")
    if request.method == "POST":
        # CSRF-protected like every same-site form: only the confirmation page's own
        # buttons get here.
        if request.POST.get("action") == "continue":
            return _complete(request, nonce)
        pending = pending_sign_in_find(nonce)
        pending_sign_in_discard(nonce)
        if pending is not None and request.user.is_authenticated:
            messages.info(
                request,
                _("Masuk sebagai %(new)s dibatalkan. Anda tetap masuk sebagai %(current)s.")
                % {"new": pending.user.display_name, "current": request.user},
            )
        return _forget_cookie(redirect("home"))

    pending = pending_sign_in_find(nonce)
    if pending is None:
        return _forget_cookie(_refuse(request, "pending", SsoError("pending_expired")))
    current = request.user
    if not current.is_authenticated or current.pk == pending.user_id:
        return _complete(request, nonce)
    # The site-wide Referrer-Policy (same-origin) stays: "no-referrer" would make the
    # browser send "Origin: null" with the buttons' POST, which CSRF checking refuses.
    return render(
        request,
        "accounts/sso_confirm.html",
        {
            "person": pending.user,
            "person_lpse": _lpse_label(pending.user),
            "current_user": current,
        },
    )
