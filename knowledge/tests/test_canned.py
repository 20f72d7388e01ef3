"""Canned responses that link Pusat Bantuan articles: chosen for a reply, they bring the
published articles' titles and addresses along; drafts and archived ones never."""

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from knowledge.canned import canned_replies
from knowledge.models import Article, CannedResponseArticle
from knowledge.tests.factories import write_article
from knowledge.tests.test_editor_pages import NON_EDITORS
from reference.models import Application, CannedResponse
from tickets import services as ticket_services
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

SITE = "https://helpdesk.lkpp.example"


@pytest.fixture(autouse=True)
def site_url(settings, reference: None) -> None:
    settings.SITE_URL = SITE + "/"


def _link(canned: CannedResponse, *articles: Article) -> None:
    for order, article in enumerate(articles):
        CannedResponseArticle.objects.create(
            canned_response=canned, article=article, order=len(articles) - order
        )


@pytest.fixture
def canned(reference: None, spse: Application) -> CannedResponse:
    return CannedResponse.objects.create(
        application=spse, title="Cara unggah dokumen", body="Silakan ikuti langkah berikut.\n"
    )


def test_choosing_a_canned_response_brings_its_published_articles_only(
    canned: CannedResponse,
    editor: User,
    spse: Application,
    published: Article,
    draft: Article,
    archived: Article,
):
    second = write_article(editor, "Ukuran berkas maksimal", applications=(spse,))
    # Ordered by the links' order: `_link` gives the first article the highest number.
    _link(canned, second, draft, published, archived)
    (reply,) = canned_replies([canned])
    assert reply.articles == [published, second]
    assert reply.text == (
        "Silakan ikuti langkah berikut.\n\nBaca juga di Pusat Bantuan:\n"
        f"- Gagal upload dokumen penawaran: {SITE}/bantuan/{published.slug}/\n"
        f"- Ukuran berkas maksimal: {SITE}/bantuan/{second.slug}/"
    )
    assert draft.title not in reply.text and archived.title not in reply.text


def test_a_canned_response_without_published_articles_is_its_body(
    canned: CannedResponse, draft: Article, archived: Article
):
    _link(canned, draft, archived)
    assert [reply.text for reply in canned_replies([canned])] == [canned.body]
    assert canned_replies([]) == []


def _ticket(alice: User, agent: User) -> Ticket:
    return ticket_services.ticket_take(ticket=make_ticket(alice), actor=agent)


def test_the_reply_form_offers_the_text_with_the_links(
    canned: CannedResponse,
    alice: User,
    agent: User,
    published: Article,
    draft: Article,
    archived: Article,
):
    _link(canned, published, draft, archived)
    ticket = _ticket(alice, agent)
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("console:ticket_detail", args=[ticket.number])).content.decode()
    text = html.unescape(page)
    expected = (
        f"Silakan ikuti langkah berikut.\n\nBaca juga di Pusat Bantuan:\n"
        f"- {published.title}: {SITE}/bantuan/{published.slug}/"
    )
    assert f'data-body="{expected}"' in text
    assert "Cara unggah dokumen · 1 artikel" in text
    assert f"/bantuan/{draft.slug}/" not in text and f"/bantuan/{archived.slug}/" not in text


def test_the_reply_form_runs_the_same_queries_for_many_canned_responses(
    spse: Application, editor: User, alice: User, agent: User, published: Article
):
    ticket = _ticket(alice, agent)
    client = Client()
    client.force_login(agent)
    url = reverse("console:ticket_detail", args=[ticket.number])
    client.get(url)  # warm up the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    first = CannedResponse.objects.create(application=spse, title="Satu", body="Satu.")
    _link(first, published)
    few = queries()
    for number in range(8):
        canned = CannedResponse.objects.create(title=f"Umum {number}", body="Umum.")
        extra = write_article(editor, f"Artikel {number}", applications=(spse,))
        _link(canned, published, extra)
    assert queries() == few


def test_the_answers_panel_inserts_the_same_link_shape(
    alice: User, agent: User, published: Article, upload_category
):
    ticket = ticket_services.ticket_take(
        ticket=make_ticket(alice, category=upload_category, title="Gagal upload dokumen"),
        actor=agent,
    )
    client = Client()
    client.force_login(agent)
    page = client.get(
        reverse("console:ticket_answers", args=[ticket.number]), HTTP_HX_REQUEST="true"
    )
    text = html.unescape(page.content.decode())
    assert f'data-insert-text="{published.title}: {SITE}/bantuan/{published.slug}/"' in text


# --- The admin ---------------------------------------------------------------------------


