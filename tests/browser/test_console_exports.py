"""A supervisor downloads the console list as CSV and XLSX from the page (issue 17)."""

import csv
import io
import os

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser

from accounts.models import User
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_downloads_the_filtered_list(
    browser: Browser, live_server, alice: User, supervisor: User
) -> None:
    numbers = {make_ticket(alice, title=f"Gagal unggah {i}").number for i in range(3)}
    make_ticket(alice, title="Jadwal tender")
    client = Client()
    client.force_login(supervisor)
    context = browser.new_context(viewport={"width": 360, "height": 800}, accept_downloads=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/konsol/?antrian=semua&cari=unggah&urut=terbaru")
    if shots := os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{shots}/console-exports-360.png", full_page=True)
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Unduh CSV").click()
    assert csv_download.value.suggested_filename.endswith(".csv")
    with open(csv_download.value.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert {row[0] for row in rows[1:]} == numbers
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Unduh XLSX").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    with open(xlsx_download.value.path(), "rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert {row[0] for row in book.active.iter_rows(min_row=2, values_only=True)} == numbers
    context.close()
