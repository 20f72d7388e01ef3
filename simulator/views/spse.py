"""SPSE (Sistem Pengadaan Secara Elektronik), one instance per LPSE."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from simulator import people
from simulator.people import Site


def _site(kd_lpse: int) -> Site:
    if kd_lpse not in people.SPSE_INSTANCES:
        raise Http404
    return Site("spse", kd_lpse)


def home(request: HttpRequest, kd_lpse: int) -> HttpResponse:
    """Public home page of an SPSE instance, with Login at the top right."""
    site = _site(kd_lpse)
    return render(
        request,
        "simulator/spse_home.html",
        {"site": site, "person": people.current_person(request, site)},
    )


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest, kd_lpse: int) -> HttpResponse:
    """SPSE login: User ID, password and Penyedia / Non-Penyedia."""
    site = _site(kd_lpse)
    error = ""
    user_id = ""
    if request.method == "POST":
        user_id = request.POST.get("user_id", "").strip()
        jenis = request.POST.get("jenis", "")
        person = None
        if jenis in ("penyedia", "non_penyedia"):
            person = people.check_credentials(
                site, user_id, request.POST.get("password", ""), penyedia=jenis == "penyedia"
            )
        if person is not None:
            people.sign_in(request, site, person)
            return redirect("spse_beranda", kd_lpse=kd_lpse)
        error = _("User ID atau password salah")
    return render(
        request,
        "simulator/spse_login.html",
        {"site": site, "error": error, "user_id": user_id},
    )


def beranda(request: HttpRequest, kd_lpse: int) -> HttpResponse:
    """SPSE "Beranda" of the signed-in user."""
    site = _site(kd_lpse)
    person = people.current_person(request, site)
    if person is None:
        return redirect("spse_login", kd_lpse=kd_lpse)
    people.remember_site(request, site)
    return render(
        request,
        "simulator/spse_beranda.html",
        {
            "site": site,
            "person": person,
            "role": people.role_label(person.role),
            "inaproc_url": f"{reverse('inaproc')}?asal={site.key}",
        },
    )


@require_POST
def logout(request: HttpRequest, kd_lpse: int) -> HttpResponse:
    """Sign out of this SPSE instance only."""
    people.sign_out(request, _site(kd_lpse))
    return redirect("spse_home", kd_lpse=kd_lpse)
