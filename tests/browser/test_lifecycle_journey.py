"""Reporter and staff in two browser contexts at once: the whole lifecycle (issue 3).

create → agent takes → requests feedback → reporter gives feedback with a file → agent
escalates to tier 2 → tier 2 escalates to tier 3 → tier 3 resolves → reporter answers
**Belum** → reopened → resolved again → **Ya, sudah** → rating with star-dependent
categories. Then a second ticket the reporter force-closes with a reason and rates.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from accounts.services import staff_member_upsert
from lib.demo_accounts import DEMO_PASSWORD
from testsupport.simulator import make_handoff_token
from tickets.models import CloseReason, Rating, Status, Ticket
from tickets.tests import samples
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def reporter_page(browser: Browser, base_url: str) -> tuple[BrowserContext, Page]:
    """A reporter (penyedia1 at LPSE 119) handed over by SPSE, as the simulator does."""
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    token = make_handoff_token(
        "spse", sub="penyedia1", role="pelaku_usaha", name="Hendra Wijaya", kd_lpse=119
    )
    page.set_content(
        f'<form method="post" action="{base_url}/sso/spse/">'
        f'<input type="hidden" name="token" value="{token}"></form>'
    )
    page.evaluate("document.forms[0].submit()")
    page.wait_for_url("**/dashboard/")
    return context, page


def staff_page(browser: Browser, base_url: str, username: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.goto(f"{base_url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("link", name="Konsol Helpdesk")).to_be_visible()
    return context, page


def staff_action(page: Page, action: str, summary: str | None, text: str | None) -> None:
    """Open the action's panel (if it has one), fill its text and send it."""
    form = page.locator(f"form[action$='/aksi/{action}/']")
    if summary:
        page.locator("summary", has_text=summary).first.click()
    if text is not None:
        form.locator("textarea").first.fill(text)
    form.locator("button[type=submit]").click()


def open_from_queue(page: Page, base_url: str, number: str, queue: str) -> None:
    page.goto(f"{base_url}/konsol/?antrian={queue}")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_text(number).first).to_be_visible()


@pytest.fixture
def staff(reference):
    def make(username: str, role: str, kd_lpse: int | None, group: str | None) -> None:
        staff_member_upsert(
            username=username,
            full_name=username.title(),
            email=f"{username}@lkpp.example",
            assignments=[(role, kd_lpse, group, "")],
            password=DEMO_PASSWORD,
        )

    make("agen1", "agent", 119, None)
    make("lkpp1", "lkpp", None, "spse")
    make("teknis1", "technical", None, "spse")


