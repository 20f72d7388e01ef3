"""The report pages and their table exports: who reaches them, bad input, queries."""

import ast
import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.test import Client

from reference.models import Lpse
from reports.builders import AGE_AXIS_LABELS, REPORTS
from reports.tests.test_queries import fast_passwords  # noqa: F401 (a fixture)
from tickets.queues import AGE_BUCKETS
from tickets.services import ticket_take
from tickets.tests.factories import make_ticket
from tickets.tests.test_report_access import (  # noqa: F401 (fixtures)
    NOT_READERS,
    supervisor_deactivated_account,
    supervisor_deactivated_lpse,
)

SLUGS = list(REPORTS)


def _urls(slug: str) -> list[str]:
    base = "/konsol/laporan/" if slug == "volume" else f"/konsol/laporan/{slug}/"
    table = next(iter(_tables(slug)), "x")
    return [
        base,
        f"/konsol/laporan/{slug}/",
        f"/konsol/laporan/{slug}/ekspor.csv?tabel={table}",
        f"/konsol/laporan/{slug}/ekspor.xlsx?tabel={table}",
    ]


def _tables(slug: str) -> list[str]:
    return TABLES.get(slug, [])


# The tables each report shows (the exports are by table key).
TABLES: dict[str, list[str]] = {
    "volume": ["periode", "backlog"],
    "umur": ["tier", "lpse", "aplikasi"],
    "sla": ["prioritas", "tier", "lpse", "aplikasi"],
    "eskalasi": ["ringkasan", "waktu"],
    "kepuasan": ["ringkasan", "bintang", "kategori", "saran"],
    "teratas": ["kategori", "kode"],
    "petugas": ["petugas"],
    "swalayan": ["bulan", "rincian"],
}


@pytest.fixture
def tickets(alice, carol):
    return [make_ticket(alice), make_ticket(carol)]


def _login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_every_report_is_listed():
    assert SLUGS, "no report is registered"


@pytest.mark.parametrize("persona", NOT_READERS)
def test_not_readers_get_the_unknown_address_answer(client, request, tickets, persona):
    user = request.getfixturevalue(persona)
    _login(client, user)
    unknown = client.get("/konsol/laporan/tidak-ada/")
    for slug in SLUGS:
        for url in _urls(slug):
            answer = client.get(url)
            assert answer.status_code == unknown.status_code, url
            if unknown.status_code == 404:
                assert answer.content == unknown.content, url


def test_anonymous_is_sent_to_sign_in(client, tickets):
    for slug in SLUGS:
        for url in _urls(slug):
            answer = client.get(url)
            assert answer.status_code == 302 and "/masuk/" in answer["Location"], url


@pytest.mark.parametrize("reader", ["supervisor", "supervisor_119", "supervisor_spse_group"])
def test_readers_open_every_report_and_table_export(client, request, tickets, reader):
    _login(client, request.getfixturevalue(reader))
    for slug in SLUGS:
        page = client.get(_urls(slug)[1])
        assert page.status_code == 200, slug
        for table in page.context["view"].tables:
            url = f"/konsol/laporan/{slug}/ekspor.%s?{page.context['query']}&tabel={table.key}"
            answer = client.get(url % "csv")
            assert answer.status_code == 200, (slug, table.key)
            text = b"".join(answer.streaming_content).decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(text)))
            assert rows[0] == [str(column) for column in table.columns]
            assert len(rows) == len(table.rows) + 1
            answer = client.get(url % "xlsx")
            book = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
            assert book.active.max_row == len(table.rows) + 1


@pytest.mark.parametrize(
    "query",
    [
        "?periode=selamanya",
        "?periode=rentang&dari=31/02/2026&sampai=01/01/2026",
        "?periode=rentang&dari=01/01/2020&sampai=01/01/2026",
        "?lpse=abc&aplikasi=-1&kategori=99999999&tier=9&prioritas=%3Cscript%3E&peran=x&per=abad",
        "?dari=%00",
    ],
)
def test_bad_filters_say_why_and_never_fail(client, supervisor, tickets, query):
    _login(client, supervisor)
    for slug in SLUGS:
        page = client.get(_urls(slug)[1] + query)
        assert page.status_code in (200, 400), (slug, query)


def test_an_unknown_table_or_format_is_not_found(client, supervisor, tickets):
    _login(client, supervisor)
    slug = SLUGS[0]
    assert client.get(f"/konsol/laporan/{slug}/ekspor.csv?tabel=tidak-ada").status_code == 404
    assert client.get(f"/konsol/laporan/{slug}/ekspor.pdf?tabel=x").status_code == 404


def test_report_pages_read_a_bounded_number_of_queries(
    client, supervisor, tickets, django_assert_max_num_queries
):
    _login(client, supervisor)
    for slug in SLUGS:
        client.get(_urls(slug)[1])  # warm the per-process caches
        with django_assert_max_num_queries(40):
            assert client.get(_urls(slug)[1]).status_code == 200


def _console_count(client: Client, href: str) -> int:
    page = client.get(href)
    assert page.status_code == 200, href
    return page.context["page"].paginator.count


def test_every_age_bucket_has_a_short_axis_label():
    assert list(AGE_AXIS_LABELS) == list(AGE_BUCKETS)


def test_the_benchmark_reads_every_report():
    """scripts/bench.py and its locust users name the reports (they run without Django)."""
    for script in ("scripts/bench.py", "scripts/bench_locust.py"):
        tree = ast.parse((Path(settings.BASE_DIR) / script).read_text(encoding="utf-8"))
        slugs = next(
            ast.literal_eval(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and any(getattr(target, "id", "") == "REPORT_SLUGS" for target in node.targets)
        )
        assert list(slugs) == SLUGS, script


def test_an_lpse_supervisor_sees_only_their_lpse_in_pages_exports_and_links(
    client, supervisor, supervisor_119, alice, carol, agent
):
    """Carol's LPSE (10) has more tickets, a taken one and a code: none of it shows."""
    mine = make_ticket(alice)
    theirs = [make_ticket(carol, code="9537119") for _ in range(3)]
    other = Lpse.objects.get(pk=theirs[0].lpse_id)
    assert other.pk != mine.lpse_id
    ticket_take(ticket=mine, actor=agent)
    # The national supervisor does see them (so their absence below means something).
    _login(client, supervisor)
    assert other.name in client.get("/konsol/laporan/sla/").content.decode()
    assert "9537119" in client.get("/konsol/laporan/teratas/").content.decode()
    _login(client, supervisor_119)
    for slug in SLUGS:
        page = client.get(f"/konsol/laporan/{slug}/")
        text = page.content.decode()
        assert other.name not in text, slug
        assert all(ticket.number not in text for ticket in theirs), slug
        for table in page.context["view"].tables:
            for fmt in ("csv", "xlsx"):
                answer = client.get(f"/konsol/laporan/{slug}/ekspor.{fmt}?tabel={table.key}")
                body = b"".join(answer.streaming_content)
                if fmt == "csv":
                    assert other.name not in body.decode("utf-8-sig"), (slug, table.key)
            for row in table.rows:
                for cell in row:
                    if cell.href.startswith("/konsol/?"):
                        assert _console_count(client, cell.href) == cell.value
    volume = client.get("/konsol/laporan/volume/").context["view"].table("periode")
    assert volume.rows[-1][1].value == 1
    # Asking for the other LPSE is refused on the form and changes nothing.
    page = client.get(f"/konsol/laporan/volume/?lpse={other.pk}")
    assert page.context["form"].errors["lpse"]
    assert page.context["view"].table("periode").rows[-1][1].value == 1
