"""Pusat Bantuan images and canned-response links in real Chromium (issue 18): an editor
uploads an image in the console editor, pastes its Markdown, sees it in Pratinjau and in
the published article (served by the access-checked view, under `img-src 'self'`); an
agent chooses a canned response and its article's link comes into the reply box. The
page watches for CSP violations (testsupport/browser.py)."""

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from accounts.services import staff_member_upsert
from knowledge.models import Article, ArticleImage, CannedResponseArticle
from knowledge.tests.factories import write_article
from knowledge.tests.test_images import PNG
from lib.demo_accounts import DEMO_PASSWORD
from reference.models import Application, CannedResponse
from tests.browser.test_lifecycle_journey import staff_page
from tickets import services
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wait_drawn(page: Page, selector: str) -> None:
    """Wait until the image has drawn (the browser fetched and decoded it); a blocked or
    refused image never does, and the wait fails."""
    page.wait_for_function(
        "selector => { const img = document.querySelector(selector);"
        " return !!img && img.complete && img.naturalWidth > 0; }",
        arg=selector,
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_an_editor_adds_an_image_and_an_agent_inserts_a_linked_article(
    browser: Browser, live_server, reference: None, alice, width: int
) -> None:
    base = live_server.url
    staff = staff_member_upsert(
        username="editor_agen",
        full_name="Editor Agen",
        email="editor.agen@lkpp.example",
        assignments=[("agent", 119, None, ""), ("editor", None, None, "")],
        password=DEMO_PASSWORD,
    )
    spse = Application.objects.get(code="SPSE")
    article = write_article(
        staff, "Cara unggah dokumen", body="Buka menu Dokumen.", applications=(spse,)
    )
    context, page = staff_page(browser, base, "editor_agen")
    page.set_viewport_size({"width": width, "height": 900})

    # The editor uploads an image to the article and gets the Markdown to paste
    page.goto(f"{base}/konsol/bantuan/{article.pk}/")
    page.get_by_label("Berkas gambar").set_input_files(
        {"name": "tombol.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_label("Teks alternatif").fill("Tombol Unggah")
    page.get_by_role("button", name="Unggah gambar").click()
    image = ArticleImage.objects.get()
    expect(page.get_by_text("Gambar diunggah.")).to_be_visible()
    snippet = page.locator(f"#gambar-md-{image.pk}")
    expect(snippet).to_have_value(image.markdown)

    # Pasted into the body, it shows in Pratinjau and, published, in the article
    body = page.get_by_label("Isi (Markdown)")
    body.fill(f"Buka menu Dokumen.\n\n{snippet.input_value()}")
    page.get_by_role("button", name="Pratinjau").click()
    preview = f".kb__preview img[src='{image.get_absolute_url()}']"
    expect(page.locator(preview)).to_have_attribute("alt", "Tombol Unggah")
    _wait_drawn(page, preview)
    page.get_by_role("button", name="Terbitkan perubahan").click()
    expect(page.get_by_text("Artikel diterbitkan.")).to_be_visible()
    page.goto(f"{base}{article.get_absolute_url()}")
    shown = f".kb__body img[src='{image.get_absolute_url()}']"
    expect(page.locator(shown)).to_be_visible()
    _wait_drawn(page, shown)

    # A canned response linking the article brings its title and address into a reply
    canned = CannedResponse.objects.create(
        application=spse, title="Panduan unggah", body="Silakan ikuti panduan berikut."
    )
    draft = write_article(staff, "Draf internal", applications=(spse,), publish=False)
    CannedResponseArticle.objects.create(canned_response=canned, article=article, order=1)
    CannedResponseArticle.objects.create(canned_response=canned, article=draft, order=2)
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=staff)
    page.goto(f"{base}/konsol/tiket/{ticket.number}/")
    box = page.locator("#id_reply_body")
    box.fill("Selamat siang.")
    page.get_by_label("Jawaban siap pakai").select_option(label="Panduan unggah · 1 artikel")
    article = Article.objects.get(pk=article.pk)
    expect(box).to_have_value(
        "Selamat siang.\n\nSilakan ikuti panduan berikut.\n\nBaca juga di Pusat Bantuan:\n"
        f"- Cara unggah dokumen: {settings.SITE_URL.rstrip('/')}{article.get_absolute_url()}"
    )
    context.close()
