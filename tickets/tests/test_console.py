"""The helpdesk console: queues, filters, the staff detail page and its actions."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reference.models import Application, CannedResponse, Category, Lpse
from tickets import services
from tickets.console_forms import ConsoleFilterForm
from tickets.lifecycle import ActionInvalid
from tickets.models import Attachment, CloseReason, EventKind, Status, Ticket
from tickets.tests import samples
from tickets.tests.factories import make_ticket

QUEUE = reverse("console:queue")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The personas' staff passwords: argon2 is slow on purpose, these tests need not be.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def detail_url(ticket):
    return reverse("console:ticket_detail", args=[ticket.number])


def action_url(ticket, action):
    return reverse("console:ticket_action", args=[ticket.number, action])


def _numbers(response):
    assert response.status_code == 200
    return [t.number for t in response.context["page"].object_list]


def _counts(response):
    return {queue.key: queue.count for queue in response.context["queues"]}


def katalog_ticket(reporter, **overrides):
    katalog = Application.objects.get(code="KATALOG")
    return make_ticket(
        reporter,
        application=katalog,
        version=katalog.versions.get(name="6"),
        category=Category.objects.get(application=katalog, name="Produk belum tayang"),
        **overrides,
    )


def sirup_ticket(reporter):
    sirup = Application.objects.get(code="SIRUP")
    return make_ticket(
        reporter,
        application=sirup,
        version=sirup.versions.first(),
        category=Category.objects.filter(application=sirup, is_leaf=True).first(),
        code="",
    )


def escalated(ticket, *actors):
    """Take and escalate the ticket once per actor (tier 1 → 2 → 3)."""
    for actor in actors:
        ticket = services.ticket_take(ticket=ticket, actor=actor)
        ticket = services.ticket_escalate(ticket=ticket, actor=actor, note="Naik tier.")
    return ticket


# --- Queues ---------------------------------------------------------------------------


def test_each_persona_sees_only_the_tickets_of_their_assignments(
    client, alice, carol, agent, agent_other, lkpp_spse, lkpp_katalog, supervisor
):
    # Given tickets of LPSE 119 (SPSE, at tier 1 and at tier 2), of LPSE 10, and an
    # e-Katalog ticket of LPSE 119 escalated to tier 2
    at_119 = make_ticket(alice, title="Di LPSE 119")
    spse_tier2 = escalated(make_ticket(alice, title="SPSE di tier 2"), agent)
    at_10 = make_ticket(carol, title="Di LPSE 10")
    katalog_tier2 = escalated(katalog_ticket(alice, title="Katalog di tier 2"), agent)

    def everything(person):
        client.force_login(person)
        return set(_numbers(client.get(QUEUE, {"antrian": "semua"})))

    # Then agent_other never sees LPSE 119's tickets, at any tier
    assert everything(agent_other) == {at_10.number}
    # And tier 2 sees only its own application group's tickets that reached it
    assert everything(lkpp_katalog) == {katalog_tier2.number}
    assert everything(lkpp_spse) == {spse_tier2.number}
    # And the LPSE's agent sees all of its LPSE's tickets, whatever the tier
    assert everything(agent) == {at_119.number, spse_tier2.number, katalog_tier2.number}
    # And the national supervisor sees everything
    assert everything(supervisor) == {
        at_119.number, spse_tier2.number, at_10.number, katalog_tier2.number,
    }  # fmt: skip
    # And a ticket outside one's scope never turns up through a search either
    client.force_login(agent_other)
    assert _numbers(client.get(QUEUE, {"antrian": "semua", "cari": at_119.number})) == []


def test_the_four_queues_and_their_counts(client, alice, bob, carol, agent, agent_119_b):
    # Given tickets of LPSE 119 in every situation, and one of LPSE 10
    waiting = make_ticket(alice, title="Belum diambil")
    mine = services.ticket_take(ticket=make_ticket(alice, title="Milik saya"), actor=agent)
    mine_asked = services.ticket_take(ticket=make_ticket(bob, title="Saya minta"), actor=agent)
    mine_asked = services.ticket_request_feedback(ticket=mine_asked, actor=agent, body="Data?")
    theirs = services.ticket_take(ticket=make_ticket(bob, title="Milik rekan"), actor=agent_119_b)
    theirs_asked = services.ticket_take(
        ticket=make_ticket(bob, title="Rekan minta"), actor=agent_119_b
    )
    theirs_asked = services.ticket_resolve(ticket=theirs_asked, actor=agent_119_b, body="Beres.")
    make_ticket(carol, title="LPSE lain")
    client.force_login(agent)

    def queue(key):
        return set(_numbers(client.get(QUEUE, {"antrian": key})))

    # Then each queue holds what its name says
    assert queue("saya") == {mine.number, mine_asked.number}
    assert queue("belum_diambil") == {waiting.number}
    assert queue("menunggu_pelapor") == {mine_asked.number, theirs_asked.number}
    assert queue("semua") == {
        waiting.number, mine.number, mine_asked.number, theirs.number, theirs_asked.number,
    }  # fmt: skip
    # And the counts next to the queues agree
    response = client.get(QUEUE)
    assert _counts(response) == {
        "saya": 2, "belum_diambil": 1, "menunggu_pelapor": 2, "semua": 5,
    }  # fmt: skip
    # And an agent starts with their own tickets
    assert response.context["current"] == "saya"
    body = response.content.decode()
    assert "Tiket saya" in body and "Belum diambil" in body and "Menunggu pelapor" in body


def test_the_counts_are_kept_per_person_and_scope_until_a_ticket_they_see_changes(
    client, alice, carol, agent, agent_119_b
):
    # Given two agents of LPSE 119, one of whom holds a ticket
    services.ticket_take(ticket=make_ticket(alice, title="Milik saya"), actor=agent)
    make_ticket(alice, title="Belum diambil")
    make_ticket(carol, title="LPSE 10")

    def counts_and_queries(user, **params):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE, params)
        count_queries = [q for q in captured.captured_queries if "LIMIT 10001" in q["sql"]]
        return _counts(response), len(count_queries)

    # When the agent opens the queue again, pages, filters or changes tab
    first, read = counts_and_queries(agent)
    assert read == 4
    assert first == {"saya": 1, "belum_diambil": 1, "menunggu_pelapor": 0, "semua": 2}
    # Then the four counts are not read again: nothing they see has changed
    for params in ({"antrian": "semua"}, {"antrian": "belum_diambil", "page": "1"}):
        assert counts_and_queries(agent, **params) == (first, 0)
    # (a filtered list counts only its own rows)
    assert counts_and_queries(agent, antrian="semua", prioritas="rendah") == (first, 1)
    # And the colleague at the same moment gets their own counts, not the agent's
    assert counts_and_queries(agent_119_b)[0] == {
        "saya": 0, "belum_diambil": 1, "menunggu_pelapor": 0, "semua": 2,
    }  # fmt: skip
    # When a ticket they see arrives, the next page counts it at once
    make_ticket(alice, title="Baru")
    assert counts_and_queries(agent) == (
        {"saya": 1, "belum_diambil": 2, "menunggu_pelapor": 0, "semua": 3},
        4,
    )
    # And when an admin gives the agent LPSE 10 too, the counts cover it at once, even
    # though no ticket changed
    agent.assignments.create(role="agent", lpse=Lpse.objects.get(kd_lpse=10))
    assert counts_and_queries(agent)[0] == {
        "saya": 1, "belum_diambil": 3, "menunggu_pelapor": 0, "semua": 4,
    }  # fmt: skip


def test_a_search_s_counts_are_kept_for_its_words_and_filters_until_a_ticket_changes(
    client, alice, agent
):
    make_ticket(alice, title="Gagal upload dokumen penawaran")
    make_ticket(alice, title="Jadwal tender bergeser")
    client.force_login(agent)

    def matches(**params):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE, {"antrian": "semua", **params})
        counted = [
            q for q in captured.captured_queries if "LIMIT 501" in q["sql"] and "COUNT" in q["sql"]
        ]
        tabs = {tab["queue"].key: tab["matches"] for tab in response.context["tabs"]}
        return tabs, len(counted)

    # When the agent searches, then opens another page or tab of the same search
    first, counted = matches(cari="upload")
    assert counted == 4 and first["semua"] >= 1
    assert matches(cari="upload", page="1") == (first, 0)
    # Then the four match counts are read once; other words or filters are counted anew
    assert matches(cari="jadwal")[1] == 4
    assert matches(cari="upload", prioritas="major")[1] == 4
    # And filters that move with the time itself are never kept
    assert matches(cari="upload", sla="terlambat")[1] == 4
    assert matches(cari="upload", sla="terlambat")[1] == 4
    # When a matching ticket arrives, the same search counts it at once
    make_ticket(alice, title="Upload gagal lagi")
    again, counted = matches(cari="upload")
    assert counted == 4 and again["semua"] == first["semua"] + 1


def test_a_supervisor_starts_with_everything_and_acts_in_no_queue(client, alice, supervisor):
    make_ticket(alice)
    client.force_login(supervisor)
    response = client.get(QUEUE)
    assert response.context["current"] == "semua"
    assert _counts(response) == {"saya": 0, "belum_diambil": 0, "menunggu_pelapor": 0, "semua": 1}


# --- Filters, sort, pagination ----------------------------------------------------------


@pytest.fixture
def varied(alice, carol, agent, agent_other):
    """Tickets that differ in every filterable way."""
    upload = make_ticket(alice, title="Gagal upload dokumen penawaran")
    jadwal = services.ticket_take(
        ticket=make_ticket(alice, title="Jadwal evaluasi tidak bisa diubah"), actor=agent
    )
    katalog = escalated(katalog_ticket(alice, title="Produk belum tayang di katalog"), agent)
    surabaya = make_ticket(carol, title="Gagal upload di Surabaya")
    Ticket.objects.filter(pk=upload.pk).update(priority="minor")
    Ticket.objects.filter(pk=jadwal.pk).update(priority="emergency")
    Ticket.objects.filter(pk=katalog.pk).update(priority="medium")
    Ticket.objects.filter(pk=surabaya.pk).update(priority="major")
    return {"upload": upload, "jadwal": jadwal, "katalog": katalog, "surabaya": surabaya}


def test_filters_narrow_the_list_in_any_combination(client, supervisor, varied):
    client.force_login(supervisor)
    n = {key: ticket.number for key, ticket in varied.items()}

    def listed(**params):
        return set(_numbers(client.get(QUEUE, {"antrian": "semua", **params})))

    spse = Application.objects.get(code="SPSE")
    katalog_app = Application.objects.get(code="KATALOG")
    upload_category = Category.objects.get(application=spse, name="Gagal upload dokumen penawaran")
    assert listed(status="new") == {n["upload"], n["surabaya"]}
    assert listed(status="terbuka") == set(n.values())
    assert listed(status="in_progress") == {n["jadwal"], n["katalog"]}
    assert listed(prioritas="emergency") == {n["jadwal"]}
    assert listed(aplikasi=katalog_app.pk) == {n["katalog"]}
    assert listed(kategori=upload_category.pk) == {n["upload"], n["jadwal"], n["surabaya"]}
    assert listed(lpse=Lpse.objects.get(kd_lpse=10).pk) == {n["surabaya"]}
    assert listed(tier=2) == {n["katalog"]}
    assert listed(tier=1, status="new", lpse=Lpse.objects.get(kd_lpse=119).pk) == {n["upload"]}
    # The text search finds every word anywhere: number, title, description, messages
    # ("Upload gagal terus sejak pagi." is every ticket's description here)
    assert listed(cari="gagal upload") == set(n.values())
    assert listed(cari="penawaran dokumen") == {n["upload"]}
    assert listed(cari="upload surabaya") == {n["surabaya"]}
    assert listed(cari=n["jadwal"][-5:]) == {n["jadwal"]}
    # A value that makes no sense is ignored and shown as an error, never a crash
    response = client.get(QUEUE, {"antrian": "bogus", "tier": "9", "dari": "kemarin", "page": "x"})
    assert response.status_code == 200
    assert len(_numbers(response)) == 4
    assert "Tanggal tidak valid. Tulis dd/mm/yyyy" in response.content.decode()


def test_sort_orders(client, supervisor, agent, varied):
    client.force_login(supervisor)
    n = {key: ticket.number for key, ticket in varied.items()}
    newest = [n["surabaya"], n["katalog"], n["jadwal"], n["upload"]]
    assert _numbers(client.get(QUEUE, {"antrian": "semua"})) == newest
    assert _numbers(client.get(QUEUE, {"antrian": "semua", "urut": "terlama"})) == newest[::-1]
    assert _numbers(client.get(QUEUE, {"antrian": "semua", "urut": "prioritas"})) == [
        n["jadwal"], n["surabaya"], n["katalog"], n["upload"],
    ]  # fmt: skip
    # Recently updated: a reply moves a ticket to the top
    ticket = services.ticket_take(ticket=varied["upload"], actor=agent)
    services.ticket_reply(ticket=ticket, actor=agent, body="Sedang kami cek.")
    assert _numbers(client.get(QUEUE, {"antrian": "semua", "urut": "diperbarui"}))[0] == n["upload"]


def test_the_date_range_is_read_on_the_tickets_own_lpse_date(client, alice, agent, supervisor):
    # Given a ticket of a WIB LPSE filed at 16:00 UTC on 10 March: 23:00 WIB on 10 March
    # (01:00 on 11 March for a viewer in WIT)
    ticket = make_ticket(alice)
    assert ticket.lpse.timezone == "Asia/Jakarta"
    moment = datetime.datetime(2026, 3, 10, 16, 0, tzinfo=datetime.UTC)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=moment)
    one_day = {"antrian": "semua", "dari": "2026-03-10", "sampai": "10/03/2026"}
    # When a supervisor working in WIT (LPSE Provinsi Papua) and a WIB agent ask for days
    supervisor.lpse = Lpse.objects.get(kd_lpse=91)
    supervisor.save()
    # Then both find it on its LPSE's date, 10 March, and neither on 11 March (issue 17:
    # the reports count each ticket on its own LPSE's local date, and link here)
    for person in (supervisor, agent):
        client.force_login(person)
        assert _numbers(client.get(QUEUE, one_day)) == [ticket.number]
        next_day = {**one_day, "dari": "2026-03-11", "sampai": "2026-03-11"}
        assert _numbers(client.get(QUEUE, next_day)) == []


def _filter_bar(response):
    found = re.search(
        r'<form method="get" class="search console__filters".*?</form>',
        response.content.decode(),
        re.DOTALL,
    )
    assert found is not None
    return found.group(0)


def test_the_filter_bar_without_filters_is_drawn_once_and_is_what_a_drawing_gives(
    client, agent, supervisor
):
    client.force_login(agent)
    # Given the bar kept by a first page without filters
    client.get(QUEUE, {"antrian": "semua"})
    # When another person opens the queue, or the same one another page of it
    client.force_login(supervisor)
    kept = client.get(QUEUE, {"antrian": "semua", "page": "1"})
    assert kept.context["filter_bar"]
    # Then it is exactly the bar drawn for this request
    drawn = render_to_string(
        "tickets/console/_filters.html",
        {"form": ConsoleFilterForm(kept.wsgi_request.GET), "current": "semua"},
    )
    assert _filter_bar(kept) == drawn.strip()
    # And each queue's bar sends its own queue
    assert 'name="antrian" value="belum_diambil"' in _filter_bar(
        client.get(QUEUE, {"antrian": "belum_diambil"})
    )
    # And a search for words alone keeps the bar too: its box shows the words as typed,
    # escaped, exactly as a drawing for them does
    for words in ('  upload "dokumen" <b>&amp; ', "jadwal", "x" * 200):
        searched = client.get(QUEUE, {"antrian": "semua", "cari": words})
        assert searched.context["filter_bar"]
        drawn = render_to_string(
            "tickets/console/_filters.html",
            {"form": ConsoleFilterForm(searched.wsgi_request.GET), "current": "semua"},
        )
        assert _filter_bar(searched) == drawn.strip()
        assert 'name="cari"' in drawn
    # (words too long for the box are drawn with the box's error)
    too_long = client.get(QUEUE, {"antrian": "semua", "cari": "x" * 201})
    assert too_long.context["filter_bar"] is None
    assert "field--invalid" in _filter_bar(too_long)
    # When a filter, a sort or an empty search is asked for, the bar is drawn for it
    for params, shown in (
        ({"urut": "terlama"}, '<option value="terlama" selected>'),
        ({"cari": ""}, '<option value="" selected>Semua status</option>'),
        ({"prioritas": "major"}, '<option value="major" selected>Major</option>'),
        ({"cari": "upload", "tier": "1"}, '<option value="1" selected>'),
    ):
        response = client.get(QUEUE, {"antrian": "semua", **params})
        assert response.context["filter_bar"] is None
        assert shown in _filter_bar(response)
    # And a new LPSE added in the admin is offered on the next page without filters
    Lpse.objects.create(
        kd_lpse=4242, name="LPSE Kabupaten Contoh", province="Contoh", timezone="Asia/Jayapura"
    )
    assert "LPSE Kabupaten Contoh" in _filter_bar(client.get(QUEUE, {"antrian": "semua"}))


def test_pagination_keeps_the_queue_and_filters(client, alice, agent, settings):
    settings.TICKET_PAGE_SIZE = 2
    for i in range(5):
        make_ticket(alice, title=f"Gagal {i}")
    client.force_login(agent)
    response = client.get(QUEUE, {"antrian": "semua", "cari": "gagal"})
    body = response.content.decode()
    assert "antrian=semua&amp;cari=gagal&amp;page=2" in body
    second = client.get(QUEUE, {"antrian": "semua", "cari": "gagal", "page": 2})
    assert len(_numbers(second)) == 2


def test_the_list_runs_the_same_number_of_queries_whatever_the_page_size(
    client, alice, bob, agent, agent_119_b, settings, kept
):
    # Given 25 tickets, some held by one agent or the other, some escalated
    for i in range(25):
        ticket = make_ticket(alice if i % 2 else bob, title=f"Tiket {i}")
        if i % 3 == 0:
            services.ticket_take(ticket=ticket, actor=agent if i % 2 else agent_119_b)
    client.force_login(agent)
    client.get(QUEUE)  # warm up the session

    def queries(page_size, **params):
        settings.TICKET_PAGE_SIZE = page_size
        cache.clear()  # every count read afresh, not kept from the page before
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE, {"antrian": "semua", "urut": "prioritas", **params})
        assert len(response.context["page"].object_list) == page_size
        return len(captured)

    # Then a page of 20 costs exactly what a page of 5 does (the reference and calendar
    # books kept, as in production)
    small, large = queries(5), queries(20)
    assert small == large
    # session, user, scope, live stamp, 4 capped queue counts, page count and rows, bell
    assert small <= 11
    # And so does a search, ranked or newest first: its matches are counted in each of
    # the four queues (bounded counts; the current queue's replaces the page count)
    for params in ({"cari": "tiket", "urut": ""}, {"cari": "tiket", "urut": "terbaru"}):
        small, large = queries(5, **params), queries(20, **params)
        assert small == large <= 14


# --- The staff detail page ---------------------------------------------------------------


def test_detail_shows_the_ticket_the_reporter_and_the_internal_side(client, alice, agent):
    # Given a ticket with a file, taken, with a reply and an internal note
    alice.phone = "081234567890"
    alice.save()
    ticket = make_ticket(alice, files={"bukti.png": samples.PNG}, error_code="SPSE-ERR-77")
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    services.ticket_reply(ticket=ticket, actor=agent, body="Mohon tunggu.")
    services.ticket_add_note(ticket=ticket, actor=agent, body="Cek log server 10.1.2.3.")
    client.force_login(agent)
    response = client.get(detail_url(ticket))
    body = response.content.decode()
    # Then everything the reporter sees is there
    for text in [
        ticket.number, ticket.title, "Sedang dikerjakan", "Major", "versi 4.5",
        "Penawaran › Gagal upload dokumen penawaran", "SPSE-ERR-77", "bukti.png",
        reverse("portal:attachment_download", args=[ticket.number, 1]),
        reverse("portal:attachments_zip", args=[ticket.number]), "Mohon tunggu.",
    ]:  # fmt: skip
        assert text in body, text
    # And the reporter's contact details, and where the ticket is
    for text in [
        "Alice Pratiwi", "Pejabat Pembuat Komitmen (PPK)", alice.email, "081234567890",
        "Instansi Uji", "Posisi tiket", "Tier 1 — Helpdesk LPSE", "Agent 119 (Anda)",
    ]:  # fmt: skip
        assert text in body, text
    # And the internal note, marked as such, and the internal event in the history
    assert "Cek log server 10.1.2.3." in body
    assert "message--internal" in body and "Catatan internal" in body
    assert "timeline__internal" in body


def test_internal_notes_never_reach_the_reporter(client, alice, agent, lkpp_spse):
    # Given a ticket with a public file, an internal note (with a file, as the model
    # allows), and an escalation note
    ticket = make_ticket(alice, files={"bukti.png": samples.PNG})
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    services.ticket_add_note(ticket=ticket, actor=agent, body="RAHASIA-CATATAN")
    note = ticket.messages.get(is_internal=True)
    name = default_storage.save("lampiran/rahasia.txt", ContentFile(b"RAHASIA-BERKAS"))
    Attachment.objects.create(
        ticket=ticket, message=note, sequence=2, original_name="rahasia.txt", file=name,
        size=14, content_type="text/plain", uploaded_by=agent,
    )  # fmt: skip
    services.ticket_escalate(ticket=ticket, actor=agent, note="RAHASIA-ESKALASI")
    # Then staff see them
    client.force_login(lkpp_spse)
    staff_page = client.get(detail_url(ticket)).content.decode()
    assert "RAHASIA-CATATAN" in staff_page and "RAHASIA-ESKALASI" in staff_page
    # But the reporter's detail and print never show them
    client.force_login(alice)
    for url in [ticket.get_absolute_url(), reverse("portal:ticket_print", args=[ticket.number])]:
        page = client.get(url).content.decode()
        assert "RAHASIA" not in page and "rahasia.txt" not in page, url
    # And the zip and the single download leave the note's file out
    response = client.get(reverse("portal:attachments_zip", args=[ticket.number]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [f"{ticket.number}_01_bukti.png"]
    download = reverse("portal:attachment_download", args=[ticket.number, 2])
    assert client.get(download).status_code == 404


def test_only_the_actions_allowed_now_are_offered(client, alice, agent):
    ticket = make_ticket(alice)
    make_ticket(alice, title="Tiket lain pelapor yang sama")
    client.force_login(agent)

    def offered():
        response = client.get(detail_url(ticket))
        body = response.content.decode()
        shown = {a for a in response.context["forms"] if action_url(ticket, a) in body}
        assert shown == set(response.context["forms"]) - (
            set() if response.context["merge_targets"] else {"merge"}
        )
        return shown

    # A new ticket: take it, assign it, merge it, leave a note, or check its code again
    assert offered() == {"take", "assign", "note", "merge", "revalidate_code", "link_incident"}
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    # Held by me at tier 1: everything but taking it again and returning it
    assert offered() == {
        "assign", "reply", "note", "request_feedback", "resolve", "escalate", "merge",
        "revalidate_code", "override_priority", "change_category", "link_incident",
    }  # fmt: skip
    ticket = services.ticket_request_feedback(ticket=ticket, actor=agent, body="Data?")
    # Waiting for the reporter: a reply, a note, the code, priority and category, or an
    # incident to link it to
    assert offered() == {
        "reply", "note", "revalidate_code", "override_priority", "change_category",
        "link_incident",
    }  # fmt: skip


def test_a_supervisor_reads_everything_but_has_no_action_buttons(client, alice, agent, supervisor):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    make_ticket(alice)
    client.force_login(supervisor)
    response = client.get(detail_url(ticket))
    body = response.content.decode()
    for action in ["take", "assign", "reply", "request_feedback", "resolve", "escalate",
                   "return", "merge"]:  # fmt: skip
        assert action_url(ticket, action) not in body, action
    assert "tidak dapat mengubahnya" in body
    # Only the internal note, which any staff member who sees the ticket may leave
    assert action_url(ticket, "note") in body


def test_assign_offers_the_colleagues_of_the_current_tier(
    client, alice, agent, agent_119_b, agent_other, lkpp_spse
):
    ticket = make_ticket(alice)
    client.force_login(agent)
    form = client.get(detail_url(ticket)).context["forms"]["assign"]
    assert set(form.fields["assignee"].queryset) == {agent, agent_119_b}
    # When the agent assigns it to a colleague
    response = client.post(
        action_url(ticket, "assign"), {"revision": 0, "assignee": agent_119_b.pk}, follow=True
    )
    assert "Tiket ditugaskan kepada Agent 119 B." in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.holder, ticket.status) == (agent_119_b, Status.IN_PROGRESS)
    # And somebody of another tier or LPSE is refused as an assignee
    escalated_ticket = escalated(make_ticket(alice), agent)
    client.force_login(lkpp_spse)
    response = client.post(
        action_url(escalated_ticket, "assign"),
        {"revision": escalated_ticket.revision, "assignee": agent_other.pk},
    )
    assert response.status_code == 400
    assert "tidak bertugas di tier tiket ini" in response.content.decode()


# --- Actions ----------------------------------------------------------------------------


def test_take_reply_with_files_and_resolve(client, alice, agent):
    ticket = make_ticket(alice)
    client.force_login(agent)
    response = client.post(action_url(ticket, "take"), {"revision": 0}, follow=True)
    assert response.redirect_chain == [(detail_url(ticket), 302)]
    assert "Tiket berhasil diambil." in response.content.decode()
    ticket.refresh_from_db()
    response = client.post(
        action_url(ticket, "reply"),
        {
            "revision": ticket.revision,
            "body": "Silakan coba lagi.",
            "attachments": [samples.upload("panduan.pdf", samples.PDF)],
        },
        follow=True,
    )
    assert "Balasan terkirim." in response.content.decode()
    reply = ticket.messages.get(body="Silakan coba lagi.")
    assert [a.original_name for a in reply.attachments.all()] == ["panduan.pdf"]
    ticket.refresh_from_db()
    response = client.post(
        action_url(ticket, "resolve"), {"revision": ticket.revision, "body": "Sudah."}, follow=True
    )
    assert "Tiket diselesaikan." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.AWAITING_CONFIRMATION
    # The reporter downloads the staff's file like her own
    client.force_login(alice)
    sequence = reply.attachments.get().sequence
    download = reverse("portal:attachment_download", args=[ticket.number, sequence])
    assert b"".join(client.get(download).streaming_content) == samples.PDF


def test_bad_input_is_refused_in_indonesian_and_changes_nothing(client, alice, agent):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    client.force_login(agent)
    before = (ticket.revision, ticket.messages.count(), ticket.events.count())
    # An empty reply
    response = client.post(action_url(ticket, "reply"), {"revision": ticket.revision, "body": " "})
    assert response.status_code == 400
    assert "Isian ini wajib diisi." in response.content.decode()
    # A file whose content is not what its name says
    response = client.post(
        action_url(ticket, "reply"),
        {
            "revision": ticket.revision,
            "body": "Terlampir.",
            "attachments": [samples.upload("foto.png", samples.EXE)],
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "isi berkas tidak sesuai dengan ekstensi .png" in body
    assert "Terlampir." in body  # what was typed is kept
    # A form without the page's revision
    response = client.post(action_url(ticket, "escalate"), {"note": "Naik."})
    assert response.status_code == 400
    assert "Muat ulang halaman tiket" in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.revision, ticket.messages.count(), ticket.events.count()) == before


def test_an_invalid_action_from_the_domain_answers_400(client, alice, agent, monkeypatch):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)

    def refuse(**kwargs):
        raise ActionInvalid("Balasan ditolak oleh aturan domain.")

    monkeypatch.setattr(services, "ticket_reply", refuse)
    client.force_login(agent)
    response = client.post(action_url(ticket, "reply"), {"revision": ticket.revision, "body": "x"})
    assert response.status_code == 400
    assert "Balasan ditolak oleh aturan domain." in response.content.decode()


def test_a_wrong_status_is_409_with_the_reason(client, alice, agent):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    ticket = services.ticket_request_feedback(ticket=ticket, actor=agent, body="Data?")
    client.force_login(agent)
    response = client.post(
        action_url(ticket, "resolve"), {"revision": ticket.revision, "body": "Selesai."}
    )
    assert response.status_code == 409
    assert "karena status tiket «Butuh feedback»" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.AWAITING_FEEDBACK


def test_escalate_and_return_say_where_the_ticket_went(client, alice, agent, lkpp_spse):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    client.force_login(agent)
    response = client.post(
        action_url(ticket, "escalate"), {"revision": ticket.revision, "note": "Bug?"}, follow=True
    )
    # Tier 1 still sees its LPSE's ticket: back to the detail
    assert response.redirect_chain == [(detail_url(ticket), 302)]
    assert "Tiket dieskalasi ke Tier 2." in response.content.decode()
    ticket.refresh_from_db()
    ticket = services.ticket_take(ticket=ticket, actor=lkpp_spse)
    client.force_login(lkpp_spse)
    response = client.post(
        action_url(ticket, "return"), {"revision": ticket.revision, "note": "Data kurang."},
        follow=True,
    )  # fmt: skip
    # Tier 2 keeps read access to a ticket that reached it
    assert response.redirect_chain == [(detail_url(ticket), 302)]
    assert "Tiket dikembalikan ke Tier 1." in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.holder, ticket.max_tier) == (1, None, 2)


def test_after_an_action_that_hides_the_ticket_the_queue_is_shown(
    client, alice, agent, monkeypatch
):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    monkeypatch.setattr("tickets.views.console.still_visible", lambda user, ticket: False)
    client.force_login(agent)
    response = client.post(action_url(ticket, "escalate"), {"revision": 1, "note": "Naik."})
    assert response["Location"] == QUEUE


def test_two_staff_on_the_same_revision_the_second_gets_409_naming_the_first(
    client, alice, agent, agent_119_b
):
    # Given two agents with the same new ticket open (revision 0)
    ticket = make_ticket(alice)
    seen = ticket.revision
    # When the first takes it
    client.force_login(agent)
    assert client.post(action_url(ticket, "take"), {"revision": seen}).status_code == 302
    ticket.refresh_from_db()
    before = (ticket.holder_id, ticket.revision, ticket.events.count())
    # And the second assigns it to himself from his stale page
    client.force_login(agent_119_b)
    response = client.post(
        action_url(ticket, "assign"), {"revision": seen, "assignee": agent_119_b.pk}
    )
    # Then he is told who changed it, on the detail page as it is now
    assert response.status_code == 409
    body = response.content.decode()
    assert "Tiket telah diperbarui oleh Agent 119 sejak halaman ini dibuka." in body
    assert "Muat ulang" in body
    assert response.context["ticket"].holder == agent
    ticket.refresh_from_db()
    assert (ticket.holder_id, ticket.revision, ticket.events.count()) == before


def test_a_double_click_applies_once(client, alice, agent, lkpp_spse):
    ticket = make_ticket(alice)
    client.force_login(agent)
    # Take, twice from the same page
    for _ in range(2):
        assert client.post(action_url(ticket, "take"), {"revision": 0}).status_code == 302
    assert ticket.events.filter(kind=EventKind.TAKEN).count() == 1
    # Reply, twice from the same page
    for _ in range(2):
        response = client.post(action_url(ticket, "reply"), {"revision": 1, "body": "Cek."})
        assert response.status_code == 302
    assert ticket.messages.filter(body="Cek.").count() == 1
    # Escalate from tier 2 to tier 3, twice from the same page
    ticket = services.ticket_escalate(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=agent, note="x"
    )
    ticket = services.ticket_take(ticket=ticket, actor=lkpp_spse)
    client.force_login(lkpp_spse)
    seen = ticket.revision
    for _ in range(2):
        response = client.post(action_url(ticket, "escalate"), {"revision": seen, "note": "Bug."})
        assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.tier == 3
    assert ticket.events.filter(kind=EventKind.ESCALATED, actor=lkpp_spse).count() == 1


def test_canned_responses_are_offered_per_application(client, alice, dave, agent):
    CannedResponse.objects.create(title="Tidak aktif lagi", body="Lama.", is_active=False)
    spse_ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    sirup = services.ticket_take(ticket=sirup_ticket(dave), actor=agent)
    client.force_login(agent)
    spse_page = client.get(detail_url(spse_ticket)).content.decode()
    sirup_page = client.get(detail_url(sirup)).content.decode()
    # SPSE's own, plus those for every application
    assert "Bersihkan cache peramban" in spse_page and "Mohon informasi tambahan" in spse_page
    assert "Sinkronisasi RUP" not in spse_page and "Tidak aktif lagi" not in spse_page
    assert "Sinkronisasi RUP" in sirup_page and "Mohon informasi tambahan" in sirup_page
    assert "Bersihkan cache peramban" not in sirup_page
    # Choosing one fills the reply box (its text travels with the option)
    assert 'data-canned-target="id_reply_body"' in spse_page
    assert 'data-body="Mohon bersihkan cache dan cookie peramban Anda' in spse_page
    # Nobody is offered canned replies where they cannot reply
    fresh = make_ticket(alice)
    assert "Bersihkan cache peramban" not in client.get(detail_url(fresh)).content.decode()


def test_merge_only_into_an_open_ticket_of_the_same_reporter(client, alice, bob, agent):
    # Given alice's duplicate, her other open ticket, her closed ticket, and bob's ticket
    duplicate = services.ticket_take(ticket=make_ticket(alice, title="Duplikat"), actor=agent)
    original = make_ticket(alice, title="Laporan asli")
    closed = services.ticket_take(ticket=make_ticket(alice, title="Sudah tutup"), actor=agent)
    closed = services.ticket_merge(ticket=closed, actor=agent, into=original)
    bobs = make_ticket(bob, title="Milik Bob")
    client.force_login(agent)
    # Then only her open ticket is offered, with number and title
    response = client.get(detail_url(duplicate))
    assert [t.number for t in response.context["merge_targets"]] == [original.number]
    assert f"{original.number} — Laporan asli" in response.content.decode()
    # And another reporter's or a closed ticket is refused
    for wrong in (bobs, closed, duplicate):
        response = client.post(
            action_url(duplicate, "merge"), {"revision": duplicate.revision, "into": wrong.number}
        )
        assert response.status_code == 400, wrong.title
        assert "milik pelapor yang sama" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.status == Status.IN_PROGRESS
    # When merged into her open ticket
    response = client.post(
        action_url(duplicate, "merge"),
        {"revision": duplicate.revision, "into": original.number},
        follow=True,
    )
    assert f"Tiket digabung ke {original.number}." in response.content.decode()
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.close_reason, duplicate.merged_into) == (
        Status.CLOSED, CloseReason.MERGED, original,
    )  # fmt: skip


def test_counts_stop_at_the_cap_and_the_page_says_so(client, alice, supervisor, settings):
    # Given more tickets than the counting cap (a small cap for the test)
    from tickets import queues

    for i in range(4):
        make_ticket(alice, title=f"Tiket {i}")
    original = queues.COUNT_CAP
    queues.COUNT_CAP = 2
    try:
        client.force_login(supervisor)
        response = client.get(QUEUE, {"antrian": "semua"})
    finally:
        queues.COUNT_CAP = original
    # Then the queue and the list say "more than", and the first page is still there
    content = response.content.decode()
    assert "Lebih dari 2 tiket" in content
    assert "10.000+" in content
    assert len(response.context["page"].object_list) == 4
    assert response.context["page"].paginator.count == 3  # counting stopped at cap + 1
    # And with 2 per page, page 2 exists and says there is no page 3
    settings.TICKET_PAGE_SIZE = 2
    queues.COUNT_CAP = 2
    try:
        second = client.get(QUEUE, {"antrian": "semua", "page": "2"}).context["page"]
    finally:
        queues.COUNT_CAP = original
    assert (second.number, len(second.object_list), second.has_next()) == (2, 2, False)
    assert second.has_previous()


def test_the_priority_form_says_the_reason_is_shown_to_the_reporter(client, alice, agent):
    # Given a ticket the agent holds
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    client.force_login(agent)
    # Then *Ubah prioritas* tells the agent, under the reason, that the reporter reads it
    page = client.get(detail_url(ticket)).content.decode()
    panel = page[page.index("Ubah prioritas") :]
    assert "Alasan ini ditampilkan kepada pelapor" in panel[: panel.index("Simpan prioritas")]
    # And it is true: after the change the reporter's page shows the reason
    client.post(
        action_url(ticket, "override_priority"),
        {"revision": ticket.revision, "priority": "minor", "reason": "Tidak menghambat jadwal."},
    )
    client.force_login(alice)
    assert "Tidak menghambat jadwal." in client.get(ticket.get_absolute_url()).content.decode()
