"""Staff sign-in throttling on top of django-axes (state in axes' database tables).

Axes locks the (username, address) pair after `AXES_FAILURE_LIMIT` failures, so that
nobody can lock a colleague out from elsewhere. Axes compares every lockout parameter
against that one limit, so it cannot also hold a much higher ceiling per address alone
(a government office shares one NAT address): `StaffSignInHandler` adds that ceiling,
summed over axes' own attempt rows for the address within the cool-off window.
A success resets only the pair's rows (`AXES_RESET_ON_SUCCESS` with the pair as the only
parameter): someone at the same address cannot wipe the address's count by signing in.
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

USERNAME_MAX_LENGTH = 150


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, masuk dari alamat Anda "
        "dengan nama pengguna ini dikunci selama %(minutes)d menit. Coba lagi nanti atau "
        "minta admin membuka kuncinya."
    ) % {"minutes": minutes}


def address_failures(ip_address: str, request: HttpRequest | None = None) -> int:
    """Failed sign-ins from this address, any username, within the cool-off window."""
    if not ip_address:
        return 0
    total = AccessAttempt.objects.filter(
        ip_address=ip_address, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


class StaffSignInHandler(AxesDatabaseHandler):
    """Axes' database handler plus the per-address ceiling."""

    def _address_over_ceiling(self, request: HttpRequest) -> bool:
        ip_address = getattr(request, "axes_ip_address", "") or ""
        return address_failures(ip_address, request) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or self._address_over_ceiling(request)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        already_locked = request is not None and getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or already_locked or request.axes_locked_out:
            return
        if self._address_over_ceiling(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=credentials.get("username"),
                ip_address=request.axes_ip_address,
            )


def client_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The username axes records: bounded, so a long one cannot break the insert."""
    source: Any = credentials if credentials else request.POST
    username = source.get("username")
    return str(username)[:USERNAME_MAX_LENGTH] if username is not None else None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The sign-in page as the view drew it (the form shows `lockout_message`), as 429."""
    if original_response is None:
        return HttpResponse(lockout_message(), status=429, content_type="text/plain")
    original_response.status_code = 429
    return original_response


class _LockoutMessageMixin(forms.Form):
    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        try:
            cleaned = super().clean()
        except ValidationError:
            # Axes marks the request while authenticate() runs; a correct password
            # during a lockout lands here too and gets the same message.
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(lockout_message(), code="locked_out") from None
            raise
        return cleaned if cleaned is not None else self.cleaned_data


class StaffAuthenticationForm(_LockoutMessageMixin, AuthenticationForm):
    pass


class StaffAdminAuthenticationForm(_LockoutMessageMixin, AdminAuthenticationForm):
    pass
