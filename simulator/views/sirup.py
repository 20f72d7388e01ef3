"""SiRUP (Sistem Informasi Rencana Umum Pengadaan), national."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from simulator import people
from simulator.people import Site

SITE = Site("sirup", 0)


def home(request: HttpRequest) -> HttpResponse:
    """Public home page of SiRUP, with Masuk."""
    return render(
        request,
        "simulator/sirup_home.html",
        {"site": SITE, "person": people.current_person(request, SITE)},
    )


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """SiRUP login: username and password."""
    error = ""
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        person = people.check_credentials(SITE, username, request.POST.get("password", ""))
        if person is not None:
            people.sign_in(request, SITE, person)
            return redirect("sirup_beranda")
        error = _("Username atau password salah")
    return render(
        request,
        "simulator/sirup_login.html",
        {"site": SITE, "error": error, "username": username},
    )


def beranda(request: HttpRequest) -> HttpResponse:
    """SiRUP home of the signed-in user."""
    person = people.current_person(request, SITE)
    if person is None:
        return redirect("sirup_login")
    people.remember_site(request, SITE)
    return render(
        request,
        "simulator/sirup_beranda.html",
        {"site": SITE, "person": person, "role": people.role_label(person.role)},
    )


def aplikasi(request: HttpRequest) -> HttpResponse:
    """SiRUP's "Aplikasi Eproc Lainnya" list, with LPSE Support."""
    person = people.current_person(request, SITE)
    if person is None:
        return redirect("sirup_login")
    return render(
        request,
        "simulator/sirup_aplikasi.html",
        {
            "site": SITE,
            "person": person,
            "role": people.role_label(person.role),
            "handoff_url": f"{reverse('handoff')}?asal={SITE.key}",
        },
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out of SiRUP only."""
    people.sign_out(request, SITE)
    return redirect("sirup_home")
