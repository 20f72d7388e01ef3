"""What Buat Tiket's suggestions led to (issue 18): shown on the filed ticket, articles
opened from the form (`knowledge/deflection.py`)."""

import pytest
from django.urls import reverse

from accounts.models import User
from knowledge.models import Article, ArticleOpening, SuggestionsShown
from knowledge.tests.suggestsupport import (
    PASSWORD,
    SIKAP_DATA,
    UPLOAD,
    UPLOAD_TEXT,
    category,
    signed_in,
    tiny_model,
)
from reference.models import Application, Lpse, TicketType
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

SUGGEST = reverse("portal:ticket_suggestions")
CREATE = reverse("portal:ticket_create")
KEY = "0123456789abcdef0123456789abcdef"


def _form(spse: Application, **extra: object) -> dict[str, object]:
    return {
        "notification_email": "ppk1@example.go.id",
        "title": "Dokumen penawaran gagal upload",
        "lpse": Lpse.objects.get(kd_lpse=119).pk,
        "application": spse.pk,
        "version": spse.versions.get(name="4.5").pk,
        "ticket_type": TicketType.objects.get(code="permasalahan").pk,
        "category": category(UPLOAD).pk,
        "code": "9537119",
        "description": "Sudah dicoba terus, tetap gagal.",
        "submission_key": KEY,
        **extra,
    }


def test_the_suggestions_carry_what_they_show_into_the_form(
    alice: User, spse: Application, published: Article
) -> None:
    tiny_model()
    html = (
        signed_in(alice)
        .get(SUGGEST, {"application": str(spse.pk), "submission_key": KEY, **UPLOAD_TEXT})
        .content.decode()
    )
    assert f'name="saran_artikel" value="{published.pk}"' in html
    assert f'name="saran_kategori" value="{category(UPLOAD).pk}"' in html
    assert f"{published.get_absolute_url()}?saran={KEY}" in html


def test_a_key_that_no_form_makes_is_not_put_in_links(alice: User, published: Article) -> None:
    html = signed_in(alice).get(SUGGEST, {"submission_key": "../x?y", **UPLOAD_TEXT}).content
    assert b"saran=" not in html and published.get_absolute_url().encode() in html


def test_opening_a_suggested_article_is_recorded_once(alice: User, published: Article) -> None:
    client = signed_in(alice)
    for _ in range(2):
        assert client.get(published.get_absolute_url(), {"saran": KEY}).status_code == 200
    opening = ArticleOpening.objects.get()
    assert (opening.user, opening.article, opening.submission_key) == (alice, published, KEY)
    assert opening.ticket is None


@pytest.mark.parametrize("saran", ["", "abc", KEY.upper(), KEY + "0", "'; DROP TABLE x; --"])
def test_garbage_keys_record_nothing(alice: User, published: Article, saran: str) -> None:
    assert signed_in(alice).get(published.get_absolute_url(), {"saran": saran}).status_code == 200
    assert not ArticleOpening.objects.exists()


def test_staff_and_drafts_record_nothing(
    editor: User, agent: User, published: Article, draft: Article
) -> None:
    signed_in(editor).get(draft.get_absolute_url(), {"saran": KEY})
    signed_in(editor).get(published.get_absolute_url(), {"saran": KEY})
    signed_in(agent).get(published.get_absolute_url(), {"saran": KEY})
    assert not ArticleOpening.objects.exists()


def test_a_ticket_filed_anyway_keeps_the_suggestions_and_its_openings(
    alice: User, bob: User, spse: Application, published: Article, draft: Article
) -> None:
    # Given alice opened the suggested article from her form, and bob from his own
    signed_in(alice).get(published.get_absolute_url(), {"saran": KEY})
    signed_in(bob).get(published.get_absolute_url(), {"saran": KEY})
    other_form = "f" * 32
    signed_in(alice).get(published.get_absolute_url(), {"saran": other_form})
    # When she files the form anyway, with what the suggestions showed (and junk)
    sikap_category = category(SIKAP_DATA).pk
    response = signed_in(alice).post(
        CREATE,
        _form(
            spse,
            saran_artikel=[published.pk, draft.pk, "abc", "-1"],
            saran_kategori=[category(UPLOAD).pk, category(PASSWORD).pk, sikap_category, "x"],
        ),
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    # Then the ticket records the published article and its own application's categories
    shown = SuggestionsShown.objects.get(ticket=ticket)
    assert list(shown.articles.all()) == [published]
    assert set(shown.categories.all()) == {category(UPLOAD), category(PASSWORD)}
    # And only her opening from this form is marked as followed by the ticket
    assert ArticleOpening.objects.get(user=alice, submission_key=KEY).ticket == ticket
    assert ArticleOpening.objects.get(user=bob).ticket is None
    assert ArticleOpening.objects.get(user=alice, submission_key=other_form).ticket is None


def test_a_ticket_without_suggestions_is_filed_as_before(alice: User, spse: Application) -> None:
    response = signed_in(alice).post(CREATE, _form(spse))
    assert response.status_code == 302
    assert Ticket.objects.count() == 1
    assert not SuggestionsShown.objects.exists()
