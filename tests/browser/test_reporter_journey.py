"""The reporter's whole journey of the user guide, in real headless Chromium.

Sign in at the simulated SPSE (or SiRUP) → LPSE Support → Dashboard → Buat Tiket with
two attachments → confirm → *Tiket berhasil disimpan* → find it by number, status and
title → detail → download all (zip) → print view → Ubah Profil → Logout.
"""

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lib.demo_accounts import DEMO_PASSWORD
from tickets.models import Ticket
from tickets.tests import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_through_spse(page: Page, simulator: str) -> None:
    page.goto(f"{simulator}/spse/119/")
    page.get_by_role("link", name="Login").click()
    page.get_by_label("User ID").fill("penyedia1")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Penyedia", exact=True).check()
    page.get_by_role("button", name="Login").click()
    page.get_by_role("link", name="Aplikasi E-Procurement Lainnya").click()
    page.locator("#lpse-support").get_by_role("link", name="Masuk Production").click()


def sign_in_through_sirup(page: Page, simulator: str) -> None:
    page.goto(f"{simulator}/sirup/")
    page.get_by_role("link", name="Masuk").first.click()
    page.get_by_label("Username").fill("pakpa1")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Submit").click()
    # The guide's Gambar 8: first the user menu, then Aplikasi Eproc Lainnya
    page.locator("summary", has_text="Ir. Bambang Hartono").click()
    page.get_by_role("link", name="Aplikasi Eproc Lainnya").click()
    page.get_by_role("link", name="Masuk Production").click()


