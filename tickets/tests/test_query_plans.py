"""Every list page reads the ticket table through an index, never a full scan (issue 8).

The test loads a few thousand tickets, opens each list page as its personas do,
captures the SQL the page really runs, and asks the database for the plan of every
query that reads `tickets_ticket`: on PostgreSQL with `enable_seqscan` off (a remaining
sequential scan means no index can serve the query), on SQLite with `EXPLAIN QUERY
PLAN` (a `SCAN tickets_ticket` without an index is a full scan).
"""

import datetime
import random
import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tokens import api_token_create
from reference.models import Application, Category, Lpse, Priority, TicketType
from sla.calendars import CalendarBook
from sla.clocks import ticket_dues
from tickets.models import Status, Ticket
from tickets.search import search_rebuild
from tickets.ticket_sla import clock_input

TICKETS = 3000
TABLE = "tickets_ticket"


def _load(reporters: list[User], count: int) -> None:
    rng = random.Random(8)
    lpses = list(Lpse.objects.filter(is_active=True))
    applications = list(Application.objects.filter(is_active=True))
    ticket_type = TicketType.objects.first()
    book = CalendarBook.load()
    now = timezone.now()
    rows = []
    # One category and version per application, read once (not once per ticket).
    firsts = {
        application.pk: (
            Category.objects.filter(application=application).first(),
            application.versions.first(),
        )
        for application in applications
    }
    for i in range(count):
        application = rng.choice(applications)
        category, version = firsts[application.pk]
        assert category is not None and version is not None and ticket_type is not None
        status = rng.choices(list(Status), weights=(5, 10, 3, 3, 70, 9))[0]
        ticket = Ticket(
            number=f"PLAN-{i:06d}",
            reporter=rng.choice(reporters),
            reporter_role=rng.choice(("ppk", "ppk", "pokja", "pp", "pelaku_usaha")),
            notification_email="uji@example.go.id",
            # One in a hundred has a rarer word: a search that is ranked, not broad.
            title=f"Tiket uji rencana kueri {i}" + (" sanggah" if i % 100 == 0 else ""),
            lpse=rng.choice(lpses),
            application=application,
            version=version,
            ticket_type=ticket_type,
            category=category,
            description="Uji.",
            priority=rng.choice(list(Priority)),
            status=status,
            tier=rng.choice((1, 1, 1, 2, 3)),
            created_at=now - datetime.timedelta(minutes=rng.randint(1, 60 * 24 * 700)),
        )
        ticket.max_tier = ticket.tier
        for name, value in ticket_dues(clock_input(ticket), book).as_fields().items():
            setattr(ticket, name, value)
        rows.append(ticket)
    Ticket.objects.bulk_create(rows, batch_size=1000)
    search_rebuild()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}" if connection.vendor == "postgresql" else "ANALYZE")


