"""Token API page: every signed-in user creates and revokes their own API tokens."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.clientip import client_ip
from accounts.models import User
from accounts.tokens import TokenLimitReached, api_token_create, api_token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_lazy("Nama token"),
        max_length=100,
        help_text=_lazy("Misalnya nama aplikasi atau skrip yang memakainya."),
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    created = ""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, created = api_token_create(
                user=user, name=form.cleaned_data["name"], address=client_ip(request)
            )
        except TokenLimitReached as error:
            form.add_error(None, str(error))
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "nav": "tokens",
            "form": form,
            "created": created,
            "tokens": user.api_tokens.all(),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = api_token_revoke(user=_user(request), token_id=token_id, address=client_ip(request))
    messages.success(request, _("Token %(name)s dicabut.") % {"name": token.name})
    return redirect("accounts:tokens")
