"""The editors' pages: who reaches them, Pratinjau before Terbitkan, versions, bad input."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from knowledge.forms import content_digest
from knowledge.models import Article, ArticleStatus, ArticleVersion
from knowledge.tests.factories import write_article
from reference.models import Application, Category

UNKNOWN = "/konsol/bantuan/tidak-ada/"
NON_EDITORS = [
    "alice",
    "agent",
    "agent_other",
    "lkpp_spse",
    "teknis_spse",
    "supervisor",
    "supervisor_119",
    "supervisor_empty_group",
    "admin_user",
    "agent_removed",
]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Lupa kata sandi SPSE",
        "slug": "",
        "summary": "Cara mengatur ulang kata sandi.",
        "body": "## Langkah\n\n1. Buka halaman masuk.\n2. Pilih *Lupa kata sandi*.",
        "applications": [],
        "categories": [],
        "last_reviewed_on": "",
    }
    data.update(changes)
    return data


def _pages(article: Article) -> list[tuple[str, str]]:
    return [
        ("get", reverse("knowledge_console:list")),
        ("get", reverse("knowledge_console:create")),
        ("post", reverse("knowledge_console:create")),
        ("get", reverse("knowledge_console:edit", args=[article.pk])),
        ("post", reverse("knowledge_console:edit", args=[article.pk])),
        ("post", reverse("knowledge_console:status", args=[article.pk])),
        ("get", reverse("knowledge_console:history", args=[article.pk])),
    ]


# --- Who reaches them --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", NON_EDITORS)
def test_non_editors_get_the_404_of_an_unknown_address(
    request: pytest.FixtureRequest, persona: str, published: Article
):
    client = _client(request.getfixturevalue(persona))
    unknown = client.get(UNKNOWN)
    assert unknown.status_code == 404
    for method, url in _pages(published):
        data = _form(aksi="terbitkan", title="Diubah") | {"status": "arsipkan"}
        response = client.post(url, data) if method == "post" else client.get(url)
        assert response.status_code == 404, url
        assert response.content == unknown.content
    published.refresh_from_db()
    assert published.title == "Gagal upload dokumen penawaran"
    assert published.status == ArticleStatus.PUBLISHED
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_nobody_signed_in_goes_to_the_staff_sign_in(published: Article, editor_deactivated: User):
    for client in (Client(), _client(editor_deactivated)):
        for method, url in _pages(published):
            response = client.post(url, _form()) if method == "post" else client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:staff_login"))
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_article_id_is_a_404(editor: User):
    client = _client(editor)
    for name in ("edit", "history", "status"):
        url = reverse(f"knowledge_console:{name}", args=[987654])
        response = client.post(url, {"status": "arsipkan"}) if name == "status" else client.get(url)
        assert response.status_code == 404
    assert client.get("/konsol/bantuan/99999999999999999999999/").status_code == 404


@pytest.mark.django_db
def test_an_editor_sees_every_article_with_its_status_and_votes(
    editor: User, published: Article, draft: Article, archived: Article
):
    page = _client(editor).get(reverse("knowledge_console:list")).content.decode()
    for article in (published, draft, archived):
        assert article.title in page
        assert f"kb-status--{article.status}" in page
    drafts = _client(editor).get(reverse("knowledge_console:list"), {"status": "draft"})
    assert draft.title in drafts.content.decode()
    assert published.title not in drafts.content.decode()


@pytest.mark.django_db
def test_the_editor_list_runs_a_bounded_number_of_queries(
    editor: User, django_assert_max_num_queries: object
):
    client = _client(editor)
    for number in range(3):
        write_article(editor, f"Artikel {number}")
    with django_assert_max_num_queries(12) as few:  # type: ignore[operator]
        client.get(reverse("knowledge_console:list"))
    for number in range(3, 30):
        write_article(editor, f"Artikel {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[operator]
        client.get(reverse("knowledge_console:list"))


# --- Writing -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_pratinjau_shows_the_sanitized_article_and_saves_nothing(editor: User):
    response = _client(editor).post(
        reverse("knowledge_console:create"),
        _form(aksi="pratinjau", body="# Bagian\n\n<script>alert(1)</script>"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h2>Bagian</h2>" in page
    assert "<script>alert(1)</script>" not in page
    assert 'value="terbitkan"' in page
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_terbitkan_needs_the_text_seen_in_pratinjau(editor: User):
    client = _client(editor)
    url = reverse("knowledge_console:create")
    # Without a preview: the preview is shown, nothing is saved.
    first = client.post(url, _form(aksi="terbitkan"))
    assert first.status_code == 200
    assert "Periksa pratinjau" in first.content.decode()
    assert not Article.objects.exists()
    # A preview of another text does not publish this one.
    changed = client.post(url, _form(aksi="terbitkan", previewed=content_digest("x", "y")))
    assert changed.status_code == 200
    assert not Article.objects.exists()
    # The text seen in Pratinjau is published.
    data = _form(aksi="terbitkan")
    data["previewed"] = content_digest(str(data["title"]), str(data["body"]))
    done = client.post(url, data)
    article = Article.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("knowledge_console:edit", args=[article.pk])
    assert article.slug == "lupa-kata-sandi-spse"
    assert article.status == ArticleStatus.PUBLISHED and article.published_at is not None
    assert article.author == editor
    assert [v.number for v in article.versions.all()] == [1]


@pytest.mark.django_db
def test_a_draft_is_saved_and_every_change_of_text_keeps_a_version(
    editor: User, alice: User, spse: Application, upload_category: Category
):
    client = _client(editor)
    client.post(
        reverse("knowledge_console:create"),
        _form(aksi="simpan", applications=[spse.pk], categories=[upload_category.pk]),
    )
    article = Article.objects.get()
    assert article.status == ArticleStatus.DRAFT
    assert list(article.categories.all()) == [upload_category]
    # Not yet visible to reporters.
    assert _client(alice).get(article.get_absolute_url()).status_code == 404

    edit = reverse("knowledge_console:edit", args=[article.pk])
    client.post(edit, _form(aksi="simpan", slug=article.slug, body="Isi baru."))
    client.post(edit, _form(aksi="simpan", slug=article.slug, body="Isi baru."))  # same text
    client.post(edit, _form(aksi="simpan", slug=article.slug, title="Judul baru", body="Isi baru."))
    versions = list(ArticleVersion.objects.filter(article=article).order_by("number"))
    assert [(v.number, v.title, v.body) for v in versions] == [
        (1, "Lupa kata sandi SPSE", _form()["body"]),
        (2, "Lupa kata sandi SPSE", "Isi baru."),
        (3, "Judul baru", "Isi baru."),
    ]
    assert all(v.editor == editor for v in versions)

    history = client.get(reverse("knowledge_console:history", args=[article.pk]), {"versi": "2"})
    assert history.status_code == 200
    assert "<p>Isi baru.</p>" in history.content.decode()
    garbage = client.get(reverse("knowledge_console:history", args=[article.pk]), {"versi": "x"})
    assert "Versi itu tidak ada" in garbage.content.decode()


@pytest.mark.django_db
def test_a_published_article_changes_only_through_pratinjau(editor: User, published: Article):
    client = _client(editor)
    edit = reverse("knowledge_console:edit", args=[published.pk])
    data = _form(aksi="simpan", slug=published.slug, title=published.title, body="Diam-diam.")
    response = client.post(edit, data)
    assert response.status_code == 200
    published.refresh_from_db()
    assert published.body != "Diam-diam."
    data["previewed"] = content_digest(published.title, "Diam-diam.")
    client.post(edit, data | {"aksi": "terbitkan"})
    published.refresh_from_db()
    assert published.body == "Diam-diam."
    assert published.versions.count() == 2


@pytest.mark.django_db
def test_archive_hides_an_article_and_draft_brings_it_back(
    editor: User, alice: User, published: Article
):
    client = _client(editor)
    status = reverse("knowledge_console:status", args=[published.pk])
    client.post(status, {"status": "arsipkan"})
    published.refresh_from_db()
    assert published.status == ArticleStatus.ARCHIVED
    assert _client(alice).get(published.get_absolute_url()).status_code == 404
    client.post(status, {"status": "draf"})
    published.refresh_from_db()
    assert published.status == ArticleStatus.DRAFT
    # Publishing is never a bare status change: it goes through Pratinjau.
    response = client.post(status, {"status": "published"}, follow=True)
    assert "Perubahan status tidak dikenal" in response.content.decode()
    published.refresh_from_db()
    assert published.status == ArticleStatus.DRAFT


# --- Bad input ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Judul wajib diisi."),
        ({"title": "   "}, "Judul wajib diisi."),
        ({"body": "   \n  "}, "Isi artikel wajib diisi."),
        ({"body": "x" * 100_001}, "Isi artikel terlalu panjang"),
        ({"title": "x" * 201}, "Judul terlalu panjang"),
        ({"slug": "Bukan Slug!"}, "Slug hanya boleh berisi huruf kecil"),
        ({"slug": "gagal-upload-dokumen-penawaran"}, "Slug ini sudah dipakai artikel lain."),
        ({"title": "!!!"}, "Judul ini tidak menghasilkan slug"),
        ({"last_reviewed_on": "kemarin"}, "Masukkan tanggal yang valid"),
        ({"applications": ["999999"]}, "Masukkan pilihan yang valid"),
        ({"categories": ["abc"]}, "bukan nilai yang valid"),
    ],
)
@pytest.mark.parametrize("aksi", ["simpan", "terbitkan", "pratinjau"])
def test_bad_input_is_named_in_indonesian_and_nothing_is_saved(
    editor: User, published: Article, changes: dict[str, object], message: str, aksi: str
):
    response = _client(editor).post(
        reverse("knowledge_console:create"), _form(aksi=aksi, **changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Article.objects.count() == 1
    assert ArticleVersion.objects.count() == 1


@pytest.mark.django_db
def test_a_category_must_belong_to_a_chosen_application(
    editor: User, spse: Application, upload_category: Category
):
    sirup = Application.objects.get(code="SIRUP")
    response = _client(editor).post(
        reverse("knowledge_console:create"),
        _form(aksi="simpan", applications=[sirup.pk], categories=[upload_category.pk]),
    )
    assert response.status_code == 400
    assert "bukan milik aplikasi yang dipilih" in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_editing_keeps_its_own_slug_but_not_another_ones(
    editor: User, published: Article, draft: Article
):
    client = _client(editor)
    edit = reverse("knowledge_console:edit", args=[draft.pk])
    taken = client.post(edit, _form(aksi="simpan", slug=published.slug, title=draft.title))
    assert taken.status_code == 400
    kept = client.post(edit, _form(aksi="simpan", slug=draft.slug, title=draft.title))
    assert kept.status_code == 302