def test_the_admin_links_articles_to_a_canned_response(
    admin_user: User, canned: CannedResponse, published: Article, draft: Article
):
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:reference_cannedresponse_change", args=[canned.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Artikel Pusat Bantuan" in page.content.decode()
    data = {
        "application": canned.application_id,
        "title": canned.title,
        "body": canned.body,
        "is_active": "on",
        "article_links-TOTAL_FORMS": "2",
        "article_links-INITIAL_FORMS": "0",
        "article_links-MIN_NUM_FORMS": "0",
        "article_links-MAX_NUM_FORMS": "1000",
        "article_links-0-article": published.pk,
        "article_links-0-order": "1",
        "article_links-1-article": draft.pk,
        "article_links-1-order": "2",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(
        CannedResponseArticle.objects.filter(canned_response=canned).values_list(
            "article_id", flat=True
        )
    ) == [published.pk, draft.pk]
    # The draft is linked, but only the published article comes into a reply.
    assert canned_replies([canned])[0].articles == [published]
    # The same article twice is refused with a message, nothing changed: sent together,
    # or once more next to a link saved meanwhile.
    twice = client.post(
        url,
        data
        | {
            "article_links-INITIAL_FORMS": "0",
            "article_links-0-article": published.pk,
            "article_links-1-article": published.pk,
        },
    )
    assert twice.status_code == 200
    assert CannedResponseArticle.objects.count() == 2
    data |= {
        "article_links-TOTAL_FORMS": "1",
        "article_links-0-article": published.pk,
    }
    CannedResponseArticle.objects.all().delete()
    CannedResponseArticle.objects.create(canned_response=canned, article=published)
    again = client.post(url, data)
    assert again.status_code == 200
    assert "Artikel ini sudah ditautkan ke jawaban ini." in again.content.decode()
    assert CannedResponseArticle.objects.count() == 1


# --- The article's editor page -----------------------------------------------------------


def _canned_url(article: Article) -> str:
    return reverse("knowledge_console:canned", args=[article.pk])


def _links() -> list[tuple[int, int, int]]:
    return list(
        CannedResponseArticle.objects.order_by("canned_response_id", "order").values_list(
            "canned_response_id", "article_id", "order"
        )
    )


def test_an_editor_chooses_the_canned_responses_of_an_article(
    canned: CannedResponse, editor: User, published: Article, draft: Article
):
    general = CannedResponse.objects.create(title="Umum", body="Umum.")
    retired = CannedResponse.objects.create(title="Lama", body="Lama.", is_active=False)
    CannedResponseArticle.objects.create(canned_response=general, article=draft, order=4)
    CannedResponseArticle.objects.create(canned_response=retired, article=published, order=1)
    client = Client()
    client.force_login(editor)
    page = client.get(reverse("knowledge_console:edit", args=[published.pk])).content.decode()
    assert "Cara unggah dokumen (SPSE)" in page and "Umum (semua aplikasi)" in page
    assert "Lama" not in page  # inactive: not offered, its link kept
    response = client.post(_canned_url(published), {"canned": [canned.pk, general.pk]})
    assert response.status_code == 302
    assert response["Location"].endswith("#jawaban")
    # A new link comes after the canned response's other articles.
    assert _links() == [
        (canned.pk, published.pk, 1),
        (general.pk, draft.pk, 4),
        (general.pk, published.pk, 5),
        (retired.pk, published.pk, 1),
    ]
    page = client.get(reverse("knowledge_console:edit", args=[published.pk])).content.decode()
    assert len(re.findall(r'<input[^>]*name="canned"[^>]*checked', page)) == 2
    assert client.post(_canned_url(published), {"canned": [general.pk]}).status_code == 302
    assert _links() == [
        (general.pk, draft.pk, 4),
        (general.pk, published.pk, 5),
        (retired.pk, published.pk, 1),
    ]
    assert client.post(_canned_url(published), {}).status_code == 302
    assert _links() == [(general.pk, draft.pk, 4), (retired.pk, published.pk, 1)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("999999", "tidak ada atau tidak aktif lagi"),
        ("abc", "tidak sah"),
        ("retired", "tidak ada atau tidak aktif lagi"),
    ],
)
def test_a_bad_choice_is_named_and_nothing_changes(
    canned: CannedResponse, editor: User, published: Article, value: str, message: str
):
    retired = CannedResponse.objects.create(title="Lama", body="Lama.", is_active=False)
    CannedResponseArticle.objects.create(canned_response=canned, article=published)
    before = _links()
    client = Client()
    client.force_login(editor)
    chosen = str(retired.pk) if value == "retired" else value
    response = client.post(_canned_url(published), {"canned": [str(canned.pk), chosen]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _links() == before
    assert client.get(_canned_url(published)).status_code == 405
    assert client.post(reverse("knowledge_console:canned", args=[987654])).status_code == 404


@pytest.mark.parametrize("persona", NON_EDITORS)
def test_non_editors_cannot_choose_canned_responses(
    request: pytest.FixtureRequest, persona: str, canned: CannedResponse, published: Article
):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    unknown = client.get("/konsol/bantuan/tidak-ada/")
    response = client.post(_canned_url(published), {"canned": [canned.pk]})
    assert response.status_code == 404
    assert response.content == unknown.content
    assert not CannedResponseArticle.objects.exists()
    anonymous = Client().post(_canned_url(published), {"canned": [canned.pk]})
    assert anonymous.status_code == 302
    assert not CannedResponseArticle.objects.exists()
