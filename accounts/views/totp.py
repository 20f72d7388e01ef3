"""The second-factor page (accounts/totp.py): register an authenticator app, give a code."""

from base64 import b32encode

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.totp import totp_required


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_lazy("Kode 6 angka"),
        max_length=6,
        validators=[
            RegexValidator(r"^[0-9]{6}$", _lazy("Masukkan 6 angka dari aplikasi autentikator."))
        ],
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
@login_required(login_url="accounts:staff_login")
def totp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not totp_required(user) or user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if device is None:
        # One pending registration per person: reloading the page keeps the same key.
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="LPSE Support", confirmed=False)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _("Kode tidak cocok. Pastikan jam ponsel Anda tepat, lalu coba kode yang baru."),
        )
    context = {"form": form, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        context["secret"] = b32encode(device.bin_key).decode()
        # Drawn here, offline: the key never leaves the server for a QR service.
        context["qr"] = mark_safe(segno.make(device.config_url).svg_inline(scale=4, light="#fff"))  # noqa: S308
    return render(
        request,
        "accounts/totp.html",
        context,
        status=400 if request.method == "POST" and form.errors else 200,
    )
