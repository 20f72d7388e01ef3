"""The console's date picker and keyboard (issue 15), in a browser whose language is
English: dates are still written dd/mm/yyyy with Indonesian month names."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from accounts.services import staff_member_upsert
from lib.demo_accounts import DEMO_PASSWORD
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INDONESIAN_DATE = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) \d{4}\b")


@pytest.fixture
def agent_with_tickets(reference: None, alice: User) -> tuple[User, list[str]]:
    agent = staff_member_upsert(
        username="agen1",
        full_name="Agen Satu",
        email="agen1@lkpp.example",
        assignments=[("agent", 119, None, "")],
        password=DEMO_PASSWORD,
    )
    numbers = [make_ticket(alice, title=f"Gagal unggah {i}").number for i in range(3)]
    return agent, numbers


def english_browser(browser: Browser, base: str, user: User) -> tuple[BrowserContext, Page]:
    """A signed-in staff member in a browser set to American English."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="en-US", timezone_id="America/New_York")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    return context, context.new_page()


def test_the_date_picker_writes_day_first_in_an_english_browser(
    browser: Browser, live_server, agent_with_tickets
) -> None:
    agent, _ = agent_with_tickets
    context, page = english_browser(browser, live_server.url, agent)
    page.goto(f"{live_server.url}/konsol/?antrian=semua")
    field = page.get_by_role("textbox", name="Dibuat dari", exact=True)
    # The box is text, not the browser's own date input (which would follow en-US)
    assert field.get_attribute("type") == "text"
    assert field.get_attribute("placeholder") == "dd/mm/yyyy"
    # And the dates on the page are Indonesian, whatever the browser's language
    assert INDONESIAN_DATE.search(page.locator("table.console__list").inner_text())
    # When the agent types a day, opens the calendar and moves with the keyboard
    field.fill("15/01/2026")
    toggle = page.get_by_role("button", name="Pilih tanggal dari kalender: Dibuat dari")
    toggle.click()
    dialog = page.get_by_role("dialog", name="Pilih tanggal: Dibuat dari")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("Januari 2026")).to_be_visible()
    expect(dialog.get_by_role("button", name="Kamis, 15 Januari 2026")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("PageDown")
    expect(dialog.get_by_text("Februari 2026")).to_be_visible()
    expect(dialog.get_by_role("button", name="Senin, 16 Februari 2026")).to_be_focused()
    page.keyboard.press("Enter")
    # Then the box holds the day first, the calendar is closed, the box has the focus
    expect(field).to_have_value("16/02/2026")
    expect(dialog).to_be_hidden()
    expect(field).to_be_focused()
    # Escape closes the calendar and returns to its button
    toggle.click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(toggle).to_be_focused()
    # And a mouse pick works too
    toggle.click()
    dialog.get_by_role("button", name="Selasa, 3 Februari 2026").click()
    expect(field).to_have_value("03/02/2026")
    # The server reads it day first: the filter keeps it, no error
    page.get_by_role("button", name="Terapkan").click()
    expect(page.get_by_role("textbox", name="Dibuat dari", exact=True)).to_have_value("03/02/2026")
    assert "Tanggal tidak valid" not in page.content()
    # A date typed the American way is refused in Indonesian
    page.get_by_role("textbox", name="Dibuat sampai", exact=True).fill("02/30/2026")
    page.get_by_role("button", name="Terapkan").click()
    expect(page.get_by_text("Tanggal tidak valid. Tulis dd/mm/yyyy")).to_be_visible()
    context.close()


def test_the_queue_keys(browser: Browser, live_server, agent_with_tickets) -> None:
    agent, _ = agent_with_tickets
    context, page = english_browser(browser, live_server.url, agent)
    page.goto(f"{live_server.url}/konsol/?antrian=semua")
    # The keys are written on the page
    expect(page.get_by_text("Pintasan keyboard:")).to_be_visible()
    rows = page.locator("table.console__list tbody tr")
    expect(rows).to_have_count(3)
    search = page.get_by_role("searchbox", name="Cari")
    # "/" goes to the search box; there j and k are letters, not moves
    page.keyboard.press("/")
    expect(search).to_be_focused()
    page.keyboard.type("jk")
    expect(search).to_have_value("jk")
    assert page.locator("tr.is-selected").count() == 0
    search.fill("")
    # Outside a field: j moves down, k up
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bis-selected\b"))
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bis-selected\b"))
    expect(page.locator("tr.is-selected")).to_have_count(1)
    second = rows.nth(1).locator("a[data-row-link]").inner_text().replace("\u200b", "")
    # Enter opens the selected ticket
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/konsol/tiket/{second}/$"))
    context.close()
