"""Buat Tiket's suggestions while the reporter types (issue 18), in a real browser.

The reporter types a known problem: the published article and the model's category
appear without reload, a suggested category fills Kategori, and the filed ticket keeps
what was shown.
"""

import pytest
from playwright.sync_api import Browser, expect

from accounts.services import staff_member_upsert
from knowledge.models import ArticleOpening, SuggestionsShown
from knowledge.tests.factories import write_article
from knowledge.tests.suggestsupport import UPLOAD, category, tiny_model
from reference.models import Application
from tests.browser.test_code_validation import reporter_page
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reporter_sees_suggestions_as_she_types(browser: Browser, live_server, reference) -> None:
    # Given a trained model and a published article about failed uploads
    tiny_model()
    editor = staff_member_upsert(
        username="editor_kb", full_name="Editor", email="editor@lkpp.example",
        assignments=[("editor", None, None, "")], password="demo1234",
    )  # fmt: skip
    spse = Application.objects.get(code="SPSE")
    article = write_article(
        editor, "Gagal upload dokumen penawaran", body="Periksa ukuran file.",
        applications=(spse,),
    )  # fmt: skip
    page = reporter_page(browser, live_server.url)
    try:
        # When she starts Buat Tiket and types the problem
        page.get_by_role("link", name="Buat Tiket").first.click()
        page.get_by_label("Judul tiket").fill("Dokumen penawaran gagal upload")
        page.get_by_label("Aplikasi", exact=True).select_option(
            label="Sistem Pengadaan Secara Elektronik (SPSE)"
        )
        page.get_by_label("Deskripsi").fill("Sudah dicoba berkali-kali, upload tetap gagal.")
        # Then the article and the category appear, without reload
        region = page.locator("#ticket-suggestions")
        expect(region.get_by_role("link", name=article.title)).to_be_visible()
        suggested = region.get_by_role("button", name=category(UPLOAD).path_label)
        expect(suggested).to_be_visible()
        # And picking the category fills Kategori (and its dependent fields follow)
        suggested.click()
        expect(page.get_by_label("Kategori")).to_have_value(str(category(UPLOAD).pk))
        expect(page.get_by_label("Kode Tender", exact=True)).to_be_visible()
        # When she opens the article (a new tab) and still files the ticket
        with page.context.expect_page() as opened:
            region.get_by_role("link", name=article.title).click()
        expect(opened.value.get_by_role("heading", name=article.title)).to_be_visible()
        opened.value.close()
        page.get_by_label("Versi aplikasi").select_option(label="4.5")
        page.get_by_label("Tipe tiket").select_option(label="Permasalahan")
        page.get_by_label("Kode Tender", exact=True).fill("9537119")
        page.get_by_role("button", name="Kirim Tiket").click()
        page.get_by_role("dialog").get_by_role("button", name="Ya, buat tiket").click()
        expect(page.get_by_text("Tiket berhasil disimpan")).to_be_visible()
    finally:
        page.context.close()
    # Then the ticket keeps what was suggested, and the opening is linked to it
    ticket = Ticket.objects.get()
    shown = SuggestionsShown.objects.get(ticket=ticket)
    assert list(shown.articles.all()) == [article]
    assert category(UPLOAD) in shown.categories.all()
    assert ArticleOpening.objects.get().ticket == ticket
