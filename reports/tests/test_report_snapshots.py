"""Built report pages kept for a few minutes (reports/snapshots.py): who shares an entry,
that access is asked first, that the page says when it counted, and the switch."""

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import StaffAssignment
from accounts.services import staff_member_upsert
from reports.filters import ReportFilterForm
from reports.snapshots import KEY_PREFIX, snapshot_key
from tickets.tests.factories import make_ticket

VOLUME = "/konsol/laporan/volume/"


@pytest.fixture(autouse=True)
def kept_five_minutes(settings):
    settings.REPORT_CACHE_SECONDS = 300


def _created_total(client: Client) -> int:
    page = client.get(VOLUME)
    assert page.status_code == 200
    total = page.context["view"].table("periode").rows[-1]
    return total[1].value


def _fact_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "tickets_ticketfact" in q["sql"]]


def test_a_kept_page_answers_until_it_is_built_again(client, supervisor, alice, carol):
    make_ticket(alice)
    client.force_login(supervisor)
    assert _created_total(client) == 1
    page = client.get(VOLUME)
    assert "Angka dihitung pada" in page.content.decode()
    make_ticket(carol)
    with CaptureQueriesContext(connection) as captured:
        assert _created_total(client) == 1  # kept: the page said when it counted
    assert _fact_queries(captured) == []
    cache.clear()  # what expiry does after REPORT_CACHE_SECONDS
    assert _created_total(client) == 2


def test_switched_off_every_page_counts_afresh(client, settings, supervisor, alice, carol):
    settings.REPORT_CACHE_SECONDS = 0
    make_ticket(alice)
    client.force_login(supervisor)
    assert _created_total(client) == 1
    assert "Angka dihitung pada" not in client.get(VOLUME).content.decode()
    make_ticket(carol)
    assert _created_total(client) == 2


def test_readers_of_the_same_rows_share_an_entry_others_never(
    client, supervisor, supervisor_119, alice, carol
):
    """alice files at LPSE 119, carol at LPSE 10: the LPSE-119 supervisor's entry is
    never the national one, and a second national supervisor reads the first's."""
    make_ticket(alice)
    make_ticket(carol)
    client.force_login(supervisor)
    assert _created_total(client) == 2
    client.force_login(supervisor_119)
    assert _created_total(client) == 1
    other_national = staff_member_upsert(
        username="supervisor_kedua",
        full_name="Supervisor Kedua",
        email="kedua@lkpp.example",
        assignments=[("supervisor", None, None, "")],
    )
    client.force_login(other_national)
    with CaptureQueriesContext(connection) as captured:
        assert _created_total(client) == 2
    assert _fact_queries(captured) == []


def test_access_is_asked_before_a_kept_page(client, supervisor_119, alice):
    make_ticket(alice)
    client.force_login(supervisor_119)
    assert _created_total(client) == 1
    unknown = client.get("/konsol/laporan/tidak-ada/")
    StaffAssignment.objects.filter(user=supervisor_119).delete()
    for url in (VOLUME, "/konsol/laporan/volume/ekspor.csv?tabel=periode"):
        answer = client.get(url)
        assert answer.status_code == 404
        assert answer.content == unknown.content


def test_another_filter_is_another_entry_and_exports_read_the_kept_page(
    client, supervisor, alice, carol
):
    make_ticket(alice)
    client.force_login(supervisor)
    assert _created_total(client) == 1
    make_ticket(carol)
    # A filter the reader never used: counted now, with carol's ticket.
    page = client.get(VOLUME + "?periode=7_hari")
    assert page.context["view"].table("periode").rows[-1][1].value == 2
    # The export of the kept page says what that page says.
    answer = client.get("/konsol/laporan/volume/ekspor.csv?tabel=periode")
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    assert rows[-1][1] == "1"


def test_a_scope_of_nothing_has_its_own_key(supervisor, supervisor_empty_group):
    """Not a reader (the views answer 404 first), but the key never fails on a scope
    whose SQL is empty, and is never the national one."""
    filters = ReportFilterForm(None, user=supervisor).filters()
    empty = snapshot_key("volume", supervisor_empty_group, filters)
    assert empty.startswith(KEY_PREFIX)
    assert empty != snapshot_key("volume", supervisor, filters)
