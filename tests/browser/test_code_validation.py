"""Buat Tiket checks the typed code at its source as the reporter types (issue: codes).

A known tender shows *Tervalidasi* with its data and the ticket gets the priority the
source data gives; an unknown code reveals the manual fields, and what is typed there is
stored on the ticket, which keeps its base priority.
"""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from integrations import http as integrations_http
from integrations.clients import tender_lookup
from reference.models import Lpse
from testsupport.simulator import make_handoff_token
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATEGORY = "Penawaran › Gagal upload dokumen penawaran"


def reporter_page(browser: Browser, base_url: str, **claims: Any) -> Page:
    """A reporter (penyedia1 at LPSE 119 unless `claims` say otherwise) handed over by
    SPSE, as the simulator does."""
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    claims = {
        "sub": "penyedia1",
        "role": "pelaku_usaha",
        "name": "Hendra Wijaya",
        "kd_lpse": 119,
        **claims,
    }
    token = make_handoff_token("spse", **claims)
    page.set_content(
        f'<form method="post" action="{base_url}/sso/spse/">'
        f'<input type="hidden" name="token" value="{token}"></form>'
    )
    page.evaluate("document.forms[0].submit()")
    page.wait_for_url("**/dashboard/")
    return page


def start_ticket(page: Page, title: str, code: str) -> None:
    page.get_by_role("link", name="Buat Tiket").first.click()
    page.get_by_label("Judul tiket").fill(title)
    page.get_by_label("Aplikasi", exact=True).select_option(
        label="Sistem Pengadaan Secara Elektronik (SPSE)"
    )
    expect(page.get_by_label("Versi aplikasi").locator("option", has_text="4.5")).to_have_count(1)
    page.get_by_label("Versi aplikasi").select_option(label="4.5")
    page.get_by_label("Tipe tiket").select_option(label="Permasalahan")
    page.get_by_label("Kategori").select_option(label=CATEGORY)
    # Once the category is chosen, the code's label narrows to its kind.
    expect(page.get_by_label("Kode Tender", exact=True)).to_be_visible()
    page.get_by_label("Kode Tender", exact=True).press_sequentially(code, delay=20)


def send(page: Page) -> None:
    page.get_by_label("Deskripsi").fill("Upload penawaran gagal sejak pukul 09.00 WIB.")
    page.get_by_role("button", name="Kirim Tiket").click()
    page.get_by_role("dialog").get_by_role("button", name="Ya, buat tiket").click()
    expect(page.get_by_text("Tiket berhasil disimpan")).to_be_visible()


def journey(page: Page, package_name: str) -> None:
    """Three tickets' worth of typing; the first two are sent."""
    # A tender in Upload Dokumen Penawaran: validated, with its data; no manual fields.
    start_ticket(page, "Gagal upload dokumen penawaran", "9537119")
    lookup = page.locator("#code-lookup")
    expect(lookup.get_by_text("Tervalidasi")).to_be_visible()
    expect(lookup.get_by_text(package_name)).to_be_visible()
    expect(lookup.get_by_text("Upload Dokumen Penawaran")).to_be_visible()
    expect(lookup).to_contain_text("WIB")
    expect(page.get_by_label("Nama paket")).to_be_hidden()
    send(page)

    # An unknown code: the reason, then the manual fields; what is typed is kept.
    start_ticket(page, "Tender tidak ditemukan", "1234567119")
    expect(page.locator("#code-lookup")).to_contain_text("Kode tidak ditemukan")
    expect(page.get_by_role("group", name="Isi data tender")).to_be_visible()
    page.get_by_label("Nama paket").fill("Pengadaan Laptop Dinas Kominfo")
    page.get_by_label("Instansi / satuan kerja").fill("Dinas Kominfo")
    # A second lookup (the same code again, on change) leaves the typed values alone.
    page.get_by_label("Kode Tender", exact=True).dispatch_event("change")
    expect(page.get_by_label("Nama paket")).to_have_value("Pengadaan Laptop Dinas Kominfo")
    send(page)

    # A tender of another LPSE (WITA): the LPSE choice follows the tender.
    start_ticket(page, "Tender di LPSE Kota Makassar", "8801071")
    expect(page.locator("#code-lookup").get_by_text("Tervalidasi")).to_be_visible()
    expect(page.locator("#code-lookup")).to_contain_text("WITA")
    makassar = Lpse.objects.get(kd_lpse=71)
    expect(page.get_by_label("LPSE", exact=True)).to_have_value(str(makassar.pk))


def test_code_is_validated_as_the_reporter_types(
    browser: Browser, live_server, simulator_server: str, reference, settings
) -> None:
    settings.INTEGRATION_DW_URL = simulator_server
    settings.INTEGRATION_KATALOG_URL = simulator_server
    settings.INTEGRATION_SIRUP_URL = simulator_server
    settings.INTEGRATION_RETRIES = 0
    integrations_http.reset_state()
    tender = tender_lookup("9537119")
    page = reporter_page(browser, live_server.url)
    try:
        journey(page, tender.nama_paket)
    finally:
        page.context.close()

    first = Ticket.objects.get(code="9537119")
    assert first.code_validated
    assert first.priority == "emergency"
    assert "Upload Dokumen Penawaran" in first.priority_reason
    assert first.code_snapshot.get("nama_paket") == tender.nama_paket

    second = Ticket.objects.get(code="1234567119")
    assert not second.code_validated
    assert second.priority == "major"
    assert second.code_manual == {
        "nama_paket": "Pengadaan Laptop Dinas Kominfo",
        "instansi": "Dinas Kominfo",
    }