def test_lifecycle_through_three_tiers_with_reopen_and_rating(
    browser: Browser, live_server, staff, tmp_path: Path
) -> None:
    base = live_server.url
    reporter_ctx, reporter = reporter_page(browser, base)
    agent_ctx, agent = staff_page(browser, base, "agen1")

    # The reporter files a ticket.
    reporter.get_by_role("link", name="Buat Tiket").first.click()
    reporter.get_by_label("Judul tiket").fill("Gagal kirim penawaran file .rhs")
    reporter.get_by_label("Aplikasi", exact=True).select_option(
        label="Sistem Pengadaan Secara Elektronik (SPSE)"
    )
    expect(reporter.get_by_label("Versi aplikasi").locator("option", has_text="4.5")).to_have_count(
        1
    )
    reporter.get_by_label("Versi aplikasi").select_option(label="4.5")
    reporter.get_by_label("Tipe tiket").select_option(label="Permasalahan")
    reporter.get_by_label("Kategori").select_option(
        label="Penawaran › Gagal kirim penawaran / file .rhs"
    )
    expect(reporter.get_by_label("Kode Tender", exact=True)).to_be_visible()  # narrowed
    reporter.get_by_label("Kode Tender", exact=True).fill("9537119")
    reporter.get_by_label("Deskripsi").fill("Tombol kirim penawaran tidak merespons.")
    reporter.get_by_role("button", name="Kirim Tiket").click()
    reporter.get_by_role("dialog").get_by_role("button", name="Ya, buat tiket").click()
    expect(reporter.get_by_text("Tiket berhasil disimpan")).to_be_visible()
    number = Ticket.objects.get().number

    # Tier 1 takes it from "Belum diambil" and asks for feedback.
    open_from_queue(agent, base, number, "belum_diambil")
    agent.get_by_role("button", name="Ambil tiket").click()
    expect(agent.get_by_text("Sedang dikerjakan").first).to_be_visible()
    staff_action(agent, "request_feedback", "Minta feedback", "Mohon kirim tangkapan layar.")
    expect(agent.get_by_text("Butuh feedback").first).to_be_visible()

    # The reporter sees Beri Feedback in the list, and answers with a file.
    reporter.goto(f"{base}/tiket/")
    reporter.get_by_role("link", name="Beri Feedback").click()
    expect(
        reporter.locator("#tindakan").get_by_text("Mohon kirim tangkapan layar.")
    ).to_be_visible()
    reporter.get_by_label("Pesan feedback").fill("Terlampir tangkapan layar pesan error.")
    shot = tmp_path / "layar.png"
    shot.write_bytes(samples.PNG)
    reporter.locator("#tindakan input[type=file]").set_input_files([shot])
    reporter.locator("#tindakan").get_by_role("button", name="Kirim tiket").click()
    reporter.get_by_role("dialog").get_by_role("button", name="Ya").click()
    expect(reporter.get_by_text("Feedback berhasil terkirim")).to_be_visible()

    # Tier 1 sees the feedback and escalates to tier 2, then tier 2 to tier 3.
    agent.reload()
    expect(agent.get_by_text("Terlampir tangkapan layar pesan error.").first).to_be_visible()
    staff_action(agent, "escalate", "Eskalasi ke Tier 2", "Perlu dicek LKPP.")
    lkpp_ctx, lkpp = staff_page(browser, base, "lkpp1")
    open_from_queue(lkpp, base, number, "belum_diambil")
    lkpp.get_by_role("button", name="Ambil tiket").click()
    staff_action(lkpp, "escalate", "Eskalasi ke Tier 3", "Dugaan bug enkripsi.")
    teknis_ctx, teknis = staff_page(browser, base, "teknis1")
    open_from_queue(teknis, base, number, "belum_diambil")
    teknis.get_by_role("button", name="Ambil tiket").click()
    staff_action(teknis, "resolve", "Selesaikan", "Perbaikan sudah dipasang.")
    expect(teknis.get_by_text("Menunggu konfirmasi").first).to_be_visible()

    # The reporter says Belum: reopened to the resolver.
    reporter.goto(f"{base}/tiket/{number}/")
    expect(reporter.get_by_text("Tier 3 — Tim Teknis").first).to_be_visible()
    expect(reporter.get_by_text("Perlu dicek LKPP.")).to_have_count(0)  # internal note
    reporter.get_by_label("Belum").check()
    reporter.get_by_label("Pesan", exact=True).fill("Masih gagal setelah dicoba ulang.")
    reporter.locator("#tindakan").get_by_role("button", name="Kirim tiket").click()
    reporter.get_by_role("dialog").get_by_role("button", name="Ya").click()
    expect(reporter.get_by_text("Feedback berhasil terkirim")).to_be_visible()
    ticket = Ticket.objects.select_related("holder").get()
    assert ticket.holder is not None
    assert (ticket.status, ticket.holder.username, ticket.reopen_count) == (
        Status.IN_PROGRESS, "teknis1", 1,
    )  # fmt: skip

    # Resolved again; this time Ya, sudah, then the rating with star-dependent categories.
    teknis.reload()
    staff_action(teknis, "resolve", "Selesaikan", "Perbaikan kedua sudah dipasang.")
    reporter.goto(f"{base}/tiket/{number}/")
    reporter.get_by_label("Ya, sudah").check()
    reporter.locator("#tindakan").get_by_role("button", name="Kirim tiket").click()
    reporter.get_by_role("dialog").get_by_role("button", name="Ya").click()
    reporter.locator("label[for=id_stars_2]").click()
    expect(reporter.get_by_label("Respon lambat")).to_be_visible()
    expect(reporter.get_by_label("Respon cepat")).to_have_count(0)
    reporter.locator("label[for=id_stars_5]").click()
    expect(reporter.get_by_label("Respon cepat")).to_be_visible()
    expect(reporter.get_by_label("Respon lambat")).to_have_count(0)
    reporter.get_by_label("Respon cepat").check()
    reporter.get_by_label("Saran dan kritik").fill("Terima kasih, tim teknis sigap.")
    reporter.get_by_role("button", name="Kirim", exact=True).click()
    expect(reporter.get_by_text("Berhasil memberikan penilaian")).to_be_visible()
    rating = Rating.objects.get()
    assert rating.stars == 5
    assert [c.name for c in rating.categories.all()] == ["Respon cepat"]
    assert Ticket.objects.get().close_reason == CloseReason.CONFIRMED

    # A second ticket the reporter closes himself, with a reason, then rates.
    second = make_ticket(User.objects.get(source_user_id="penyedia1"), title="Tiket kedua")
    reporter.goto(f"{base}/tiket/{second.number}/")
    reporter.get_by_role("link", name="Tutup Tiket").click()
    expect(reporter.get_by_text("Tiket yang ditutup tidak dapat dibuka kembali.")).to_be_visible()
    reporter.get_by_label("Alasan").fill("Masalah sudah teratasi sendiri.")
    reporter.get_by_role("button", name="Tutup", exact=True).click()
    reporter.locator("label[for=id_stars_4]").click()
    reporter.get_by_role("button", name="Kirim", exact=True).click()
    expect(reporter.get_by_text("Penilaian berhasil dilakukan")).to_be_visible()  # guide §4.3.5.3
    status = reporter.locator(".badge--force_closed").first
    expect(status).to_have_text("Ditutup paksa (force closed)")
    second.refresh_from_db()
    assert (second.status, second.rating.stars) == (Status.FORCE_CLOSED, 4)

    for context in (reporter_ctx, agent_ctx, lkpp_ctx, teknis_ctx):
        context.close()
