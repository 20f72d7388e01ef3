"""Pages fit the screens people use (issue 15): the console at common office sizes
(1366×768, 1440×900), the reporter's pages on a phone (390×844), with the longest LPSE
name and 200-character titles. Measured from the element boxes the browser laid out
(scrollWidth against clientWidth, getBoundingClientRect against the container), never
from pixels of a screenshot.
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from accounts.services import staff_member_upsert
from lib.demo_accounts import DEMO_PASSWORD
from reference.models import Lpse
from tests.browser.test_lifecycle_journey import reporter_page, staff_page
from tickets import services
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICE_SCREENS = [(1366, 768), (1440, 900)]
PHONE = (390, 844)
# Longer than any seeded LPSE name (reference/seed_data.py: "LPSE Lembaga Kebijakan
# Pengadaan Barang/Jasa Pemerintah"), and a real one.
LONGEST_LPSE = "LPSE Kementerian Desa, Pembangunan Daerah Tertinggal, dan Transmigrasi"
TITLE_WORDS = (
    "Dokumen penawaran tidak dapat diunggah karena aplikasi apendo menampilkan pesan "
    "kesalahan enkripsi berulang kali pada tahap pemasukan penawaran paket konstruksi "
    "jalan kabupaten tahun anggaran berjalan"
)

# Every way a page can overflow its box, as a list of findings (empty when it fits).
MEASURE = """() => {
  const found = [];
  const classes = (el) => typeof el.className === "string" && el.className.trim()
    ? "." + el.className.trim().split(/\\s+/).join(".") : "";
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes(el);
  const shown = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden";
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    found.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  }
  document.querySelectorAll("table").forEach((table) => {
    if (!shown(table)) { return; }
    const box = table.parentElement;
    if (box.scrollWidth > box.clientWidth + 1) {
      found.push(`table in ${name(box)} scrolls: ${box.scrollWidth} > ${box.clientWidth}`);
    }
    const t = table.getBoundingClientRect(), b = box.getBoundingClientRect();
    if (t.right > b.right + 1 || t.left < b.left - 1) {
      found.push(`table wider than ${name(box)}: ${t.width} > ${b.width}`);
    }
    table.querySelectorAll("th, td").forEach((cell) => {
      if (shown(cell) && cell.scrollWidth > cell.clientWidth + 1) {
        found.push(`cell ${name(cell)} overflows (${cell.scrollWidth} > ${cell.clientWidth}): ` +
          cell.textContent.trim().slice(0, 50));
      }
    });
  });
  document.querySelectorAll("input:not([type=hidden]), select, textarea, button").forEach((el) => {
    if (!shown(el)) { return; }
    const container = el.closest(".field, .actions, form, .card, main, body");
    const c = container.getBoundingClientRect(), e = el.getBoundingClientRect();
    if (e.right > c.right + 1 || e.left < c.left - 1) {
      found.push(`${name(el)} leaves ${name(container)}: ` +
        `[${e.left}, ${e.right}] outside [${c.left}, ${c.right}]`);
    }
    if (e.right > root.clientWidth + 1) { found.push(`${name(el)} leaves the screen`); }
  });
  return found;
}"""


def assert_fits(page: Page, where: str) -> None:
    found = page.evaluate(MEASURE)
    assert found == [], f"{where}:\n" + "\n".join(found)


@pytest.fixture
def long_lpse(reference: None) -> Lpse:
    lpse = Lpse.objects.get(kd_lpse=119)
    lpse.name = LONGEST_LPSE
    lpse.save()
    return lpse


def long_title(i: int) -> str:
    title = f"{i}. {TITLE_WORDS}"
    while len(title) < 200:
        title += " mohon bantuan"
    return title[:200].rstrip()


@pytest.fixture
def console_staff(long_lpse: Lpse) -> None:
    for username, assignment in [
        ("agen1", ("agent", 119, None, "")),
        ("spv1", ("supervisor", None, None, "")),
    ]:
        staff_member_upsert(
            username=username,
            full_name=f"{username.title()} Wicaksono Adiningrat Prasetyo",
            email=f"{username}@lkpp.example",
            assignments=[assignment],
            password=DEMO_PASSWORD,
        )


def fill_tickets(reporter: User) -> list[str]:
    """Tickets of every shape the queue shows: untaken, held, waiting, escalated."""
    agent = User.objects.get(username="agen1")
    numbers = []
    for i in range(6):
        ticket = make_ticket(reporter, title=long_title(i), lpse=Lpse.objects.get(kd_lpse=119))
        if i % 3 == 1:
            ticket = services.ticket_take(ticket=ticket, actor=agent)
        if i % 3 == 2:
            ticket = services.ticket_take(ticket=ticket, actor=agent)
            ticket = services.ticket_request_feedback(ticket=ticket, actor=agent, body="Data?")
        numbers.append(ticket.number)
    return numbers


def _reporter(browser: Browser, base: str) -> tuple[Page, User]:
    _, page = reporter_page(browser, base)
    return page, User.objects.get(source_user_id="penyedia1")


@pytest.mark.parametrize(("width", "height"), OFFICE_SCREENS)
def test_the_console_fits_an_office_screen(
    browser: Browser, live_server, console_staff, width: int, height: int
) -> None:
    base = live_server.url
    reporter, alice = _reporter(browser, base)
    numbers = fill_tickets(alice)
    for username, queues in [
        ("agen1", ["saya", "belum_diambil", "menunggu_pelapor", "semua"]),
        ("spv1", ["semua"]),
    ]:
        context, page = staff_page(browser, base, username)
        page.set_viewport_size({"width": width, "height": height})
        for queue in queues:
            page.goto(f"{base}/konsol/?antrian={queue}")
            expect(page.locator("table.console__list")).to_be_visible()
            # Every column is there: number, title, SLA, LPSE, application, priority,
            # status, holder; the LPSE by its short name, the full one in its tooltip
            headers = page.locator("table.console__list th").all_inner_texts()
            assert [h.strip().upper() for h in headers] == [
                "NOMOR TIKET", "JUDUL", "SLA", "LPSE", "APLIKASI", "PRIORITAS", "STATUS",
                "POSISI",
            ]  # fmt: skip
            lpse_cell = page.locator("td.console__lpse span").first
            assert lpse_cell.get_attribute("title") == LONGEST_LPSE
            title_cell = page.locator("td.console__title-cell span").first
            assert len(title_cell.get_attribute("title") or "") == 200
            assert_fits(page, f"{username} {queue} at {width}×{height}")
        # The filters with a search and a date
        page.goto(f"{base}/konsol/?antrian=semua&cari=dokumen&dari=01/01/2026")
        assert_fits(page, f"{username} search at {width}×{height}")
        # And the ticket page
        page.goto(f"{base}/konsol/tiket/{numbers[1]}/")
        expect(page.get_by_role("heading", name=numbers[1])).to_be_visible()
        assert_fits(page, f"{username} detail at {width}×{height}")
        context.close()
    reporter.context.close()


def test_the_reporter_pages_fit_a_phone(browser: Browser, live_server, console_staff) -> None:
    base = live_server.url
    page, alice = _reporter(browser, base)
    numbers = fill_tickets(alice)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    for path in ["/dashboard/", "/tiket/", "/tiket/buat/", f"/tiket/{numbers[2]}/"]:
        page.goto(f"{base}{path}")
        expect(page.locator("main")).to_be_visible()
        assert_fits(page, f"reporter {path} at 390×844")
    page.context.close()
