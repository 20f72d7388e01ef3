from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tickets.access import is_staff_member


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: reporters go to their dashboard, others learn how to sign in."""
    if request.user.is_authenticated:
        if getattr(request.user, "is_reporter", False):
            return redirect("portal:dashboard")
        if is_staff_member(request.user):
            return redirect("console:queue")
        if request.user.is_staff:
            return redirect("admin:index")
    return render(
        request,
        "accounts/home.html",
        {
            "spse_login_url": settings.SSO_SPSE_LOGIN_URL,
            "sirup_login_url": settings.SSO_SIRUP_LOGIN_URL,
        },
    )
