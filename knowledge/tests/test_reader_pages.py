"""Pusat Bantuan for readers: who reads what, search, votes, bad input, query counts."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from accounts.models import User
from knowledge.models import Article, ArticleVote
from knowledge.tests.factories import write_article
from reference.models import Application, Category

LIST = "/bantuan/"
UNKNOWN = "/bantuan/tidak-ada-artikel-ini/"


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _not_found_body(client: Client) -> bytes:
    return client.get(UNKNOWN).content


# --- Who reads ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in_when_the_knowledge_base_is_not_public(published: Article):
    client = Client()
    for url in (LIST, published.get_absolute_url(), UNKNOWN):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("home"))


@pytest.mark.django_db
def test_anonymous_reads_published_articles_when_public(
    settings: Settings, published: Article, draft: Article, archived: Article
):
    settings.KNOWLEDGE_PUBLIC = True
    client = Client()
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert published.title in listing.content.decode()
    assert draft.title not in listing.content.decode()
    page = client.get(published.get_absolute_url())
    assert page.status_code == 200
    assert "Masuk untuk memberi penilaian" in page.content.decode()
    unknown = client.get(UNKNOWN)
    for hidden in (draft, archived):
        response = client.get(hidden.get_absolute_url())
        assert response.status_code == 404
        assert response.content == unknown.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["alice", "dave", "agent", "lkpp_spse", "teknis_spse", "supervisor", "admin_user"]
)
def test_drafts_and_archived_are_an_unknown_address_to_everyone_but_editors(
    request: pytest.FixtureRequest,
    persona: str,
    published: Article,
    draft: Article,
    archived: Article,
):
    client = _client(request.getfixturevalue(persona))
    assert client.get(published.get_absolute_url()).status_code == 200
    unknown = client.get(UNKNOWN)
    assert unknown.status_code == 404
    for hidden in (draft, archived):
        response = client.get(hidden.get_absolute_url())
        assert response.status_code == 404
        assert response.content == unknown.content
        # Nor can they vote on it.
        vote = client.post(reverse("knowledge:vote", args=[hidden.slug]), {"membantu": "ya"})
        assert vote.status_code == 404
    listing = client.get(LIST).content.decode()
    assert published.title in listing
    assert draft.title not in listing and archived.title not in listing
    assert not ArticleVote.objects.exists()


@pytest.mark.django_db
def test_an_editor_reads_a_draft_with_its_status_said(editor: User, draft: Article):
    response = _client(editor).get(draft.get_absolute_url())
    assert response.status_code == 200
    assert 'data-status="draft"' in response.content.decode()


@pytest.mark.django_db
def test_a_deactivated_person_reads_nothing(
    agent_deactivated: User, editor_deactivated: User, published: Article, draft: Article
):
    for user in (agent_deactivated, editor_deactivated):
        client = _client(user)
        assert client.get(LIST).status_code == 302
        assert client.get(draft.get_absolute_url()).status_code == 302


@pytest.mark.django_db
def test_the_menu_links_pusat_bantuan_for_readers(alice: User, agent: User):
    for user in (alice, agent):
        page = _client(user).get(reverse("notifications:list")).content.decode()
        assert f'href="{LIST}"' in page


# --- The list and search -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_filters_by_application_and_category(
    alice: User, editor: User, spse: Application, upload_category: Category
):
    sirup = Application.objects.get(code="SIRUP")
    on_upload = write_article(
        editor, "Unggah penawaran", applications=(spse,), categories=(upload_category,)
    )
    on_spse = write_article(editor, "Lupa kata sandi SPSE", applications=(spse,))
    on_sirup = write_article(editor, "Paket RUP tidak tampil", applications=(sirup,))
    client = _client(alice)

    by_app = client.get(LIST, {"aplikasi": "SPSE"}).content.decode()
    assert on_upload.title in by_app and on_spse.title in by_app
    assert on_sirup.title not in by_app
    # The application's categories that hold articles are offered, with counts.
    assert upload_category.name in by_app

    by_category = client.get(
        LIST, {"aplikasi": "SPSE", "kategori": str(upload_category.pk)}
    ).content.decode()
    assert on_upload.title in by_category
    assert on_spse.title not in by_category

    # A parent category covers its sub-categories.
    assert upload_category.parent is not None
    by_parent = client.get(LIST, {"kategori": str(upload_category.parent.pk)}).content.decode()
    assert on_upload.title in by_parent and on_spse.title not in by_parent


@pytest.mark.django_db
def test_search_finds_words_by_prefix_title_first(alice: User, editor: User, spse: Application):
    body_hit = write_article(
        editor, "Dokumen penawaran", body="Kata sandi akun harus diganti tiap 90 hari."
    )
    title_hit = write_article(editor, "Lupa kata sandi", body="Gunakan menu Lupa Password.")
    write_article(editor, "Jadwal tender", body="Tahapan tender berubah.")
    write_article(editor, "Sandi draf", body="kata sandi", publish=False)

    page = _client(alice).get(LIST, {"q": "kata sand"}).content.decode()
    assert "2 artikel" in page
    assert page.index(title_hit.title) < page.index(body_hit.title)
    assert "Jadwal tender" not in page and "Sandi draf" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"aplikasi": "TIDAKADA"}, "Aplikasi tidak dikenal"),
        ({"kategori": "abc"}, "Kategori tidak dikenal"),
        ({"kategori": "99999999999999999999999"}, "Kategori tidak dikenal"),
        ({"q": "x" * 500}, "Kata pencarian terlalu panjang"),
        ({"page": "-1"}, None),
        ({"page": "zzz"}, None),
        ({"q": "!!! ??? ..."}, None),
    ],
)
def test_garbage_parameters_are_named_or_ignored(
    alice: User, published: Article, params: dict[str, str], message: str | None
):
    response = _client(alice).get(LIST, params)
    assert response.status_code == 200
    if message:
        assert message in response.content.decode()


@pytest.mark.django_db
def test_the_list_runs_a_bounded_number_of_queries(
    alice: User,
    editor: User,
    spse: Application,
    upload_category: Category,
    django_assert_max_num_queries: object,
):
    def fill(count: int, start: int) -> None:
        for number in range(start, start + count):
            write_article(
                editor,
                f"Artikel bantuan nomor {number}",
                applications=(spse,),
                categories=(upload_category,),
            )

    client = _client(alice)
    fill(3, 0)
    with django_assert_max_num_queries(14) as few:  # type: ignore[operator]
        assert client.get(LIST, {"aplikasi": "SPSE", "q": "bantuan"}).status_code == 200
    fill(17, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[operator]
        assert client.get(LIST, {"aplikasi": "SPSE", "q": "bantuan"}).status_code == 200


# --- Votes -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_vote_per_person_which_they_may_change(alice: User, bob: User, published: Article):
    url = reverse("knowledge:vote", args=[published.slug])
    client = _client(alice)
    response = client.post(url, {"membantu": "ya"})
    assert response.status_code == 302
    assert client.post(url, {"membantu": "ya"}).status_code == 302
    assert ArticleVote.objects.get(article=published, user=alice).helpful is True
    client.post(url, {"membantu": "tidak"})
    assert ArticleVote.objects.filter(article=published, user=alice).count() == 1
    assert ArticleVote.objects.get(article=published, user=alice).helpful is False
    _client(bob).post(url, {"membantu": "ya"})
    assert ArticleVote.objects.filter(article=published).count() == 2
    page = client.get(published.get_absolute_url()).content.decode()
    assert 'data-vote="tidak"' in page


@pytest.mark.django_db
def test_a_vote_through_htmx_answers_with_the_block(alice: User, published: Article):
    response = _client(alice).post(
        reverse("knowledge:vote", args=[published.slug]),
        {"membantu": "ya"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<section class="card kb__vote" id="membantu"')
    assert "Terima kasih atas penilaian Anda." in body


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "mungkin", "1", "YA " * 1000])
def test_a_vote_that_is_neither_yes_nor_no_changes_nothing(
    alice: User, published: Article, value: str
):
    client = _client(alice)
    response = client.post(
        reverse("knowledge:vote", args=[published.slug]), {"membantu": value}, follow=True
    )
    assert "Pilih «Ya» atau «Tidak»." in response.content.decode()
    assert not ArticleVote.objects.exists()


@pytest.mark.django_db
def test_votes_need_a_person_a_post_and_the_csrf_token(
    settings: Settings, alice: User, published: Article
):
    settings.KNOWLEDGE_PUBLIC = True
    url = reverse("knowledge:vote", args=[published.slug])
    assert Client().post(url, {"membantu": "ya"}).status_code == 302
    assert _client(alice).get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post(url, {"membantu": "ya"}).status_code == 403
    assert not ArticleVote.objects.exists()


@pytest.mark.django_db
def test_an_article_renders_sanitized_markdown(alice: User, editor: User):
    article = write_article(
        editor,
        "Artikel berbahaya",
        body=(
            "## Judul\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |"
        ),
    )
    page = _client(alice).get(article.get_absolute_url()).content.decode()
    assert "<h3>Judul</h3>" in page  # one level down: the title is the page's <h1>
    assert "<script>alert(1)</script>" not in page
    assert 'href="javascript:' not in page
    assert "<td>1</td>" in page
