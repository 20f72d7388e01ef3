"""The reporter's actions on the portal (guide §4.3.4–§4.3.5.3).

Beri Feedback, Konfirmasi (Ya, sudah / Belum), Tutup Tiket; what the detail page shows
(request, resolution, history texts, tier); refusals as pages (409 stale or wrong
status, 404 for anybody but the reporter); internal notes never reach the reporter.
"""

import io
import os
import re
import zipfile

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tickets import services
from tickets.attachments import attachment_check
from tickets.lifecycle import ActionConflict, ActionForbidden, ActionInvalid
from tickets.models import Attachment, Message, Status, Ticket
from tickets.tests import samples
from tickets.tests.factories import make_ticket

REQUEST_TEXT = "Mohon kirim tangkapan layar pesan error dan jam kejadiannya."
RESOLUTION_TEXT = "Cache peramban sudah kami bersihkan di server; silakan unggah ulang."
SECRET_NOTE = "CATATAN-RAHASIA: pelapor ini sering salah unggah"


# --- Helpers: tickets moved into each status through the services. --------------------------


def in_progress(reporter, agent, **overrides) -> Ticket:
    return services.ticket_take(ticket=make_ticket(reporter, **overrides), actor=agent)


def awaiting_feedback(reporter, agent, **overrides) -> Ticket:
    ticket = in_progress(reporter, agent, **overrides)
    return services.ticket_request_feedback(ticket=ticket, actor=agent, body=REQUEST_TEXT)


def awaiting_confirmation(reporter, agent, **overrides) -> Ticket:
    ticket = in_progress(reporter, agent, **overrides)
    return services.ticket_resolve(ticket=ticket, actor=agent, body=RESOLUTION_TEXT)


def stored_files(media_storage: str) -> list[str]:
    return sorted(f for _d, _s, files in os.walk(media_storage) for f in files)


def url(name: str, ticket: Ticket | str) -> str:
    number = ticket if isinstance(ticket, str) else ticket.number
    return reverse(f"portal:{name}", args=[number])


def snapshot(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.revision,
        ticket.holder_id,
        ticket.messages.count(),
        ticket.events.count(),
        ticket.attachments.count(),
    )


@pytest.fixture
def feedback_ticket(alice, agent):
    return awaiting_feedback(alice, agent)


@pytest.fixture
def confirmation_ticket(alice, agent):
    return awaiting_confirmation(alice, agent)


# --- Beri Feedback ---------------------------------------------------------------------------


def test_the_detail_offers_beri_feedback_with_the_request_and_writing_hints(
    client, alice, feedback_ticket
):
    client.force_login(alice)
    body = client.get(feedback_ticket.get_absolute_url()).content.decode()
    for text in [
        'id="tindakan"', "Beri Feedback", REQUEST_TEXT, "Permintaan feedback", "Agent 119",
        "Petunjuk penulisan", "pesan error", "tangkapan layar", "Tambah File", "Kirim tiket",
        "Tutup Tiket", 'data-confirm-dialog="confirm-feedback"', "<dialog", ">Ya<", ">Batal<",
        f'name="revision" value="{feedback_ticket.revision}"', "multiple",
        'data-file-picker="id_attachments-picked"',
    ]:  # fmt: skip
        assert text in body, text


def test_the_list_links_waiting_tickets_to_their_action(client, alice, agent):
    feedback = awaiting_feedback(alice, agent)
    confirmation = awaiting_confirmation(alice, agent)
    client.force_login(alice)
    body = client.get(reverse("portal:ticket_list")).content.decode()
    assert f'href="{feedback.get_absolute_url()}#tindakan">Beri Feedback' in body
    assert f'href="{confirmation.get_absolute_url()}#tindakan">Konfirmasi' in body


