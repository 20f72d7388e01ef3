from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lib.demo_accounts import DEMO_PASSWORD, DEMO_REPORTERS
from simulator.people import SPSE_INSTANCES, Site, role_label


def index(request: HttpRequest) -> HttpResponse:
    """List the simulated applications and the demo accounts."""
    accounts = [
        {
            "person": person,
            "site": Site(person.source, person.kd_lpse),
            "role": role_label(person.role),
        }
        for person in DEMO_REPORTERS
    ]
    return render(
        request,
        "simulator/index.html",
        {
            "spse_instances": sorted(SPSE_INSTANCES.items(), key=lambda item: -item[0]),
            "accounts": accounts,
            "password": DEMO_PASSWORD,
        },
    )
