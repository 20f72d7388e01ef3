"""The public statistics page: no sign-in, national aggregates only, small cells hidden,
switched off by a setting."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from reference.models import Application, Category
from reports.public import MIN_CELL, month_starts, public_statistics
from tickets.tests.factories import make_ticket


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def filed(alice):
    """MIN_CELL tickets about SPSE and MIN_CELL - 1 about SiRUP, this month."""
    sirup = Application.objects.get(code="SIRUP")
    sirup_leaf = Category.objects.filter(application=sirup, is_leaf=True).first()
    for n in range(MIN_CELL):
        make_ticket(alice, title=f"Rahasia pelapor {n}", code="")
    for n in range(MIN_CELL - 1):
        make_ticket(
            alice,
            title=f"Rahasia SiRUP {n}",
            code="",
            application=sirup,
            version=sirup.versions.first(),
            category=sirup_leaf,
        )


def test_anyone_reads_national_numbers_without_personal_data(client: Client, filed, alice):
    page = client.get("/statistik/")
    assert page.status_code == 200
    html = page.content.decode()
    stats = public_statistics(timezone.localdate())
    this_month = stats.months[-1]
    # The national count of this month is shown; SiRUP's small cell is not
    assert stats.national[-1].tickets == 2 * MIN_CELL - 1
    apps = {code: figures for code, _name, figures in stats.applications}
    assert apps["SPSE"][-1].tickets == MIN_CELL
    assert apps["SIRUP"][-1].tickets is None
    assert f"&lt; {MIN_CELL}" in html
    assert this_month == month_starts(timezone.localdate())[-1]
    # No name, e-mail, title or free text of anybody
    for private in (alice.display_name, alice.email, "Rahasia"):
        assert private not in html
    # Charts are there, accessible
    assert html.count('role="img"') == 2


def test_the_page_is_cached(client: Client, filed, django_assert_max_num_queries):
    client.get("/statistik/")
    with django_assert_max_num_queries(3):  # the session/user middleware at most
        assert client.get("/statistik/").status_code == 200


def test_switched_off_it_is_an_unknown_address(client: Client, settings):
    settings.PUBLIC_STATISTICS = False
    unknown = client.get("/tidak-ada/")
    page = client.get("/statistik/")
    assert page.status_code == unknown.status_code == 404
    assert page.content == unknown.content


@pytest.mark.parametrize("query", ["?bulan=<script>", "?periode=999999", "?bulan=%ff&x=1"])
def test_garbage_in_the_address_changes_nothing(client: Client, query, reference):
    assert client.get(f"/statistik/{query}").status_code == 200


def test_only_get(client: Client, reference):
    assert client.post("/statistik/").status_code == 405