@pytest.mark.parametrize(
    ("sign_in", "name", "lpse"),
    [
        (sign_in_through_spse, "Hendra Wijaya", None),
        (sign_in_through_sirup, "Ir. Bambang Hartono", "LPSE Kota Makassar"),
    ],
    ids=["penyedia-spse", "pakpa-sirup"],
)
def test_reporter_journey(
    page: Page,
    live_server,
    simulator_server: str,
    reference,
    tmp_path: Path,
    sign_in: Callable[[Page, str], None],
    name: str,
    lpse: str | None,
) -> None:
    # Sign in at the simulated source and arrive on the dashboard.
    sign_in(page, simulator_server)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text(name)).to_be_visible()

    # Buat Tiket with two attachments, in the guide's order (§4.3.1).
    page.get_by_role("link", name="Buat Tiket").first.click()
    expect(page.get_by_label("Email notifikasi")).not_to_have_value("")
    expect(page.get_by_role("button", name="Ubah Email")).to_be_visible()
    page.get_by_label("Judul tiket").fill("Gagal upload dokumen penawaran <b>tender</b>")
    if lpse:
        page.get_by_label("LPSE", exact=True).select_option(label=lpse)
    page.get_by_label("Aplikasi", exact=True).select_option(
        label="Sistem Pengadaan Secara Elektronik (SPSE)"
    )
    # Versions, the code and categories follow the application without a page reload.
    expect(page.get_by_label("Versi aplikasi").locator("option", has_text="4.5")).to_have_count(1)
    page.get_by_label("Versi aplikasi").select_option(label="4.5")
    expect(page.get_by_label("Kode Tender / Non Tender / RUP")).to_be_visible()
    page.get_by_label("Kode Tender / Non Tender / RUP").fill("9537119")
    page.get_by_label("Tipe tiket").select_option(label="Permasalahan")
    page.get_by_label("Kategori").select_option(label="Penawaran › Gagal upload dokumen penawaran")
    # The category narrows the code's label; what was typed stays.
    expect(page.get_by_label("Kode Tender", exact=True)).to_have_value("9537119")
    page.get_by_label("Kode error").fill("SPSE-ERR-1001")
    page.get_by_label("Deskripsi").fill("Upload penawaran gagal sejak pukul 09.00 WIB.")
    screenshot = tmp_path / "Tangkapan Layar.png"
    screenshot.write_bytes(samples.PNG)
    chronology = tmp_path / "kronologi.txt"
    chronology.write_text("Kronologi kejadian\n", encoding="utf-8")
    page.get_by_label("Tambah File").set_input_files([screenshot, chronology])
    expect(page.locator("#id_attachments-picked li")).to_have_count(2)
    page.get_by_role("button", name="Kirim Tiket").click()
    # A real confirmation step: cancel first, nothing is sent.
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Batal").click()
    expect(dialog).to_be_hidden()
    assert Ticket.objects.count() == 0
    page.get_by_role("button", name="Kirim Tiket").click()
    page.get_by_role("dialog").get_by_role("button", name="Ya, buat tiket").click()
    expect(page.get_by_text("Tiket berhasil disimpan")).to_be_visible()
    ticket = Ticket.objects.get()
    assert ticket.attachments.count() == 2
    expect(page.get_by_role("link", name=ticket.number)).to_be_visible()

    # Find it by number, by status and by title.
    for field, value in [("Nomor tiket", ticket.number), ("Judul", "penawaran")]:
        page.get_by_role("link", name="Tiket", exact=True).click()
        page.get_by_label(field).fill(value)
        page.get_by_role("button", name="Cari Tiket").click()
        expect(page.get_by_role("link", name=ticket.number)).to_be_visible()
    page.get_by_role("link", name="Tiket", exact=True).click()
    page.get_by_label("Status").select_option(label="Belum dikerjakan")
    page.get_by_role("button", name="Cari Tiket").click()
    expect(page.get_by_role("link", name=ticket.number)).to_be_visible()
    page.get_by_label("Status").select_option(label="Selesai")
    page.get_by_role("button", name="Cari Tiket").click()
    expect(page.get_by_text("Tidak ada tiket yang sesuai dengan pencarian.")).to_be_visible()
    page.get_by_label("Status").select_option(label="Belum dikerjakan")
    page.get_by_role("button", name="Cari Tiket").click()

    # Open the detail; markup typed in the title is shown as text.
    page.get_by_role("link", name=ticket.number).click()
    expect(page.get_by_role("heading", name=re.compile(ticket.number))).to_be_visible()
    expect(page.get_by_text("Gagal upload dokumen penawaran <b>tender</b>").first).to_be_visible()
    expect(page.get_by_text("Belum dikerjakan").first).to_be_visible()

    # Download all: one zip holding both files under the naming pattern.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download semua lampiran").click()
    download = download_info.value
    assert download.suggested_filename == f"{ticket.number}.zip"
    archive_path = tmp_path / "semua.zip"
    download.save_as(archive_path)
    with zipfile.ZipFile(archive_path) as archive:
        assert archive.namelist() == [
            f"{ticket.number}_01_tangkapan-layar.png",
            f"{ticket.number}_02_kronologi.txt",
        ]
        assert archive.read(f"{ticket.number}_01_tangkapan-layar.png") == samples.PNG

    # Print view, in its own tab, without the navigation.
    with page.context.expect_page() as print_info:
        page.get_by_role("link", name="Cetak").click()
    printable = print_info.value
    printable.wait_for_load_state()
    expect(printable.get_by_text(ticket.number).first).to_be_visible()
    expect(printable.locator(".topbar")).to_have_count(0)
    printable.close()

    # Akun › Profil › Ubah Profil, with confirmation.
    page.get_by_text("Akun").click()
    page.get_by_role("link", name="Profil").click()
    page.get_by_role("link", name="Ubah Profil").click()
    page.get_by_label("No. HP").fill("0812 9999 0000")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("heading", name="Simpan perubahan data profil?")).to_be_visible()
    page.get_by_role("button", name="Ya").click()
    expect(page.get_by_text("Data berhasil diubah.")).to_be_visible()
    expect(page.get_by_text("0812 9999 0000")).to_be_visible()

    # Akun › Logout ends the session.
    page.get_by_text("Akun").click()
    page.get_by_role("button", name="Logout").click()
    expect(page.get_by_role("link", name="Masuk melalui SPSE")).to_be_visible()
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("link", name="Masuk melalui SiRUP")).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard")).to_have_count(0)