def test_feedback_with_two_files_goes_back_to_the_holder(
    client, alice, agent, feedback_ticket, media_storage
):
    # Given a ticket waiting for alice's feedback
    client.force_login(alice)
    before = stored_files(media_storage)
    # When she sends a message with two files
    response = client.post(
        url("ticket_feedback", feedback_ticket),
        {
            "revision": feedback_ticket.revision,
            "body": "Terlampir tangkapan layar; error muncul pukul 09.58 WIB.",
            "attachments": [
                samples.upload("Bukti Error.png", samples.PNG),
                samples.upload("kronologi.txt", b"09.58 gagal unggah\n"),
            ],
        },
        follow=True,
    )
    # Then the ticket is back in progress with the same holder
    ticket = Ticket.objects.get(pk=feedback_ticket.pk)
    assert (ticket.status, ticket.holder, ticket.tier) == (Status.IN_PROGRESS, agent, 1)
    # And the message and both files are stored under the naming pattern
    message = ticket.messages.get(kind="feedback")
    assert message.author == alice and not message.is_internal
    assert message.body == "Terlampir tangkapan layar; error muncul pukul 09.58 WIB."
    assert [a.download_name for a in message.attachments.all()] == [
        f"{ticket.number}_01_bukti-error.png",
        f"{ticket.number}_02_kronologi.txt",
    ]
    assert [a.original_name for a in message.attachments.all()] == [
        "Bukti Error.png",
        "kronologi.txt",
    ]
    assert len(stored_files(media_storage)) == len(before) + 2
    assert ticket.events.filter(kind="feedback_given").count() == 1
    # And she is back on the ticket with the success text
    assert response.redirect_chain[-1][0] == ticket.get_absolute_url()
    assert "Feedback berhasil terkirim" in response.content.decode()


