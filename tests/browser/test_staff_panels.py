"""The staff ticket page's panels in real Chromium (issue 18): *Kemungkinan duplikat*
loads after the page and merges a twin; *Jawaban yang mungkin* loads when opened and
fills the reply box. The page watches for CSP violations (testsupport/browser.py)."""

import pytest
from playwright.sync_api import Browser, expect

from accounts.models import User
from tests.browser.test_lifecycle_journey import staff_page
from tests.browser.test_live_updates import staff  # noqa: F401 (fixture)
from tickets import services
from tickets.models import Status, Ticket
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIX = "Kosongkan cache peramban lalu unggah ulang dokumen dalam format PDF."


@pytest.mark.usefixtures("staff")
@pytest.mark.parametrize("width", [1280, 360])
def test_an_agent_merges_a_twin_and_inserts_a_past_resolution(
    browser: Browser, live_server, alice, width: int
) -> None:
    base = live_server.url
    agen1 = User.objects.get(username="agen1")
    reporter = alice
    # A resolved ticket like the new ones, and two open twins of the same reporter
    done = services.ticket_take(ticket=make_ticket(reporter), actor=agen1)
    services.ticket_resolve(ticket=done, actor=agen1, body=FIX)
    ticket = services.ticket_take(ticket=make_ticket(reporter), actor=agen1)
    twin = make_ticket(reporter)

    context, page = staff_page(browser, base, "agen1")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{base}/konsol/tiket/{ticket.number}/")
    # Jawaban yang mungkin: opened, it loads, and the resolution fills the reply box
    page.locator("summary", has_text="Jawaban yang mungkin").click()
    panel = page.locator("#jawaban-isi")
    expect(panel).to_contain_text(FIX)
    box = page.locator("#id_reply_body")
    box.fill("Selamat siang.")
    panel.get_by_role("button", name="Sisipkan ke balasan").first.click()
    expect(box).to_have_value(f"Selamat siang.\n\n{FIX}")
    # Kemungkinan duplikat: loaded by itself; the twin is merged from it
    duplicates = page.locator("#duplikat-isi")
    expect(duplicates).to_contain_text(twin.number)
    duplicates.get_by_role("button", name=f"Gabungkan tiket ini ke {twin.number}").click()
    expect(page.get_by_text("digabung", exact=False).first).to_be_visible()
    merged = Ticket.objects.get(pk=ticket.pk)
    assert merged.status == Status.CLOSED and merged.merged_into_id == twin.pk
    context.close()
