"""The sign-in hand-off endpoint that SPSE and SiRUP post their token to."""

import logging

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.services import reporter_sign_in
from accounts.sso import SsoError, verify_handoff_token

logger = logging.getLogger(__name__)


def _refuse(request: HttpRequest, source: str, error: SsoError) -> HttpResponse:
    logger.warning("SSO hand-off from %s refused: %s (%s)", source, error.code, error.detail)
    # Whoever was signed in in this browser must not stay signed in after a failed
    # hand-off: the person at the keyboard may well be somebody else.
    logout(request)
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
    # In production the hand-off is a cross-site POST, so a SameSite=Lax session cookie
    # is not even sent and logout() cannot see it: expire it explicitly as well.
    response.delete_cookie(
        settings.SESSION_COOKIE_NAME,
        path=settings.SESSION_COOKIE_PATH,
        domain=settings.SESSION_COOKIE_DOMAIN,
    )
    return response


# csrf_exempt: the POST legitimately comes from another site (SPSE/SiRUP); the signed,
# single-use token is what authenticates it.
@csrf_exempt
@require_POST
@never_cache
def sso_handoff(request: HttpRequest, source: str) -> HttpResponse:
    """Sign in the reporter handed over by SPSE or SiRUP, or explain why not."""
    # Only the POST body is read: a token in a query string would end up in logs.
    token = request.POST.get("token", "")
    try:
        claims = verify_handoff_token(source=source, token=token)
        user = reporter_sign_in(claims=claims)
    except SsoError as error:
        return _refuse(request, source, error)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    logger.info("SSO hand-off from %s signed in user %s", source, user.pk)
    return redirect("portal:dashboard")
