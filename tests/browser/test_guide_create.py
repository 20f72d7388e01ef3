"""Buat Tiket walked step by step in the guide's order (§4.3.1, gambar 13–17).

Ubah Email → 1 Judul → 2 LPSE → 3 Aplikasi → 4 Versi → 5 kode tender, picked from
*Pilih dari paket saya* and shown *Tervalidasi* → (Tipe tiket, Kategori) → 6 Kode error →
7 Deskripsi → 8 Tambah File → 9 Kirim Tiket → *Ya, buat tiket* → *Tiket berhasil
disimpan*. The reporter is ppk1 at LPSE 119, whose packages the simulated Data
Warehouse lists (the query is on, as in the demo).
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from integrations import http as integrations_http
from reference.models import Lpse
from tests.browser.test_code_validation import reporter_page
from tickets.models import Ticket
from tickets.tests import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PACKAGE = "Pengadaan Perangkat Jaringan dan Server Pusat Data LKPP"


def walk_the_guide(page: Page, attachment: Path) -> None:
    page.get_by_role("link", name="Buat Tiket").first.click()

    # Ubah Email: the address is shown as text; the button opens the field.
    expect(page.locator("#email-notice")).to_contain_text("@")
    expect(page.get_by_label("Email notifikasi")).to_be_hidden()
    page.get_by_role("button", name="Ubah Email").click()
    expect(page.get_by_label("Email notifikasi")).to_be_focused()
    page.get_by_label("Email notifikasi").fill("notifikasi.ppk@example.go.id")

    # 1 Judul, 2 LPSE, 3 Aplikasi, 4 Versi.
    page.get_by_label("Judul tiket").fill("Gagal upload dokumen penawaran")
    lpse = Lpse.objects.get(kd_lpse=119)
    page.get_by_label("LPSE", exact=True).select_option(str(lpse.pk))
    page.get_by_label("Aplikasi", exact=True).select_option(
        label="Sistem Pengadaan Secara Elektronik (SPSE)"
    )
    expect(page.get_by_label("Versi aplikasi").locator("option", has_text="4.5")).to_have_count(1)
    page.get_by_label("Versi aplikasi").select_option(label="4.5")

    # 5 kode tender, right after Versi: picked from the reporter's own packages.
    code = page.get_by_label("Kode Tender / Non Tender / RUP")
    expect(code).to_be_visible()
    page.get_by_text("Pilih dari paket saya").click()
    page.get_by_role("button", name=re.compile(r"^9537119 ")).click()
    expect(code).to_have_value("9537119")
    lookup = page.locator("#code-lookup")
    expect(lookup.get_by_text("Tervalidasi")).to_be_visible()
    expect(lookup.get_by_text(PACKAGE)).to_be_visible()

    # Tipe tiket and Kategori (not numbered in the guide): the code stays validated.
    page.get_by_label("Tipe tiket").select_option(label="Permasalahan")
    page.get_by_label("Kategori").select_option(label="Penawaran › Gagal upload dokumen penawaran")
    expect(page.get_by_label("Kode Tender", exact=True)).to_have_value("9537119")
    expect(page.locator("#code-lookup").get_by_text("Tervalidasi")).to_be_visible()

    # 6 Kode error, 7 Deskripsi, 8 Tambah File (with ubah file / hapus file).
    page.get_by_label("Kode error").fill("SPSE-ERR-1001")
    page.get_by_label("Deskripsi").fill("Upload penawaran gagal sejak pukul 09.00 WIB.")
    page.get_by_label("Tambah File").set_input_files([attachment])
    expect(page.get_by_role("button", name=f"Ubah file {attachment.name}")).to_be_visible()
    expect(page.get_by_role("button", name=f"Hapus file {attachment.name}")).to_be_visible()

    # 9 Kirim Tiket, confirmed.
    page.get_by_role("button", name="Kirim Tiket").click()
    page.get_by_role("dialog").get_by_role("button", name="Ya, buat tiket").click()
    expect(page.get_by_text("Tiket berhasil disimpan")).to_be_visible()


def test_buat_tiket_in_the_guides_order_with_a_package_picked(
    browser: Browser, live_server, simulator_server: str, reference, settings, tmp_path: Path
) -> None:
    settings.INTEGRATION_DW_URL = simulator_server
    settings.INTEGRATION_KATALOG_URL = simulator_server
    settings.INTEGRATION_SIRUP_URL = simulator_server
    settings.INTEGRATION_RETRIES = 0
    settings.INTEGRATION_DW_MY_PACKAGES_PATH = "/dw/api/v1/paket-saya/"
    settings.INTEGRATION_SIRUP_MY_PACKAGES_PATH = "/sirup/api/v1/paket-saya/"
    integrations_http.reset_state()
    attachment = tmp_path / "tangkapan-layar.png"
    attachment.write_bytes(samples.PNG)
    page = reporter_page(browser, live_server.url, sub="ppk1", role="ppk", name="Budi Santoso")
    try:
        walk_the_guide(page, attachment)
    finally:
        page.context.close()

    ticket = Ticket.objects.get()
    assert ticket.notification_email == "notifikasi.ppk@example.go.id"
    assert ticket.code == "9537119" and ticket.code_validated
    assert ticket.code_snapshot.get("nama_paket") == PACKAGE
    assert ticket.error_code == "SPSE-ERR-1001"
    assert [a.original_name for a in ticket.attachments.all()] == ["tangkapan-layar.png"]
