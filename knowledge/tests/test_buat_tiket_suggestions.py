"""Buat Tiket's suggestions while the reporter types (issue 18): `portal:ticket_suggestions`."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from knowledge.models import Article, CategoryModel, SuggestedForm
from knowledge.tests.factories import write_article
from knowledge.tests.suggestsupport import (
    PASSWORD,
    SIKAP_DATA,
    UPLOAD,
    UPLOAD_TEXT,
    category,
    resolved_ticket,
    signed_in,
    tiny_model,
)
from reference.models import Application
from tickets import services
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

URL = reverse("portal:ticket_suggestions")
CREATE = reverse("portal:ticket_create")
UNKNOWN = "/tiket/buat/tidak-ada/"


def _ask(client: Client, **params: Any) -> str:
    response = client.get(URL, params, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def _suggested_category_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-suggest-category="(\d+)"', html)]


# --- Who may ask -------------------------------------------------------------------------

STAFF = [
    "agent",
    "agent_other",
    "lkpp_spse",
    "teknis_spse",
    "supervisor",
    "supervisor_119",
    "supervisor_empty_group",
    "admin_user",
    "agent_removed",
    "editor",
]


def test_the_form_asks_for_suggestions_politely_while_typing(alice: User) -> None:
    html = signed_in(alice).get(CREATE).content.decode()
    container = re.search(r'<div id="ticket-suggestions"[^>]*>', html, re.S)
    assert container is not None
    tag = container.group(0)
    assert f'hx-get="{URL}"' in tag and 'aria-live="polite"' in tag
    assert "input changed delay:" in tag and "from:#id_description" in tag
    assert "#id_application, #id_title, #id_description" in tag


def test_anonymous_is_sent_to_sign_in_like_buat_tiket(reference: None) -> None:
    client = Client()
    response = client.get(URL, UPLOAD_TEXT)
    assert response.status_code == 302
    assert response["Location"].startswith("/?next=")
    assert client.get(CREATE).status_code == 302


@pytest.mark.parametrize("persona", STAFF)
def test_staff_get_the_same_404_as_an_unknown_address(
    request: pytest.FixtureRequest, persona: str
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    response = client.get(URL, UPLOAD_TEXT)
    unknown = client.get(UNKNOWN)
    assert response.status_code == unknown.status_code == 404
    assert response.content == unknown.content
    assert client.get(CREATE).status_code == 404


def test_a_deactivated_reporter_is_signed_out_like_buat_tiket(alice: User) -> None:
    client = signed_in(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    response = client.get(URL, UPLOAD_TEXT)
    assert response.status_code == 302 and response["Location"].startswith("/?next=")
    assert client.get(CREATE).status_code == 302


def test_only_get_is_answered(alice: User) -> None:
    assert signed_in(alice).post(URL, UPLOAD_TEXT).status_code == 405


# --- What is suggested -------------------------------------------------------------------


def test_nothing_before_a_few_words(alice: User, published: Article) -> None:
    client = signed_in(alice)
    assert _ask(client, title="Gagal upload").strip() == ""
    assert _ask(client).strip() == ""


def test_categories_come_from_the_trained_model(alice: User, spse: Application) -> None:
    # Given a model trained on a handful of examples
    tiny_model()
    client = signed_in(alice)
    # When alice types an upload problem for SPSE
    html = _ask(client, application=spse.pk, **UPLOAD_TEXT)
    # Then the upload category is suggested first, SPSE categories only
    suggested = _suggested_category_ids(html)
    assert suggested[0] == category(UPLOAD).pk
    assert category(SIKAP_DATA).pk not in suggested
    assert "Kategori yang mungkin sesuai" in html
    # And for SIKaP the same words suggest SIKaP's category only
    sikap = Application.objects.get(code="SIKAP")
    assert _suggested_category_ids(_ask(client, application=sikap.pk, **UPLOAD_TEXT)) == [
        category(SIKAP_DATA).pk
    ]
    # And a password problem leads with the password category
    html = _ask(client, application=spse.pk, title="Lupa password, user ID terblokir")
    assert _suggested_category_ids(html)[0] == category(PASSWORD).pk


def test_no_category_without_a_model_or_an_application(alice: User, spse: Application) -> None:
    client = signed_in(alice)
    assert _suggested_category_ids(_ask(client, application=spse.pk, **UPLOAD_TEXT)) == []
    tiny_model()
    assert _suggested_category_ids(_ask(client, **UPLOAD_TEXT)) == []


def test_published_articles_are_suggested_never_drafts_or_archived(
    alice: User, editor: User, published: Article, draft: Article, archived: Article
) -> None:
    # Given a published article, a draft and an archived one holding the typed words
    other = write_article(editor, "Artikel isi draf rahasia lama", body="Isi artikel.")
    client = signed_in(alice)
    # When alice types words of all of them
    html = _ask(client, title="Draf rahasia artikel lama", description="isi penawaran")
    # Then only published articles are offered
    assert other.title in html and other.get_absolute_url() in html
    assert draft.title not in html and draft.get_absolute_url() not in html
    assert archived.title not in html and archived.get_absolute_url() not in html
    # And an upload problem finds the upload article
    assert published.get_absolute_url() in _ask(client, **UPLOAD_TEXT)


def test_articles_of_another_application_are_not_suggested(
    alice: User, editor: User, spse: Application, published: Article
) -> None:
    sikap = Application.objects.get(code="SIKAP")
    elsewhere = write_article(editor, "Upload dokumen kualifikasi", applications=(sikap,))
    general = write_article(editor, "Dokumen gagal upload, periksa browser")
    client = signed_in(alice)
    html = _ask(client, application=spse.pk, **UPLOAD_TEXT)
    assert published.title in html and general.title in html
    assert elsewhere.title not in html
    html = _ask(client, application=sikap.pk, **UPLOAD_TEXT)
    assert elsewhere.title in html and published.title not in html


def test_at_most_three_articles(alice: User, editor: User) -> None:
    for n in range(5):
        write_article(editor, f"Gagal upload dokumen penawaran bagian {n}")
    html = _ask(signed_in(alice), **UPLOAD_TEXT)
    assert html.count("bagian ") == 3


def test_similar_tickets_are_the_reporters_own_open_ones_only(
    alice: User, bob: User, carol: User, agent: User
) -> None:
    # Given alice's open upload ticket and an unrelated one, her closed upload ticket,
    # and bob's and carol's open upload tickets with the very same words
    mine = make_ticket(alice)
    unrelated = make_ticket(alice, title="Lupa password akun", description="User terblokir.")
    closed = resolved_ticket(alice, agent, UPLOAD, "Upload dokumen penawaran gagal lagi")
    closed = services.ticket_confirm(ticket=closed, actor=alice)
    bobs = make_ticket(bob)
    carols = make_ticket(carol)
    # When alice types the same problem
    html = _ask(signed_in(alice), **UPLOAD_TEXT)
    # Then only her own open one is shown
    assert "Tiket serupa milik Anda" in html
    assert mine.number in html and mine.get_absolute_url() in html
    for hidden in (unrelated, closed, bobs, carols):
        assert hidden.number not in html
    # And bob sees only his, whatever the text
    html = _ask(signed_in(bob), **UPLOAD_TEXT)
    assert bobs.number in html and mine.number not in html and carols.number not in html


# --- Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"application": "abc"},
        {"application": "-1"},
        {"application": "99999999999999999999999"},
        {"application": "1 OR 1=1"},
        {"application": "0"},
        {"title": "x" * 100_000},
        {"description": "gagal upload " * 20_000},
        {"title": "gagal upload dokumen penawaran", "description": "\x01\x02\x7f\u202e"},
        {"title": "' OR 1=1 --", "description": "\"'; DROP TABLE tickets_ticket; -- :* | & !"},
        {"title": "ÆØÅ 漢字 🙂 gagal upload dokumen", "unknown": "1"},
    ],
)
def test_garbage_is_ignored_never_a_500(
    alice: User, spse: Application, published: Article, params: dict[str, str]
) -> None:
    tiny_model()
    make_ticket(alice)
    before = (Ticket.objects.count(), CategoryModel.objects.count(), Article.objects.count())
    _ask(signed_in(alice), **{"title": "Gagal upload dokumen penawaran", **params})
    after = (Ticket.objects.count(), CategoryModel.objects.count(), Article.objects.count())
    assert after == before


def test_a_nul_byte_is_refused_with_the_sites_message(alice: User) -> None:
    # The project's middleware refuses NUL everywhere, before any view (PostgreSQL
    # cannot compare it): a clear message, not a 500.
    response = signed_in(alice).get(URL, {"title": "gagal\x00upload dokumen penawaran"})
    assert response.status_code == 400
    assert "karakter yang tidak diizinkan" in response.content.decode()


def test_an_inactive_application_suggests_no_category(alice: User, spse: Application) -> None:
    tiny_model()
    spse.is_active = False
    spse.save(update_fields=["is_active"])
    assert _suggested_category_ids(_ask(signed_in(alice), application=spse.pk, **UPLOAD_TEXT)) == []


# --- Bounded work ------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_tickets_or_articles(
    alice: User, editor: User, spse: Application, django_assert_max_num_queries: object
) -> None:
    # Given a model, many matching articles and many similar open tickets of alice
    tiny_model()
    for n in range(8):
        write_article(editor, f"Gagal upload dokumen penawaran {n}", applications=(spse,))
    for _n in range(12):
        make_ticket(alice)
    client = signed_in(alice)
    params = {"application": spse.pk, **UPLOAD_TEXT}
    _ask(client, **params)  # the process parses the stored model once
    # When she types, then a fixed handful of queries answers, with everything shown:
    # session, user, the reference book's LPSEs, applications and categories (tests keep
    # nothing: each use reads its table), the model's key, the articles' change key and
    # the three shown, her open tickets (the bell's count is not shown in a partial).
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        html = _ask(client, **params)
    assert html.count("data-suggest-category") == 2  # the tiny model knows two of SPSE
    assert html.count("/bantuan/") == 3
    assert html.count("/tiket/") == 3


def test_kept_as_in_production_a_call_reads_the_shown_articles_and_her_tickets(
    alice: User, editor: User, spse: Application, kept: None, django_assert_num_queries
) -> None:
    # Given a model, matching articles and similar open tickets, and a form shown once
    tiny_model()
    for n in range(4):
        write_article(editor, f"Gagal upload dokumen penawaran {n}", applications=(spse,))
    for _n in range(4):
        make_ticket(alice)
    client = signed_in(alice)
    params = {"application": spse.pk, "submission_key": "b" * 32, **UPLOAD_TEXT}
    _ask(client, **params)
    assert SuggestedForm.objects.filter(user=alice, submission_key="b" * 32).count() == 1
    # (the row is remembered once committed; the test's transaction never commits, so
    # the next answer finds it in the database and remembers it then)
    _ask(client, **params)
    # When she types on: session, user, the three articles shown and her open tickets;
    # the reference book, the model, the article index and the form's row are kept
    with django_assert_num_queries(4):
        html = _ask(client, **params)
    assert html.count("data-suggest-category") == 2
    assert html.count("/bantuan/") == 3
    assert html.count("/tiket/") == 3
    assert SuggestedForm.objects.filter(user=alice, submission_key="b" * 32).count() == 1
