"""Live pages in real Chromium (issue 6): no reload needed, and typing is never lost.

- the reporter's open ticket shows the helpdesk's reply within seconds;
- a reporter typing feedback keeps every word while the conversation above updates;
- the staff queue shows a new ticket by itself;
- two staff on the same ticket see each other, and who is writing.

The pages poll every 5 or 10 s. Each browser's clock is Playwright's (time flows as
usual): after a change the test moves that page's clock past its next poll and waits
for the poll's answer, instead of waiting the seconds out. Were a poll skipped (one still
in flight), the page polls again by itself in real time, within the assertion's timeout.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from tests.browser.test_lifecycle_journey import reporter_page, staff_page
from tickets import services
from tickets.models import Ticket, TicketPresence
from tickets.presence import PRESENT_FOR
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pages poll every 5 s (lists every 10 s); allow for one missed poll.
SOON = 25_000
POLL = "live="
PRESENCE = "/kehadiran/"


def fake_clock(context: BrowserContext) -> None:
    """The context's timers run on Playwright's clock (installed before its pages load)."""
    context.clock.install()


def poll_now(page: Page, request: str) -> None:
    """Move the page's clock past its next poll (every poll is due within 10 s) and wait
    for the answer of the request whose URL contains `request`."""
    with page.expect_response(lambda response: request in response.url, timeout=SOON):
        page.clock.fast_forward(10_000)


@pytest.fixture
def staff(reference: None) -> None:
    from accounts.services import staff_member_upsert
    from lib.demo_accounts import DEMO_PASSWORD

    for username in ("agen1", "agen2"):
        staff_member_upsert(
            username=username,
            full_name=username.title(),
            email=f"{username}@lkpp.example",
            assignments=[("agent", 119, None, "")],
            password=DEMO_PASSWORD,
        )


def penyedia1() -> User:
    return User.objects.get(source_user_id="penyedia1")


def test_reporter_sees_the_reply_without_reloading(browser: Browser, live_server, staff) -> None:
    base = live_server.url
    reporter_ctx, reporter = reporter_page(browser, base)
    fake_clock(reporter_ctx)
    agent_ctx, agent = staff_page(browser, base, "agen1")
    ticket = make_ticket(penyedia1(), title="Tombol kirim penawaran tidak merespons")
    # The reporter has the ticket open; we mark the page to prove it is never reloaded
    reporter.goto(f"{base}/tiket/{ticket.number}/")
    reporter.evaluate("window.__samePage = true")
    # The agent takes it and answers in the console
    agent.goto(f"{base}/konsol/tiket/{ticket.number}/")
    agent.get_by_role("button", name="Ambil tiket").click()
    agent.locator("form[action$='/aksi/reply/'] textarea").fill("Silakan coba lagi sekarang.")
    agent.locator("form[action$='/aksi/reply/'] button[type=submit]").click()
    expect(agent.get_by_text("Balasan terkirim.")).to_be_visible()
    # The reporter's page shows the reply and the new status by itself
    poll_now(reporter, POLL)
    expect(reporter.locator("#live-body").get_by_text("Silakan coba lagi sekarang.")).to_be_visible(
        timeout=SOON
    )
    expect(reporter.locator("#live-body").get_by_text("Sedang dikerjakan").first).to_be_visible()
    assert reporter.evaluate("window.__samePage") is True
    reporter_ctx.close()
    agent_ctx.close()


def test_typed_feedback_is_kept_while_the_page_updates(
    browser: Browser, live_server, staff
) -> None:
    base = live_server.url
    reporter_ctx, reporter = reporter_page(browser, base)
    fake_clock(reporter_ctx)
    agent = User.objects.get(username="agen1")
    ticket = services.ticket_take(ticket=make_ticket(penyedia1()), actor=agent)
    services.ticket_request_feedback(
        ticket=ticket, actor=agent, body="Mohon kirim tangkapan layar."
    )
    # The reporter starts writing feedback
    reporter.goto(f"{base}/tiket/{ticket.number}/")
    reporter.get_by_label("Pesan feedback").fill("Pesan error muncul saat")
    # Meanwhile the agent adds a public reply
    services.ticket_reply(
        ticket=Ticket.objects.get(pk=ticket.pk),
        actor=agent,
        body="Tambahan: sertakan jam kejadian.",
    )
    # The conversation shows it, the typed words stay, and a notice says there is news
    poll_now(reporter, POLL)
    expect(
        reporter.locator("#live-body").get_by_text("Tambahan: sertakan jam kejadian.")
    ).to_be_visible(timeout=SOON)
    expect(reporter.get_by_label("Pesan feedback")).to_have_value("Pesan error muncul saat")
    expect(reporter.locator("#live-notice")).to_be_visible()
    reporter_ctx.close()


def test_the_queue_shows_a_new_ticket_by_itself(browser: Browser, live_server, staff) -> None:
    base = live_server.url
    reporter_ctx, _ = reporter_page(browser, base)
    agent_ctx, agent = staff_page(browser, base, "agen1")
    fake_clock(agent_ctx)
    agent.goto(f"{base}/konsol/?antrian=belum_diambil")
    expect(agent.get_by_text("Tidak ada tiket di antrian ini.")).to_be_visible()
    ticket = make_ticket(penyedia1(), title="Jadwal tahap evaluasi tidak bisa diubah")
    poll_now(agent, POLL)
    expect(agent.get_by_role("link", name=ticket.number)).to_be_visible(timeout=SOON)
    expect(agent.locator("#live-queues [data-queue=belum_diambil]")).to_have_text("1")
    reporter_ctx.close()
    agent_ctx.close()


def test_two_staff_on_one_ticket_see_each_other(browser: Browser, live_server, staff) -> None:
    base = live_server.url
    reporter_ctx, _ = reporter_page(browser, base)
    ticket = make_ticket(penyedia1())
    first_ctx, first = staff_page(browser, base, "agen1")
    second_ctx, second = staff_page(browser, base, "agen2")
    fake_clock(first_ctx)
    fake_clock(second_ctx)
    first.goto(f"{base}/konsol/tiket/{ticket.number}/")
    expect(first.locator("#kehadiran")).to_be_attached()
    with second.expect_response(lambda response: PRESENCE in response.url, timeout=SOON):
        second.goto(f"{base}/konsol/tiket/{ticket.number}/")
    # Each sees the other has it open
    poll_now(first, PRESENCE)
    expect(first.locator("#kehadiran")).to_contain_text(
        "Agen2 juga sedang membuka tiket ini", timeout=SOON
    )
    expect(second.locator("#kehadiran")).to_contain_text(
        "Agen1 juga sedang membuka tiket ini", timeout=SOON
    )
    # The second starts writing a reply: the first is warned
    second.locator("form[action$='/aksi/take/'] button[type=submit]").click()
    second.locator("form[action$='/aksi/reply/'] textarea").fill("Sedang saya periksa")
    poll_now(second, PRESENCE)
    poll_now(first, PRESENCE)
    expect(first.locator("#kehadiran")).to_contain_text(
        "Agen2 sedang menulis tanggapan untuk tiket ini", timeout=SOON
    )
    # The second leaves; once the server has not heard of them for longer than
    # PRESENT_FOR (their last report is moved back by that much), the first no longer
    # sees them
    second_ctx.close()
    gone = timezone.now() - PRESENT_FOR - datetime.timedelta(seconds=1)
    TicketPresence.objects.filter(ticket=ticket, user__username="agen2").update(seen_at=gone)
    poll_now(first, PRESENCE)
    expect(first.locator("#kehadiran")).not_to_contain_text("Agen2", timeout=40_000)
    first_ctx.close()
    reporter_ctx.close()
