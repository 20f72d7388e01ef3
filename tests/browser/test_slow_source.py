"""A source slower than anyone should wait (issue 15; the simulator answers code 9991119
after 5 s): Buat Tiket stops waiting at its budget and says the source is slow, the
ticket is filed at once as unvalidated, and its priority explanation says why."""

import pytest
from playwright.sync_api import Browser, expect

from integrations import http as integrations_http
from tests.browser.test_code_validation import reporter_page, send, start_ticket
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_slow_source_never_holds_up_the_reporter(
    browser: Browser, live_server, simulator_server: str, reference, settings
) -> None:
    # Given sources whose timeouts alone would keep the reporter waiting for long
    for source in ("DW", "KATALOG", "SIRUP"):
        setattr(settings, f"INTEGRATION_{source}_URL", simulator_server)
    settings.INTEGRATION_READ_TIMEOUT = 30
    settings.INTEGRATION_RETRIES = 2
    settings.INTEGRATION_LOOKUP_WAIT_SECONDS = 1
    settings.INTEGRATION_CREATE_WAIT_SECONDS = 0.5
    integrations_http.reset_state()
    page = reporter_page(browser, live_server.url)
    try:
        # When the reporter types the slow code, the page says the source is slow and
        # offers the manual fields
        start_ticket(page, "Tender dengan sumber data lambat", "9991119")
        lookup = page.locator("#code-lookup")
        expect(lookup).to_contain_text("Sumber data lambat menjawab")
        expect(lookup).to_contain_text("Tiket tetap dapat dikirim")
        expect(page.get_by_role("group", name="Isi data tender")).to_be_visible()
        # And the ticket is filed at once, unvalidated, its priority explaining why
        send(page)
        ticket = Ticket.objects.get(code="9991119")
        assert not ticket.code_validated and ticket.code_recheck_until is not None
        page.get_by_role("link", name=ticket.number).click()
        expect(page.get_by_text("Belum tervalidasi")).to_be_visible()
        expect(page.get_by_text("kode belum dapat diperiksa karena sumber data")).to_be_visible()
    finally:
        page.context.close()
