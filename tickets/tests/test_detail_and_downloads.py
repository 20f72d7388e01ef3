import io
import zipfile

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reference.book import ReferenceBook
from reference.models import Category
from tickets import services
from tickets.attachments import attachment_check
from tickets.models import Ticket
from tickets.tests import samples
from tickets.tests.factories import make_ticket


def test_detail_shows_every_field_and_the_history(client, alice):
    ticket = make_ticket(alice, error_code="SPSE-ERR-77", files={"bukti.png": samples.PNG})
    client.force_login(alice)
    body = client.get(ticket.get_absolute_url()).content.decode()
    for text in [
        ticket.number, "Belum dikerjakan", "Major", "Tier 1 — Helpdesk LPSE",
        "LPSE Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah", "versi 4.5",
        "Penawaran › Gagal upload dokumen penawaran", "9537119", "Belum tervalidasi",
        "SPSE-ERR-77", "Upload gagal terus sejak pagi.", "bukti.png", "Tiket dibuat", "WIB",
        "Permasalahan", alice.email,
    ]:  # fmt: skip
        assert text in body, text


def test_print_view_has_the_ticket_without_navigation(client, alice):
    ticket = make_ticket(alice)
    client.force_login(alice)
    body = client.get(reverse("portal:ticket_print", args=[ticket.number])).content.decode()
    # The Cetak button (data-print, handled by static/js/app.js: no inline handler)
    assert ticket.number in body and "data-print" in body and "js/app.js" in body
    assert 'class="topbar"' not in body


def test_single_download_follows_the_naming_pattern(client, alice):
    ticket = make_ticket(alice, files={"Bukti Unggah.png": samples.PNG})
    client.force_login(alice)
    response = client.get(reverse("portal:attachment_download", args=[ticket.number, 1]))
    assert b"".join(response.streaming_content) == samples.PNG
    assert f'filename="{ticket.number}_01_bukti-unggah.png"' in response["Content-Disposition"]
    assert response["Content-Type"] == "image/png"


def test_zip_holds_every_attachment_under_the_naming_pattern(client, alice):
    ticket = make_ticket(alice, files={"layar.jpg": samples.JPEG, "surat.pdf": samples.PDF})
    client.force_login(alice)
    response = client.get(reverse("portal:attachments_zip", args=[ticket.number]))
    assert response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="{ticket.number}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [f"{ticket.number}_01_layar.jpg", f"{ticket.number}_02_surat.pdf"]
    assert archive.read(f"{ticket.number}_02_surat.pdf") == samples.PDF


def test_zip_of_a_ticket_without_attachments_is_404(client, alice):
    ticket = make_ticket(alice)
    client.force_login(alice)
    assert client.get(reverse("portal:attachments_zip", args=[ticket.number])).status_code == 404


def test_the_detail_pages_read_a_fixed_number_of_queries_however_long_the_ticket(
    client, alice, agent, kept
):
    # Given a ticket with a file, taken by an agent (the books kept, as in production)
    ticket = make_ticket(alice, files={"bukti.png": samples.PNG})
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    staff_url = reverse("console:ticket_detail", args=[ticket.number])

    def converse(replies: int) -> None:
        nonlocal ticket
        for n in range(replies):
            ticket = services.ticket_reply(
                ticket=ticket,
                actor=agent,
                body=f"Balasan {n}",
                files=[attachment_check(samples.upload(f"langkah-{n}.png", samples.PNG))],
            )
            services.ticket_add_note(ticket=ticket, actor=agent, body=f"Catatan {n}")

    def queries(who, url):
        client.force_login(who)
        client.get(url)  # the books are read once
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    converse(1)
    short = (queries(agent, staff_url), queries(alice, ticket.get_absolute_url()))
    # When the conversation grows by replies with files and internal notes
    converse(6)
    # Then each page still reads the same statements: its ticket and the lists of its
    # messages, files and history, however many they hold
    assert (queries(agent, staff_url), queries(alice, ticket.get_absolute_url())) == short
    assert short[0] <= 15 and short[1] <= 10


def test_a_category_newer_than_the_process_s_book_is_still_shown(client, alice, agent, kept):
    # Given this process's reference book read before a category was added elsewhere
    ticket = make_ticket(alice)
    book = ReferenceBook.current()
    assert ticket.category_id in book.categories
    leaf = Category.objects.get(pk=ticket.category_id)
    newer = Category.objects.bulk_create(  # no signal: as if another process wrote it
        [
            Category(
                application_id=leaf.application_id,
                parent_id=leaf.parent_id,
                name="Kategori yang baru ditambahkan",
                is_leaf=True,
            )
        ]
    )[0]
    Ticket.objects.filter(pk=ticket.pk).update(category=newer)
    assert ReferenceBook.current() is book and newer.pk not in book.categories
    # Then both detail pages read it from the database and show it
    for person, url in (
        (alice, ticket.get_absolute_url()),
        (agent, reverse("console:ticket_detail", args=[ticket.number])),
    ):
        client.force_login(person)
        assert "Kategori yang baru ditambahkan" in client.get(url).content.decode()