def _plans(queries: list[dict[str, str]]) -> Iterator[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
        try:
            for query in queries:
                sql = query["sql"]
                if TABLE not in sql or not sql.lstrip().upper().startswith("SELECT"):
                    continue
                prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
                cursor.execute(prefix + sql)
                plan = "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())
                yield sql, plan
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET enable_seqscan = on")


def _full_scans(plan: str) -> bool:
    if connection.vendor == "postgresql":
        return re.search(rf"Seq Scan on {TABLE}\b", plan) is not None
    # (The FTS5 table `tickets_ticket_search` is searched through its own index.)
    return any(
        re.search(rf"\bSCAN {TABLE}\b(?!_)", line) is not None and "USING" not in line
        for line in plan.splitlines()
    )


@pytest.fixture
def many_tickets(alice: User, bob: User, carol: User) -> None:
    _load([alice, bob, carol], TICKETS)


def _pages(
    alice: User, agent: User, supervisor: User, lkpp_spse: User
) -> list[tuple[User, str, dict[str, str], dict[str, str]]]:
    queue = reverse("console:queue")
    _, alice_token = api_token_create(user=alice, name="plan")
    _, agent_token = api_token_create(user=agent, name="plan")
    api = {"HTTP_AUTHORIZATION": f"Bearer {alice_token}"}
    staff_api = {"HTTP_AUTHORIZATION": f"Bearer {agent_token}"}
    return [
        (alice, reverse("portal:dashboard"), {}, {}),
        (alice, reverse("portal:ticket_list"), {}, {}),
        (alice, reverse("portal:ticket_list"), {"status": "perlu_tindakan"}, {}),
        (alice, reverse("portal:ticket_list"), {"status": "dilaporkan"}, {}),
        (alice, "/api/v1/tickets", {}, api),
        (agent, "/api/v1/tickets", {"antrian": "semua"}, staff_api),
        *(
            (person, queue, {"antrian": key, "urut": sort}, {})
            for person in (agent, supervisor, lkpp_spse)
            for key in ("saya", "belum_diambil", "menunggu_pelapor", "semua")
            for sort in ("terbaru", "batas_sla")
        ),
        (supervisor, queue, {"antrian": "semua", "status": "terbuka"}, {}),
        # Searches: ranked (few matches), broad (every ticket), a number, newest first
        (alice, reverse("portal:ticket_list"), {"judul": "sanggah"}, {}),
        (alice, reverse("portal:ticket_list"), {"judul": "rencana kueri"}, {}),
        (alice, "/api/v1/tickets", {"judul": "sanggah"}, api),
        *(
            (person, queue, {"antrian": "semua", "cari": text, **extra}, {})
            for person in (agent, supervisor)
            for text in ("sanggah", "uji rencana", "PLAN-000123", "kue")
            for extra in ({}, {"urut": "terbaru"})
        ),
        (agent, "/api/v1/tickets", {"antrian": "semua", "cari": "sanggah"}, staff_api),
        (supervisor, queue, {"antrian": "semua", "prioritas": "emergency"}, {}),
        # A search from "Tiket saya" counts its matches in every queue (issue 15)
        (agent, queue, {"cari": "sanggah"}, {}),
        (lkpp_spse, queue, {"cari": "PLAN-000123", "urut": "batas_sla"}, {}),
        # The SLA filter, alone and with the SLA sort, in every scope
        *(
            (person, queue, {"antrian": key, "sla": sla, "urut": sort}, {})
            for person in (agent, supervisor, lkpp_spse)
            for key in ("saya", "belum_diambil", "semua")
            for sla in ("terlambat", "hampir_terlambat", "terlambat_atau_hampir")
            for sort in ("terbaru", "batas_sla")
        ),
        (supervisor, queue, {"antrian": "semua", "sla": "terlambat", "cari": "sanggah"}, {}),
        (supervisor, queue, {"antrian": "semua", "dari": "01/01/2026", "sampai": "31/12/2026"}, {}),
        # The filters that report numbers link to (issue 17), in every scope
        *(
            (person, queue, {"antrian": key, **extra}, {})
            for person, key in (
                (agent, "saya"),
                (agent, "semua"),
                (supervisor, "semua"),
                (lkpp_spse, "semua"),
            )
            for extra in _report_filters()
        ),
    ]


def _report_filters() -> list[dict[str, str]]:
    node = Category.objects.filter(is_leaf=False).first()
    assert node is not None
    return [
        {"peran": "pokja"},
        {"kategori": str(node.pk)},
        {"kategori": str(node.pk), "aplikasi": str(node.application_id)},
        *({"sla": sla} for sla in ("terlampaui", "terlampaui_respons", "terlampaui_penyelesaian")),
        {"sla": "terlampaui", "urut": "batas_sla"},
        *({"umur": age} for age in ("lt1", "1-3", "3-5", "gt5")),
        {"umur": "gt5", "urut": "terlama"},
        {"ditutup": "force_closed"},
        {"tier_maks": "2"},
        {"tier_maks": "3"},
        {"bintang": "1"},
        {"kode": "10012345"},
        {"selesai_dari": "01/03/2026", "selesai_sampai": "31/03/2026"},
        {"tutup_dari": "01/03/2026", "tutup_sampai": "31/03/2026"},
        {"dari": "01/03/2026", "sampai": "31/03/2026", "peran": "ppk", "status": "terbuka"},
    ]


def test_no_list_page_scans_the_whole_ticket_table(
    client: Client,
    many_tickets: None,
    alice: User,
    agent: User,
    supervisor: User,
    lkpp_spse: User,
) -> None:
    scans = []
    for person, url, params, headers in _pages(alice, agent, supervisor, lkpp_spse):
        client.force_login(person)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params, **headers)  # type: ignore[arg-type]
        assert response.status_code == 200, (url, params)
        for sql, plan in _plans(captured.captured_queries):
            if _full_scans(plan):
                scans.append(f"{person.username} {url} {params}\n{sql}\n{plan}")
    assert not scans, "full scans of the ticket table:\n\n" + "\n\n".join(scans)