def test_feedback_sent_by_htmx_redirects_the_client(client, alice, feedback_ticket):
    client.force_login(alice)
    response = client.post(
        url("ticket_feedback", feedback_ticket),
        {"revision": feedback_ticket.revision, "body": "Sudah saya coba lagi."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == feedback_ticket.get_absolute_url()
    assert Ticket.objects.get(pk=feedback_ticket.pk).status == Status.IN_PROGRESS


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_feedback_without_a_message_is_refused_next_to_the_field(
    client, alice, feedback_ticket, media_storage, body
):
    client.force_login(alice)
    before, files_before = snapshot(feedback_ticket), stored_files(media_storage)
    response = client.post(
        url("ticket_feedback", feedback_ticket),
        {
            "revision": feedback_ticket.revision,
            "body": body,
            "attachments": [samples.upload("bukti.png", samples.PNG)],
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        '<ul class="errors" id="error-body" aria-live="polite"><li>Pesan feedback wajib diisi.'
        in (content)
    )
    assert "Belum terkirim. Periksa kembali isian yang ditandai di bawah." in content
    assert snapshot(feedback_ticket) == before
    assert stored_files(media_storage) == files_before


def test_htmx_errors_are_swapped_next_to_each_field(client, alice, feedback_ticket):
    client.force_login(alice)
    response = client.post(
        url("ticket_feedback", feedback_ticket),
        {"revision": feedback_ticket.revision, "body": ""},
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="form-errors" hx-swap-oob="true"' in content
    assert 'id="error-body" aria-live="polite" hx-swap-oob="true"><li>Pesan feedback wajib' in (
        content
    )
    assert "<html" not in content


def test_an_exe_renamed_to_pdf_is_refused_and_nothing_is_stored(
    client, alice, feedback_ticket, media_storage
):
    client.force_login(alice)
    before, files_before = snapshot(feedback_ticket), stored_files(media_storage)
    response = client.post(
        url("ticket_feedback", feedback_ticket),
        {
            "revision": feedback_ticket.revision,
            "body": "Terlampir.",
            "attachments": [
                samples.upload("bukti.png", samples.PNG),
                samples.upload("surat.pdf", samples.EXE),
            ],
        },
    )
    assert "Berkas surat.pdf: isi berkas tidak sesuai dengan ekstensi .pdf." in (
        response.content.decode()
    )
    assert snapshot(feedback_ticket) == before
    assert stored_files(media_storage) == files_before


def test_a_file_over_50_mb_is_refused_and_nothing_is_stored(
    client, alice, feedback_ticket, media_storage
):
    client.force_login(alice)
    before, files_before = snapshot(feedback_ticket), stored_files(media_storage)
    big = SimpleUploadedFile("besar.pdf", samples.PDF + b"\x00" * (52_428_801 - len(samples.PDF)))
    response = client.post(
        url("ticket_feedback", feedback_ticket),
        {"revision": feedback_ticket.revision, "body": "Terlampir.", "attachments": [big]},
    )
    # Reading stops at the first byte past the limit (lpse_support/middleware.py): 413
    assert response.status_code == 413
    assert "melebihi batas 50,0\xa0MB per berkas" in response.content.decode()
    assert snapshot(feedback_ticket) == before
    assert stored_files(media_storage) == files_before


def test_feedback_on_a_ticket_no_longer_waiting_for_it_is_a_409_page(
    client, alice, agent, media_storage
):
    # Given a ticket in progress (no feedback asked), posted with its current revision
    ticket = in_progress(alice, agent)
    client.force_login(alice)
    before, files_before = snapshot(ticket), stored_files(media_storage)
    response = client.post(
        url("ticket_feedback", ticket),
        {
            "revision": ticket.revision,
            "body": "Feedback terlambat.",
            "attachments": [samples.upload("bukti.png", samples.PNG)],
        },
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Tindakan tidak dapat diproses" in content
    assert (
        "Aksi «Beri Feedback» tidak dapat dilakukan karena status tiket «Sedang dikerjakan»."
        in (content)
    )
    assert f'href="{ticket.get_absolute_url()}"' in content
    assert snapshot(ticket) == before
    assert stored_files(media_storage) == files_before
    # An empty message on such a page is the same 409, not a field error
    response = client.post(url("ticket_feedback", ticket), {"revision": ticket.revision})
    assert response.status_code == 409


def test_feedback_from_a_stale_page_is_a_409_and_changes_nothing(
    client, alice, agent, feedback_ticket, media_storage
):
    # Given alice opened the page, then the agent replied (the ticket changed)
    seen = feedback_ticket.revision
    services.ticket_reply(ticket=feedback_ticket, actor=agent, body="Ditunggu ya.")
    client.force_login(alice)
    before, files_before = snapshot(feedback_ticket), stored_files(media_storage)
    # When she sends her feedback from the page she had open
    response = client.post(
        url("ticket_feedback", feedback_ticket),
        {
            "revision": seen,
            "body": "Ini feedback saya.",
            "attachments": [samples.upload("bukti.png", samples.PNG)],
        },
    )
    # Then she is told that the ticket changed, and nothing was stored
    assert response.status_code == 409
    content = response.content.decode()
    assert "Tiket telah diperbarui oleh Agent 119 sejak halaman ini dibuka." in content
    assert "Muat ulang halaman untuk melihat perubahan terbaru." in content
    assert snapshot(feedback_ticket) == before
    assert stored_files(media_storage) == files_before


def test_an_htmx_refusal_replaces_the_page_content_with_the_explanation(
    client, alice, agent, feedback_ticket
):
    seen = feedback_ticket.revision
    services.ticket_reply(ticket=feedback_ticket, actor=agent, body="Ditunggu ya.")
    client.force_login(alice)
    response = client.post(
        url("ticket_feedback", feedback_ticket),
        {"revision": seen, "body": "Ini feedback saya."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#konten"
    assert response["HX-Reswap"].startswith("innerHTML")
    assert "diperbarui oleh Agent 119" in response.content.decode()


@pytest.mark.parametrize(
    ("error", "status", "title"),
    [
        (ActionForbidden("Hanya pelapor tiket ini yang dapat melakukan aksi ini."), 403,
         "Tindakan tidak diizinkan"),
        (ActionInvalid("Pesan feedback terlalu panjang."), 400, "Isian tidak dapat diterima"),
        (ActionConflict("Aksi ini sudah tidak berlaku."), 409, "Tindakan tidak dapat diproses"),
    ],
)  # fmt: skip
def test_every_refusal_of_the_service_is_a_page_with_its_status(
    client, alice, feedback_ticket, monkeypatch, error, status, title
):
    def refuse(**kwargs):
        raise error

    monkeypatch.setattr(services, "ticket_give_feedback", refuse)
    client.force_login(alice)
    response = client.post(
        url("ticket_feedback", feedback_ticket),
        {"revision": feedback_ticket.revision, "body": "Terlampir."},
    )
    assert response.status_code == status
    content = response.content.decode()
    assert title in content and error.message in content
    assert 'class="topbar"' in content  # a whole page, in the site's layout


def test_a_double_submission_of_feedback_is_applied_once(client, alice, feedback_ticket):
    client.force_login(alice)
    data = {"revision": feedback_ticket.revision, "body": "Terlampir."}
    first = client.post(url("ticket_feedback", feedback_ticket), data)
    second = client.post(url("ticket_feedback", feedback_ticket), data)
    assert first.status_code == second.status_code == 302
    assert feedback_ticket.messages.filter(kind="feedback").count() == 1


def test_the_action_urls_answer_get_with_the_detail(client, alice, feedback_ticket):
    client.force_login(alice)
    for name in ("ticket_feedback", "ticket_confirm"):
        response = client.get(url(name, feedback_ticket))
        assert response.status_code == 302
        assert response["Location"] == feedback_ticket.get_absolute_url() + "#tindakan"


# --- Konfirmasi ------------------------------------------------------------------------------


def test_the_detail_shows_the_resolution_and_the_two_answers(client, alice, confirmation_ticket):
    client.force_login(alice)
    body = client.get(confirmation_ticket.get_absolute_url()).content.decode()
    for text in [
        'id="tindakan"', "Konfirmasi", "Penyelesaian", RESOLUTION_TEXT, "Ya, sudah", "Belum",
        'data-reveal-when="answer=belum"', "Kirim tiket", "Tutup Tiket",
        'data-confirm-dialog="confirm-confirmation"',
    ]:  # fmt: skip
        assert text in body, text


def test_ya_sudah_closes_the_ticket_and_leads_to_the_rating(client, alice, confirmation_ticket):
    client.force_login(alice)
    response = client.post(
        url("ticket_confirm", confirmation_ticket),
        {"revision": confirmation_ticket.revision, "answer": "ya", "body": "diabaikan"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("ticket_rate", confirmation_ticket)
    ticket = Ticket.objects.get(pk=confirmation_ticket.pk)
    assert (ticket.status, ticket.close_reason) == (Status.CLOSED, "confirmed")
    assert not ticket.messages.filter(kind="reopen").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Terima kasih, tiket telah selesai." in page


def test_belum_with_a_message_and_a_file_reopens_to_the_resolver(
    client, alice, agent, confirmation_ticket
):
    client.force_login(alice)
    response = client.post(
        url("ticket_confirm", confirmation_ticket),
        {
            "revision": confirmation_ticket.revision,
            "answer": "belum",
            "body": "Masih gagal unggah pada pukul 14.10 WIB.",
            "attachments": [samples.upload("masih gagal.png", samples.PNG)],
        },
        follow=True,
    )
    ticket = Ticket.objects.get(pk=confirmation_ticket.pk)
    assert (ticket.status, ticket.holder, ticket.reopen_count) == (Status.IN_PROGRESS, agent, 1)
    message = ticket.messages.get(kind="reopen")
    assert message.body == "Masih gagal unggah pada pukul 14.10 WIB."
    assert [a.download_name for a in message.attachments.all()] == [
        f"{ticket.number}_01_masih-gagal.png"
    ]
    assert response.redirect_chain[-1][0] == ticket.get_absolute_url()
    assert "Feedback berhasil terkirim" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"answer": "belum", "body": " "}, "Pesan wajib diisi"),
        ({"body": "Masih gagal."}, "Pilih «Ya, sudah» atau «Belum»."),
        ({"answer": "mungkin", "body": "?"}, "Pilih «Ya, sudah» atau «Belum»."),
    ],
)
def test_an_incomplete_confirmation_is_refused_and_changes_nothing(
    client, alice, confirmation_ticket, media_storage, data, error
):
    client.force_login(alice)
    before, files_before = snapshot(confirmation_ticket), stored_files(media_storage)
    data = {
        "revision": confirmation_ticket.revision,
        "attachments": [samples.upload("bukti.png", samples.PNG)],
        **data,
    }
    response = client.post(url("ticket_confirm", confirmation_ticket), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert snapshot(confirmation_ticket) == before
    assert stored_files(media_storage) == files_before


def test_belum_keeps_the_message_box_open_after_an_error(client, alice, confirmation_ticket):
    client.force_login(alice)
    response = client.post(
        url("ticket_confirm", confirmation_ticket),
        {"revision": confirmation_ticket.revision, "answer": "belum", "body": ""},
    )
    content = response.content.decode()
    assert re.search(r'<input type="radio" name="answer" value="belum"[^>]* checked>', content)
    assert not re.search(r'<input type="radio" name="answer" value="ya"[^>]* checked>', content)


def test_a_confirmation_from_a_stale_page_is_a_409(client, alice, agent, confirmation_ticket):
    seen = confirmation_ticket.revision
    services.ticket_force_close(ticket=confirmation_ticket, actor=alice, reason="Tab lain.")
    client.force_login(alice)
    response = client.post(
        url("ticket_confirm", confirmation_ticket), {"revision": seen, "answer": "ya"}
    )
    assert response.status_code == 409
    assert "diperbarui oleh Alice Pratiwi" in response.content.decode()
    assert Ticket.objects.get(pk=confirmation_ticket.pk).status == Status.FORCE_CLOSED


# --- Tutup Tiket -----------------------------------------------------------------------------


def test_tutup_tiket_shows_the_consequence_before_the_reason(client, alice, feedback_ticket):
    client.force_login(alice)
    response = client.get(url("ticket_close", feedback_ticket))
    body = response.content.decode()
    assert response.status_code == 200
    consequence = body.index("Tiket yang ditutup tidak dapat dibuka kembali.")
    assert "Helpdesk akan menghentikan penanganan tiket ini" in body
    assert consequence < body.index('name="reason"')
    for text in ["Alasan", ">Tutup<", ">Batal<", f'value="{feedback_ticket.revision}"']:
        assert text in body, text
    # And the detail page offers it, next to Beri Feedback (guide Gambar 27)
    detail = client.get(feedback_ticket.get_absolute_url()).content.decode()
    assert f'href="{url("ticket_close", feedback_ticket)}"' in detail


@pytest.mark.parametrize("reason", ["", "   "])
def test_tutup_tiket_needs_a_reason(client, alice, feedback_ticket, reason):
    client.force_login(alice)
    before = snapshot(feedback_ticket)
    response = client.post(
        url("ticket_close", feedback_ticket),
        {"revision": feedback_ticket.revision, "reason": reason},
    )
    assert response.status_code == 200
    assert "Alasan wajib diisi." in response.content.decode()
    assert snapshot(feedback_ticket) == before


@pytest.mark.parametrize(
    "make", [make_ticket, in_progress, awaiting_feedback, awaiting_confirmation]
)
def test_tutup_tiket_works_from_every_open_status(client, alice, agent, make):
    ticket = make(alice) if make is make_ticket else make(alice, agent)
    client.force_login(alice)
    # The detail offers it in every open status
    assert f'href="{url("ticket_close", ticket)}"' in (
        client.get(ticket.get_absolute_url()).content.decode()
    )
    response = client.post(
        url("ticket_close", ticket),
        {"revision": ticket.revision, "reason": "Sudah bisa setelah ganti peramban."},
    )
    assert response.status_code == 302
    assert response["Location"] == url("ticket_rate", ticket)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.close_reason) == (Status.FORCE_CLOSED, "force_closed")
    event = ticket.events.get(kind="force_closed")
    assert event.reason == "Sudah bisa setelah ganti peramban." and event.actor == alice
    detail = client.get(ticket.get_absolute_url()).content.decode()
    assert "Alasan: Sudah bisa setelah ganti peramban." in detail
    assert f'href="{url("ticket_close", ticket)}"' not in detail


def test_tutup_tiket_is_refused_once_the_ticket_is_closed(client, alice, confirmation_ticket):
    ticket = services.ticket_confirm(ticket=confirmation_ticket, actor=alice)
    client.force_login(alice)
    before = snapshot(ticket)
    assert client.get(url("ticket_close", ticket)).status_code == 409
    response = client.post(
        url("ticket_close", ticket), {"revision": ticket.revision, "reason": "Tutup lagi."}
    )
    assert response.status_code == 409
    assert "Aksi «Tutup Tiket» tidak dapat dilakukan karena status tiket «Selesai»." in (
        response.content.decode()
    )
    empty = client.post(url("ticket_close", ticket), {"revision": ticket.revision, "reason": ""})
    assert empty.status_code == 409
    assert snapshot(ticket) == before


def test_a_double_click_on_tutup_closes_once_and_leads_to_the_rating(
    client, alice, feedback_ticket
):
    client.force_login(alice)
    data = {"revision": feedback_ticket.revision, "reason": "Sudah bisa."}
    first = client.post(url("ticket_close", feedback_ticket), data)
    second = client.post(url("ticket_close", feedback_ticket), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == url("ticket_rate", feedback_ticket)
    assert feedback_ticket.events.filter(kind="force_closed").count() == 1


def test_tutup_tiket_from_a_stale_page_is_a_409(client, alice, agent, feedback_ticket):
    seen = feedback_ticket.revision
    services.ticket_reply(ticket=feedback_ticket, actor=agent, body="Ditunggu ya.")
    client.force_login(alice)
    before = snapshot(feedback_ticket)
    response = client.post(
        url("ticket_close", feedback_ticket), {"revision": seen, "reason": "Sudah bisa."}
    )
    assert response.status_code == 409
    assert snapshot(feedback_ticket) == before


# --- Who may act: only the reporter; anybody else gets the 404 of a missing ticket -----------

ACTION_URLS = ["ticket_feedback", "ticket_confirm", "ticket_close", "ticket_rate"]
# Each URL with the methods it answers.
REQUESTS = [
    *[(name, method) for name in ACTION_URLS for method in ("get", "post")],
    ("rating_categories", "get"),
    ("ticket_detail", "get"),
]


@pytest.mark.parametrize("intruder", ["bob", "carol", "dave"])
def test_other_reporters_get_the_404_of_a_missing_ticket(
    client, request, alice, agent, feedback_ticket, intruder
):
    client.force_login(request.getfixturevalue(intruder))
    before = snapshot(feedback_ticket)
    missing = "SPSE-20000101-99999"
    data = {"revision": feedback_ticket.revision, "body": "x", "reason": "x", "stars": "5"}
    for name, method in REQUESTS:
        theirs = getattr(client, method)(url(name, feedback_ticket), data)
        nothing = getattr(client, method)(url(name, missing), data)
        assert theirs.status_code == nothing.status_code == 404, (name, method)
        assert theirs.content == nothing.content, (name, method)
    assert snapshot(feedback_ticket) == before


@pytest.mark.parametrize("staff", ["agent", "supervisor", "admin_user"])
def test_staff_get_404_on_every_reporter_action(client, request, alice, feedback_ticket, staff):
    client.force_login(request.getfixturevalue(staff))
    before = snapshot(feedback_ticket)
    data = {"revision": feedback_ticket.revision, "body": "x", "reason": "x", "stars": "5"}
    for name, method in REQUESTS:
        response = getattr(client, method)(url(name, feedback_ticket), data)
        assert response.status_code == 404, (name, method)
    assert snapshot(feedback_ticket) == before


def test_anonymous_visitors_are_sent_to_sign_in(client, feedback_ticket):
    for name, method in REQUESTS:
        response = getattr(client, method)(url(name, feedback_ticket), {})
        assert response.status_code == 302, name
        assert response["Location"].startswith("/?next="), name


# --- What the reporter sees: conversation, position, history ---------------------------------


def test_messages_show_their_kind_the_staff_name_and_their_files(client, alice, agent):
    ticket = in_progress(alice, agent)
    services.ticket_reply(ticket=ticket, actor=agent, body="Sedang kami periksa.")
    ticket = services.ticket_request_feedback(
        ticket=ticket,
        actor=agent,
        body=REQUEST_TEXT,
        files=[attachment_check(samples.upload("contoh layar.png", samples.PNG))],
    )
    ticket = services.ticket_give_feedback(ticket=ticket, actor=alice, body="Terlampir.")
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body=RESOLUTION_TEXT)
    ticket = services.ticket_reopen(ticket=ticket, actor=alice, body="Masih gagal.")
    client.force_login(alice)
    body = client.get(ticket.get_absolute_url()).content.decode()
    for text in [
        "Balasan", "Permintaan feedback", "Feedback pelapor", "Penyelesaian", "Belum selesai",
        "Agent 119", "(helpdesk)", "(pelapor)", f"{ticket.number}_01_contoh-layar.png",
        url("ticket_detail", ticket) + "lampiran/1/",
    ]:  # fmt: skip
        assert text in body, text


def test_the_history_names_the_tiers_of_escalations_and_returns(client, alice, agent, lkpp_spse):
    ticket = in_progress(alice, agent)
    ticket = services.ticket_escalate(ticket=ticket, actor=agent, note="Perlu LKPP.")
    client.force_login(alice)
    body = client.get(ticket.get_absolute_url()).content.decode()
    assert "Tiket dieskalasi ke Tier 2 — Helpdesk Eproc LKPP" in body
    # Posisi tiket: the tier that holds it now
    assert "Posisi tiket" in body and "Tier 2 — Helpdesk Eproc LKPP" in body
    assert "menunggu diambil petugas" in body
    ticket = services.ticket_take(ticket=ticket, actor=lkpp_spse)
    ticket = services.ticket_return(ticket=ticket, actor=lkpp_spse, note="Kembali ke LPSE.")
    body = client.get(ticket.get_absolute_url()).content.decode()
    assert "Tiket dikembalikan ke Tier 1 — Helpdesk LPSE" in body
    # The escalation and return notes are internal
    assert "Perlu LKPP." not in body and "Kembali ke LPSE." not in body


def test_a_merged_ticket_links_to_the_ticket_it_was_merged_into(client, alice, agent):
    target = make_ticket(alice, title="Tiket utama")
    duplicate = in_progress(alice, agent, title="Tiket ganda")
    services.ticket_merge(ticket=duplicate, actor=agent, into=target)
    client.force_login(alice)
    body = client.get(duplicate.get_absolute_url()).content.decode()
    assert (
        f'Tiket digabung ke tiket <a href="{target.get_absolute_url()}">{target.number}</a>' in body
    )
    assert "Digabung ke tiket lain" in body
    target_body = client.get(target.get_absolute_url()).content.decode()
    assert f'<a href="{duplicate.get_absolute_url()}">{duplicate.number}</a>' in target_body


# --- Internal notes never reach the reporter --------------------------------------------------


def test_internal_notes_never_reach_the_reporter(client, alice, agent, media_storage):
    # Given a ticket with an internal note, an escalation note and an internal file
    ticket = awaiting_feedback(alice, agent, files={"bukti.png": samples.PNG})
    services.ticket_add_note(ticket=ticket, actor=agent, body=SECRET_NOTE)
    note = Message.objects.get(ticket=ticket, is_internal=True)
    name = default_storage.save(
        f"lampiran/{ticket.number}_09_rahasia.txt", ContentFile(b"rahasia internal")
    )
    Attachment.objects.create(
        ticket=ticket, message=note, sequence=9, original_name="rahasia-internal.txt",
        file=name, size=16, content_type="text/plain", uploaded_by=agent,
    )  # fmt: skip
    client.force_login(alice)
    # Then the detail, the print page and the list never show them
    pages = [
        ticket.get_absolute_url(),
        url("ticket_print", ticket),
        reverse("portal:ticket_list"),
        reverse("portal:dashboard"),
    ]
    for page in pages:
        body = client.get(page).content.decode()
        for secret in [SECRET_NOTE, "Catatan internal", "rahasia-internal.txt"]:
            assert secret not in body, (page, secret)
    # And the zip holds only the public files
    response = client.get(url("attachments_zip", ticket))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [f"{ticket.number}_01_bukti.png"]
    assert client.get(
        reverse("portal:attachment_download", args=[ticket.number, 9])
    ).status_code == (404)


# --- In a real browser: the file list, the confirmation dialogs, the stars -------------------


def _signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_feedback_confirmation_and_rating_in_a_browser(page, live_server, alice, agent, tmp_path):
    ticket = awaiting_feedback(alice, agent)
    _signed_in(page, live_server, alice)
    files = {}
    for name, content in [("satu.png", samples.PNG), ("dua.txt", b"dua\n"),
                          ("tiga.pdf", samples.PDF), ("empat.txt", b"empat\n")]:  # fmt: skip
        files[name] = tmp_path / name
        files[name].write_bytes(content)

    # Beri Feedback from the list's button
    page.goto(f"{live_server.url}/tiket/")
    page.get_by_role("link", name="Beri Feedback").click()
    expect(page.get_by_text(REQUEST_TEXT).first).to_be_visible()
    expect(page.get_by_text("Petunjuk penulisan")).to_be_visible()
    page.get_by_label("Pesan feedback").fill("Error muncul pukul 09.58 WIB, terlampir.")
    # Choose two files, then add a third: the list keeps all three
    picker = page.get_by_label("Tambah File")
    picker.set_input_files([files["satu.png"], files["dua.txt"]])
    picker.set_input_files([files["tiga.pdf"]])
    items = page.locator("#id_attachments-picked li")
    expect(items).to_have_count(3)
    # Remove one (guide: hapus file), replace another (ubah file)
    page.get_by_role("button", name="Hapus file dua.txt").click()
    expect(items).to_have_count(2)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Ubah file tiga.pdf").click()
    chooser.value.set_files([files["empat.txt"]])
    expect(items.nth(1)).to_contain_text("empat.txt")
    assert picker.evaluate("input => Array.from(input.files).map(f => f.name)") == [
        "satu.png",
        "empat.txt",
    ]
    # Kirim tiket asks first; Batal sends nothing
    page.get_by_role("button", name="Kirim tiket").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Batal").click()
    expect(dialog).to_be_hidden()
    assert not ticket.messages.filter(kind="feedback").exists()
    page.get_by_role("button", name="Kirim tiket").click()
    page.get_by_role("dialog").get_by_role("button", name="Ya").click()
    expect(page.get_by_text("Feedback berhasil terkirim")).to_be_visible()
    message = ticket.messages.get(kind="feedback")
    assert [a.original_name for a in message.attachments.all()] == ["satu.png", "empat.txt"]

    # Konfirmasi: «Belum» opens the message box; «Ya, sudah» closes and leads to Penilaian
    ticket.refresh_from_db()
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body=RESOLUTION_TEXT)
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    expect(page.get_by_label("Pesan", exact=True)).to_be_hidden()
    page.get_by_label("Belum").check()
    expect(page.get_by_label("Pesan", exact=True)).to_be_visible()
    page.get_by_role("button", name="Kirim tiket").click()
    page.get_by_role("dialog").get_by_role("button", name="Ya").click()
    expect(page.locator("#error-body")).to_contain_text("Pesan wajib diisi")
    page.get_by_label("Ya, sudah").check()
    expect(page.get_by_label("Pesan", exact=True)).to_be_hidden()
    page.get_by_role("button", name="Kirim tiket").click()
    page.get_by_role("dialog").get_by_role("button", name="Ya").click()
    expect(page.get_by_role("heading", name=re.compile("Penilaian"))).to_be_visible()

    # Penilaian: the categories follow the stars without a reload
    page.locator("label[for=id_stars_2]").click()
    expect(page.get_by_label("Respon lambat")).to_be_visible()
    expect(page.get_by_label("Respon cepat")).to_have_count(0)
    page.locator("label[for=id_stars_5]").click()
    expect(page.get_by_label("Respon cepat")).to_be_visible()
    expect(page.get_by_label("Respon lambat")).to_have_count(0)
    page.get_by_label("Respon cepat").check()
    page.get_by_label("Saran dan kritik").fill("Mantap.")
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_text("Berhasil memberikan penilaian")).to_be_visible()
    rating = ticket.rating
    assert rating.stars == 5 and [c.name for c in rating.categories.all()] == ["Respon cepat"]

    # A page gone stale meanwhile: the refusal replaces the page, with the reason
    other = awaiting_feedback(alice, agent)
    page.goto(f"{live_server.url}{other.get_absolute_url()}")
    page.get_by_label("Pesan feedback").fill("Ini jawaban saya.")
    services.ticket_reply(ticket=other, actor=agent, body="Ada kabar?")
    page.get_by_role("button", name="Kirim tiket").click()
    page.get_by_role("dialog").get_by_role("button", name="Ya").click()
    refusal = page.get_by_role("alert").filter(has_text="Tindakan tidak dapat diproses")
    expect(refusal).to_be_visible()
    expect(refusal).to_be_focused()
    expect(refusal).to_contain_text("diperbarui oleh Agent 119")
    assert not other.messages.filter(kind="feedback").exists()
