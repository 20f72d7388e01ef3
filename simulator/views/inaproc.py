"""Inaproc's list of applications and the hand-off to LPSE Support."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from lib.handoff import handoff_claims, sign_with_keys_file
from simulator import conf, people
from simulator.people import Site


def _origin(request: HttpRequest) -> Site | None:
    # "asal" names the site the person came from (spse-119, sirup); without it, the
    # site whose Beranda was shown last.
    key = request.GET.get("asal", "")
    return people.site_from_key(key) if key else people.last_site(request)


def _login_redirect(site: Site | None) -> HttpResponse:
    if site is None:
        return redirect("index")
    if site.source == "spse":
        return redirect("spse_login", kd_lpse=site.kd_lpse)
    return redirect("sirup_login")


def inaproc(request: HttpRequest) -> HttpResponse:
    """Inaproc: the e-procurement applications, with LPSE Support's Masuk Production."""
    site = _origin(request)
    person = people.current_person(request, site) if site else None
    if site is None or person is None:
        return _login_redirect(site)
    return render(
        request,
        "simulator/inaproc.html",
        {
            "site": site,
            "person": person,
            "role": people.role_label(person.role),
            "handoff_url": f"{reverse('handoff')}?asal={site.key}",
            "back_url": (
                reverse("spse_beranda", kwargs={"kd_lpse": site.kd_lpse})
                if site.source == "spse"
                else reverse("sirup_beranda")
            ),
        },
    )


@never_cache
def handoff(request: HttpRequest) -> HttpResponse:
    """Auto-submitted form posting a freshly signed token to LPSE Support."""
    site = _origin(request)
    person = people.current_person(request, site) if site else None
    if site is None or person is None:
        return _login_redirect(site)
    claims = handoff_claims(
        source=site.source,
        kd_lpse=site.kd_lpse,
        user_id=person.user_id,
        name=person.name,
        email=person.email,
        role=person.role,
        audience=conf.audience(),
    )
    token = sign_with_keys_file(claims, source=site.source, keys_file=conf.keys_file())
    response = render(
        request,
        "simulator/handoff.html",
        {
            "site": site,
            "person": person,
            "action": f"{conf.app_url()}/sso/{site.source}/",
            "token": token,
        },
    )
    # The page carries a bearer token: keep it out of the Referer of the next request.
    response["Referrer-Policy"] = "no-referrer"
    return response
