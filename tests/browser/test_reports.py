"""A supervisor reads the reports in a browser (issue 17): every report from the tabs,
a filter changed, a number followed to the console list it counts, a table downloaded
as CSV and as XLSX (read back with openpyxl)."""

import csv
import io
import os

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page

from accounts.models import User
from reports.builders import REPORTS
from tickets.services import ticket_take
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in_page(browser: Browser, live_server, user: User, width: int) -> Page:
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def _shot(page: Page, name: str) -> None:
    if shots := os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 360])
def test_a_supervisor_reads_filters_follows_and_downloads(
    browser: Browser,
    live_server,
    alice: User,
    carol: User,
    agent: User,
    supervisor: User,
    width: int,
) -> None:
    spse = [make_ticket(alice, title=f"Gagal unggah penawaran {i}") for i in range(3)]
    ticket_take(ticket=spse[0], actor=agent)
    make_ticket(carol, title="Akun belum terverifikasi")
    page = _signed_in_page(browser, live_server, supervisor, width)
    page.goto(f"{live_server.url}/konsol/")
    page.get_by_role("link", name="Laporan", exact=True).first.click()
    page.wait_for_url("**/konsol/laporan/**")
    assert "Volume" in page.locator("h1").inner_text()

    # Every report from its tab, each with its chart and tables.
    tabs = page.get_by_role("navigation", name="Jenis laporan")
    for slug, spec in REPORTS.items():
        tabs.get_by_role("link", name=str(spec.label), exact=True).click()
        page.wait_for_load_state()
        assert str(spec.label) in page.locator("h1").inner_text(), slug
        assert page.locator("section.reports__chart svg[role='img']").count() >= 1, slug
        assert page.locator("table.reports__table").count() >= 1, slug
        _shot(page, f"report-{slug}-{width}")

    # A filter changed: the period, kept in the tab links.
    tabs.get_by_role("link", name="Volume", exact=True).click()
    page.get_by_label("Periode", exact=True).select_option(label="90 hari terakhir")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_url("**periode=90_hari**")
    assert "periode=90_hari" in (tabs.get_by_role("link", name="SLA").get_attribute("href") or "")

    # The total of tickets created, followed to the console list: exactly those tickets.
    table = page.get_by_role("table", name="Volume per periode")
    total = table.locator("tr.reports__total td").first
    assert total.inner_text().strip() == "4"
    total.get_by_role("link").click()
    page.wait_for_url("**/konsol/?**")
    listed = page.locator("main").inner_text()
    for ticket in spse:
        assert ticket.number in listed
    page.go_back()

    # The table downloaded as CSV and XLSX.
    section = page.locator("section", has=page.get_by_role("heading", name="Volume per periode"))
    with page.expect_download() as csv_download:
        section.get_by_role("link", name="CSV").click()
    assert csv_download.value.suggested_filename.startswith("laporan-volume-periode-")
    with open(csv_download.value.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["Periode", "Dibuat", "Diselesaikan"]
    assert rows[-1][0] == "Jumlah" and rows[-1][1] == "4"
    with page.expect_download() as xlsx_download:
        section.get_by_role("link", name="XLSX").click()
    with open(xlsx_download.value.path(), "rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    cells = list(book.active.iter_rows(values_only=True))
    assert cells[0][:2] == ("Periode", "Dibuat")
    assert cells[-1][0] == "Jumlah" and cells[-1][1] == 4
    page.context.close()
