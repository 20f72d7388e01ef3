"""A second hand-off in a browser where somebody is signed in asks before switching.

Real headless Chromium, so the hand-off cookie, its path and SameSite rules and the
session cookie behave as in a real browser.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from lib.demo_accounts import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_at_spse(page: Page, simulator: str, kd_lpse: int, user_id: str, jenis: str) -> None:
    page.goto(f"{simulator}/spse/{kd_lpse}/login/")
    page.get_by_label("User ID").fill(user_id)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label(jenis, exact=True).check()
    page.get_by_role("button", name="Login").click()
    page.get_by_role("link", name="Aplikasi E-Procurement Lainnya").click()
    page.locator("#lpse-support").get_by_role("link", name="Masuk Production").click()


def test_a_second_person_is_confirmed_before_the_account_switches(
    page: Page, live_server, simulator_server: str, reference
) -> None:
    # given penyedia1 (Hendra Wijaya, LPSE 119) signed in to LPSE Support
    sign_in_at_spse(page, simulator_server, 119, "penyedia1", "Penyedia")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_text("Hendra Wijaya")).to_be_visible()

    # when ppk1 of LPSE 10 (Siti Rahmawati) is handed over in the same browser
    sign_in_at_spse(page, simulator_server, 10, "ppk1", "Non-Penyedia")

    # then LPSE Support asks first, naming the person and the LPSE
    expect(page).to_have_url(re.compile(r"/sso/lanjut/$"))
    expect(
        page.get_by_role("heading", name="Masuk sebagai Siti Rahmawati · LPSE Kota Surabaya")
    ).to_be_visible()

    # when "Batal" is chosen, Hendra is still signed in
    page.get_by_role("button", name="Batal").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_text("Anda tetap masuk sebagai Hendra Wijaya")).to_be_visible()

    # when Siti is handed over again and "Lanjutkan" is chosen, she is signed in
    page.goto(f"{simulator_server}/handoff/?asal=spse-10")
    page.get_by_role("button", name="Lanjutkan sebagai Siti Rahmawati").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_text("Siti Rahmawati").first).to_be_visible()
    expect(page.get_by_text("Hendra Wijaya")).to_have_count(0)
