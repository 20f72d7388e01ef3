from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import ProfileForm
from accounts.models import PROFILE_FIELDS, User
from accounts.services import reporter_profile_update


def _reporter(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_reporter:
        raise Http404
    return user


@require_GET
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", {"profile_user": _reporter(request)})


@require_http_methods(["GET", "POST"])
@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Ubah Profil: edit, then a real confirmation step (Ya / Batal), then save."""
    user = _reporter(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            if request.POST.get("confirm") == "yes":
                reporter_profile_update(user=user, **form.cleaned_data)
                messages.success(request, _("Data berhasil diubah."))
                return redirect("accounts:profile")
            if request.POST.get("confirm") != "no":
                changes = [
                    (form.fields[name].label, getattr(user, name), form.cleaned_data[name])
                    for name in PROFILE_FIELDS
                    if getattr(user, name) != form.cleaned_data[name]
                ]
                return render(
                    request,
                    "accounts/profile_confirm.html",
                    {"form": form, "changes": changes},
                )
    else:
        form = ProfileForm(initial={name: getattr(user, name) for name in PROFILE_FIELDS})
    return render(request, "accounts/profile_edit.html", {"form": form})
