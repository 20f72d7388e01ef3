"""CSV and XLSX exports of the console list: exactly the list's tickets, for who may see
them, with the columns a supervisor expects and nothing internal."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import staff_member_upsert
from reference.models import Lpse
from tests.test_replica import stale_replica  # noqa: F401  (a fixture)
from tickets import services
from tickets.access import tickets_visible_to
from tickets.exports import category_paths, ticket_chunks, ticket_export_header, ticket_export_rows
from tickets.models import Ticket
from tickets.queues import (
    SORT_DUE,
    SORT_NEWEST,
    SORT_OLDEST,
    SORT_PRIORITY,
    SORT_UPDATED,
    ConsoleFilters,
    console_list,
)
from tickets.tests.factories import make_ticket
from tickets.tests.test_console import katalog_ticket

QUEUE = reverse("console:queue")
CSV_URL = reverse("console:export_csv")
XLSX_URL = reverse("console:export_xlsx")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The personas' staff passwords: argon2 is slow on purpose, these tests need not be.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = _body(response)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(_body(response)))
    return list(book.active.iter_rows(values_only=True))


def _csv_numbers(client, **params) -> list[str]:
    rows = _csv(client.get(CSV_URL, params))
    assert rows[0] == ticket_export_header()
    return [row[0] for row in rows[1:]]


def _list_numbers(client, **params) -> list[str]:
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return [t.number for t in response.context["page"].object_list]


@pytest.fixture
def varied(alice, bob, carol, agent):
    """Tickets of two LPSEs, several statuses, priorities and tiers."""
    upload = make_ticket(alice, title="Gagal upload dokumen penawaran")
    jadwal = services.ticket_take(ticket=make_ticket(bob, title="Jadwal evaluasi"), actor=agent)
    katalog = katalog_ticket(alice, title="Produk belum tayang di katalog")
    katalog = services.ticket_take(ticket=katalog, actor=agent)
    katalog = services.ticket_escalate(ticket=katalog, actor=agent, note="Naik tier.")
    surabaya = make_ticket(carol, title="Gagal upload di Surabaya")
    Ticket.objects.filter(pk=upload.pk).update(priority="minor")
    Ticket.objects.filter(pk=jadwal.pk).update(priority="emergency")
    Ticket.objects.filter(pk=surabaya.pk).update(priority="major")
    return {"upload": upload, "jadwal": jadwal, "katalog": katalog, "surabaya": surabaya}


# --- Who may export --------------------------------------------------------------------


@pytest.fixture
def supervisor_119(reference):
    return staff_member_upsert(
        username="supervisor_119",
        full_name="Supervisor 119",
        email="supervisor_119@lkpp.example",
        assignments=[("supervisor", 119, None, "")],
        password="demo1234",
    )


@pytest.fixture
def supervisor_closed_lpse(reference):
    """A supervisor whose only LPSE an admin deactivated."""
    user = staff_member_upsert(
        username="supervisor_tutup",
        full_name="Supervisor Tutup",
        email="supervisor_tutup@lkpp.example",
        assignments=[("supervisor", 10, None, "")],
        password="demo1234",
    )
    Lpse.objects.filter(kd_lpse=10).update(is_active=False)
    return user


OUTSIDERS = [
    None,  # not signed in
    "alice",  # a reporter
    "admin_user",  # superuser without an assignment
    "agent_deactivated",
    "agent_removed",
    "supervisor_empty_group",
    "lkpp_empty_group",
    "supervisor_closed_lpse",
]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_who_may_not_open_the_console_gets_the_consoles_answer(request, client, alice, persona):
    make_ticket(alice)
    if persona is not None:
        client.force_login(request.getfixturevalue(persona))
    console = client.get(QUEUE, {"antrian": "semua"})
    assert console.status_code in (302, 404)
    for url in (CSV_URL, XLSX_URL):
        answer = client.get(url, {"antrian": "semua"})
        assert answer.status_code == console.status_code, (persona, url)
        if console.status_code == 404:
            assert answer.content == client.get("/konsol/tidak-ada/").content
        else:
            # The same sign-in page, coming back to the export afterwards
            assert answer["Location"].split("?")[0] == console["Location"].split("?")[0]
            assert "next=" in answer["Location"]


def test_an_agent_never_gets_another_lpses_ticket(client, alice, carol, agent, agent_other):
    ours, theirs = make_ticket(alice), make_ticket(carol)
    client.force_login(agent)
    assert _csv_numbers(client, antrian="semua") == [ours.number]
    # Not even by asking for the other LPSE
    other = Lpse.objects.get(kd_lpse=10)
    assert _csv_numbers(client, antrian="semua", lpse=other.pk) == []
    assert [row[0] for row in _xlsx(client.get(XLSX_URL, {"antrian": "semua"}))[1:]] == [
        ours.number
    ]
    client.force_login(agent_other)
    assert _csv_numbers(client, antrian="semua") == [theirs.number]


def test_an_lpse_supervisor_exports_only_that_lpse(client, alice, carol, supervisor_119):
    ours, _theirs = make_ticket(alice), make_ticket(carol)
    client.force_login(supervisor_119)
    assert _csv_numbers(client) == [ours.number]
    assert _csv_numbers(client, lpse=Lpse.objects.get(kd_lpse=10).pk) == []


STAFF = [
    "agent",
    "agent_other",
    "lkpp_spse",
    "lkpp_katalog",
    "teknis_spse",
    "teknis_katalog",
    "supervisor",
    "supervisor_119",
]


@pytest.mark.parametrize("persona", STAFF)
def test_each_staff_member_exports_exactly_their_own_list(
    request, client, varied, settings, persona
):
    # Given a ticket that reached tier 3 as well
    services.ticket_escalate(
        ticket=services.ticket_take(
            ticket=varied["katalog"], actor=request.getfixturevalue("lkpp_katalog")
        ),
        actor=request.getfixturevalue("lkpp_katalog"),
        note="Perlu tim teknis.",
    )
    settings.TICKET_PAGE_SIZE = 100
    client.force_login(request.getfixturevalue(persona))
    for queue in ("semua", "belum_diambil", "saya"):
        listed = _list_numbers(client, antrian=queue)
        assert _csv_numbers(client, antrian=queue) == listed, queue
        sheet = _xlsx(client.get(XLSX_URL, {"antrian": queue}))
        assert [row[0] for row in sheet[1:]] == listed, queue


# --- The file equals the list ------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"antrian": "semua"},
        {"antrian": "semua", "urut": "terlama"},
        {"antrian": "semua", "urut": "prioritas"},
        {"antrian": "semua", "urut": "diperbarui"},
        {"antrian": "semua", "urut": "batas_sla"},
        {"antrian": "semua", "status": "terbuka", "tier": "1"},
        {"antrian": "semua", "status": "new", "prioritas": "major"},
        {"antrian": "semua", "cari": "gagal upload"},
        {"antrian": "semua", "cari": "gagal", "urut": "terbaru"},
        {"antrian": "belum_diambil"},
        # Garbage is ignored as the list ignores it
        {"antrian": "bogus", "tier": "9", "dari": "kemarin", "urut": "acak", "lpse": "x"},
        {"sampai": "01/01/2000", "dari": "02/02/2030", "kategori": "-1", "aplikasi": "999999"},
    ],
)
def test_the_export_has_exactly_the_lists_tickets_in_its_order(
    client, supervisor, varied, settings, params
):
    settings.TICKET_PAGE_SIZE = 100  # the whole list on one page
    client.force_login(supervisor)
    listed = _list_numbers(client, **params)
    assert _csv_numbers(client, **params) == listed
    rows = _xlsx(client.get(XLSX_URL, params))
    assert [row[0] for row in rows[1:]] == listed


def test_odd_bytes_get_the_lists_answer_never_a_500(client, supervisor, varied):
    client.force_login(supervisor)
    for query in ("cari=%00", "lpse=" + "1" * 400, "urut=%ff%fe&tier=%c0", "dari=99/99/9999"):
        listed = client.get(f"{QUEUE}?{query}").status_code
        assert listed < 500
        for url in (CSV_URL, XLSX_URL):
            assert client.get(f"{url}?{query}").status_code == listed


def test_an_agents_default_queue_is_exported_as_shown(client, alice, agent, varied):
    client.force_login(agent)
    assert _csv_numbers(client) == _list_numbers(client) != []


def test_the_links_on_the_list_carry_its_queue_and_filters(client, supervisor, varied):
    client.force_login(supervisor)
    page = client.get(QUEUE, {"status": "terbuka", "page": "1"}).content.decode()
    assert f'href="{CSV_URL}?status=terbuka&amp;antrian=semua"' in page
    assert f'href="{XLSX_URL}?status=terbuka&amp;antrian=semua"' in page
    assert "Unduh CSV" in page and "Unduh XLSX" in page


# --- The columns --------------------------------------------------------------------------


def test_columns_in_local_time_with_sla_and_rating_and_nothing_internal(
    client, alice, carol, agent, agent_other, supervisor
):
    # Given a Surabaya (WIB) ticket answered, resolved, confirmed and rated, with an
    # internal note; and a ticket of LPSE 91 (WIT)
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    ticket = services.ticket_add_note(ticket=ticket, actor=agent, body="RAHASIA-CATATAN")
    ticket = services.ticket_reply(ticket=ticket, actor=agent, body="BALASAN-PUBLIK")
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body="Sudah diperbaiki.")
    ticket = services.ticket_confirm(ticket=ticket, actor=alice)
    ticket = services.ticket_rate(ticket=ticket, actor=alice, stars=4, comment="KOMENTAR-RAHASIA")
    moment = datetime.datetime(2026, 3, 10, 16, 0, tzinfo=datetime.UTC)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=moment)
    papua = Lpse.objects.get(kd_lpse=91)
    far = make_ticket(carol, lpse=papua)
    Ticket.objects.filter(pk=far.pk).update(created_at=moment)
    client.force_login(supervisor)
    # When the supervisor exports the list
    response = client.get(CSV_URL, {"antrian": "semua", "urut": "terlama"})
    assert re.fullmatch(
        r'attachment; filename="tiket-\d{8}-\d{4}\.csv"', response["Content-Disposition"]
    )
    rows = _csv(response)
    header = rows[0]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    # Then the dates are in each LPSE's own time, with its zone
    done = by_number[ticket.number]
    assert done["Dibuat"] == "2026-03-10 23:00" and done["Zona waktu"] == "WIB"
    assert by_number[far.number]["Dibuat"] == "2026-03-11 01:00"
    assert by_number[far.number]["Zona waktu"] == "WIT"
    assert done["LPSE"] == f"119 — {ticket.lpse.name}"
    assert done["Aplikasi"] == "SPSE"
    assert done["Kategori"] == category_paths()[ticket.category_id]
    assert " › " in done["Kategori"]
    assert done["Status"] == "Selesai"
    assert done["Cara ditutup"] == "Dikonfirmasi selesai oleh pelapor"
    assert done["Penanggung jawab"] == agent.display_name
    assert done["Respons pertama"] and done["Ditutup"]
    assert done["Dibuka kembali"] == "0"
    assert done["Penilaian"] == "4"
    assert by_number[far.number]["Penilaian"] == ""
    assert by_number[far.number]["SLA respons"] in {"Berjalan", "Hampir terlampaui", "Terlampaui"}
    assert done["SLA penyelesaian"] in {"Terpenuhi", "Tidak terpenuhi"}
    # And nothing internal, no message, no comment, no e-mail address
    data = _body(client.get(CSV_URL, {"antrian": "semua"})).decode("utf-8-sig")
    sheet = "\n".join(
        str(value)
        for row in _xlsx(client.get(XLSX_URL, {"antrian": "semua"}))
        for value in row
        if value is not None
    )
    for text in (data, sheet):
        for secret in (
            "RAHASIA-CATATAN",
            "BALASAN-PUBLIK",
            "KOMENTAR-RAHASIA",
            "@",
            "Upload gagal",
        ):
            assert secret not in text
    # And the XLSX holds real dates and numbers
    sheet_rows = _xlsx(client.get(XLSX_URL, {"antrian": "semua", "urut": "terlama"}))
    assert sheet_rows[0] == tuple(header)
    first = dict(zip(header, sheet_rows[1], strict=True))
    assert first["Nomor tiket"] == ticket.number
    assert first["Dibuat"] == datetime.datetime(2026, 3, 10, 23, 0)
    assert first["Penilaian"] == 4 and first["Dibuka kembali"] == 0


def test_a_formula_in_a_title_is_neutralised_in_both_files(client, alice, supervisor):
    ticket = make_ticket(alice, title='=HYPERLINK("http://x")')
    plain = make_ticket(alice, title="-")
    client.force_login(supervisor)
    rows = _csv(client.get(CSV_URL, {"antrian": "semua"}))
    titles = {row[0]: row[1] for row in rows[1:]}
    assert titles[ticket.number] == '\'=HYPERLINK("http://x")'
    assert titles[plain.number] == "'-"
    sheet = _xlsx(client.get(XLSX_URL, {"antrian": "semua"}))
    titles = {row[0]: row[1] for row in sheet[1:]}
    assert titles[ticket.number] == '\'=HYPERLINK("http://x")'
    assert titles[plain.number] == "'-"


def test_an_empty_list_gives_the_header_alone(client, supervisor):
    client.force_login(supervisor)
    assert _csv(client.get(CSV_URL)) == [ticket_export_header()]
    assert _xlsx(client.get(XLSX_URL)) == [tuple(ticket_export_header())]


# --- Chunks: every ticket once, in order, a bounded number of queries ------------------------


@pytest.mark.parametrize("sort", [SORT_NEWEST, SORT_OLDEST, SORT_PRIORITY, SORT_UPDATED, SORT_DUE])
def test_chunks_read_every_ticket_once_in_the_lists_order(alice, carol, agent, supervisor, sort):
    # Given tickets sharing creation and update times (ties), some with no SLA due time
    tickets = [make_ticket(alice if i % 2 else carol, title=f"T{i}") for i in range(9)]
    same = datetime.datetime(2026, 1, 5, 3, 0, tzinfo=datetime.UTC)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[:5]]).update(
        created_at=same, updated_at=same, priority="major"
    )
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[3:7]]).update(next_due_at=None)
    listed = console_list(tickets_visible_to(supervisor), ConsoleFilters(sort=sort))
    expected = [t.number for t in listed]
    for size in (1, 2, 4, 9, 50):
        chunks = list(ticket_chunks(listed, chunk_size=size))
        assert [t["number"] for chunk in chunks for t in chunk] == expected, size
        assert all(len(chunk) <= size for chunk in chunks)


def test_queries_grow_per_chunk_not_per_ticket(alice, carol, agent, supervisor):
    for i in range(12):
        ticket = make_ticket(alice if i % 2 else carol, title=f"T{i}")
        if i % 2:
            services.ticket_take(ticket=ticket, actor=agent)
    listed = console_list(tickets_visible_to(supervisor), ConsoleFilters())
    list(ticket_export_rows(listed, chunk_size=4))  # warm the calendar book

    def queries(chunk_size):
        with CaptureQueriesContext(connection) as captured:
            rows = list(ticket_export_rows(listed, chunk_size=chunk_size))
        assert len(rows) == Ticket.objects.count()
        return [query["sql"] for query in captured]

    # Three chunks (5, 5, 2), then one more ticket in the last chunk: the same queries
    three_chunks = queries(5)
    make_ticket(alice, title="T12")
    assert len(queries(5)) == len(three_chunks)
    # the SLA calendar book (3) and the reference tables (4) once; per chunk the tickets,
    # their ratings and the holders not seen before
    assert len(three_chunks) <= 3 + 4 + 3 * 3, three_chunks


# --- The replica -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a stale replica needs PostgreSQL")
def test_the_export_reads_the_replica_unless_its_reader_just_wrote(
    client,
    alice,
    supervisor,
    stale_replica,  # noqa: F811
):
    # Given a replica copied before alice's ticket was filed
    cache.clear()
    stale_replica()
    ticket = make_ticket(alice)
    client.force_login(supervisor)
    # When the supervisor, who wrote nothing, exports: the file comes from the replica
    # (the rows are read while the body streams, after the view has returned)
    assert _csv_numbers(client, antrian="semua") == []
    assert _xlsx(client.get(XLSX_URL, {"antrian": "semua"}))[1:] == []
    # And after a write of their own, from the primary
    note = reverse("console:ticket_action", args=[ticket.number, "note"])
    answer = client.post(note, {"revision": ticket.revision, "body": "Dicek."})
    assert answer.status_code == 302
    assert _csv_numbers(client, antrian="semua") == [ticket.number]
    cache.clear()
