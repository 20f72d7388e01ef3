import io
import zipfile

from django.urls import reverse

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
