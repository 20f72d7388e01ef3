"""Article images: upload by editors (checked by content, limited in size), stored
through the storage API, shown in the article, served to whoever reads the article."""

import os
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from knowledge import services
from knowledge.images import article_image_add, image_check
from knowledge.models import Article, ArticleImage
from knowledge.tests.factories import write_article
from knowledge.tests.test_editor_pages import NON_EDITORS
from lib.errors import NotFound
from lib.imagetypes import image_type_of


def _png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def stored_files(root: str) -> list[str]:
    return sorted(f for _d, _s, files in os.walk(root) for f in files)


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _upload(client: Client, article: Article, content: bytes, name: str, alt: str = "Tombol"):
    return client.post(
        reverse("knowledge_console:image_upload", args=[article.pk]),
        {"image": SimpleUploadedFile(name, content), "alt": alt},
    )


def _add(editor: User, article: Article, content: bytes = PNG, name: str = "a.png"):
    return article_image_add(
        editor=editor, article=article, upload=SimpleUploadedFile(name, content), alt="Layar"
    )


# --- Content checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (GIF, "gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
        (PDF, None),
        (SVG, None),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_the_image_type_comes_from_the_content(head: bytes, kind: str | None):
    assert image_type_of(head[:16]) == kind


def test_the_extension_is_the_contents_not_the_names(settings):
    checked = image_check(SimpleUploadedFile("foto.jpg", PNG))
    assert (checked.extension, checked.content_type) == ("png", "image/png")


# --- Upload --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_editor_uploads_an_image_and_gets_the_markdown(
    editor: User, draft: Article, media_storage: str
):
    response = _upload(_client(editor), draft, PNG, "Tangkapan Layar (1).png", alt="Tombol Unggah")
    assert response.status_code == 302
    image = ArticleImage.objects.get()
    assert image.article == draft and image.uploaded_by == editor
    assert (image.content_type, image.size, image.alt) == ("image/png", len(PNG), "Tombol Unggah")
    assert image.file.name.startswith(f"bantuan/{image.uploaded_at:%Y}/")
    assert image.file.name.endswith("_tangkapan-layar-1.png")
    assert f"/{draft.pk}/" in image.file.name
    assert stored_files(media_storage) == [image.file.name.rsplit("/", 1)[-1]]
    url = reverse("knowledge:image", args=[image.pk])
    assert image.markdown == f"![Tombol Unggah]({url})"
    page = _client(editor).get(reverse("knowledge_console:edit", args=[draft.pk]))
    assert image.markdown in page.content.decode()
    follow = _client(editor).get(response["Location"])
    assert follow.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "alt", "message"),
    [
        (PDF, "layar.png", "Layar", "bukan gambar PNG, JPEG, GIF atau WebP"),
        (SVG, "gambar.svg", "Layar", "bukan gambar PNG, JPEG, GIF atau WebP"),
        (b"", "kosong.png", "Layar", "kosong"),
        (PNG, "a.png", "", "Teks alternatif wajib diisi"),
        (PNG, "a.png", "x" * 201, "Teks alternatif terlalu panjang"),
        (PNG, "a.png", "a\x00b", ""),
    ],
)
def test_a_bad_upload_is_named_in_indonesian_and_nothing_is_kept(
    editor: User,
    draft: Article,
    media_storage: str,
    content: bytes,
    name: str,
    alt: str,
    message: str,
):
    response = _upload(_client(editor), draft, content, name, alt=alt)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ArticleImage.objects.exists()
    assert stored_files(media_storage) == []


@pytest.mark.django_db
def test_a_request_without_a_file_is_refused(editor: User, draft: Article, media_storage: str):
    client = _client(editor)
    url = reverse("knowledge_console:image_upload", args=[draft.pk])
    response = client.post(url, {"alt": "Layar", "image": "bukan berkas"})
    assert response.status_code == 400
    assert "Pilih gambar yang akan diunggah" in response.content.decode()
    assert client.get(url).status_code == 405
    assert not ArticleImage.objects.exists()


@pytest.mark.django_db
def test_an_image_over_the_limit_is_refused(
    settings, editor: User, draft: Article, media_storage: str
):
    settings.KNOWLEDGE_IMAGE_MAX_BYTES = len(PNG) - 1
    response = _upload(_client(editor), draft, PNG, "besar.png")
    assert response.status_code == 400
    assert "melebihi batas" in response.content.decode()
    assert not ArticleImage.objects.exists()
    assert stored_files(media_storage) == []


@pytest.mark.django_db
def test_a_file_is_removed_when_its_row_cannot_be_saved(editor: User, spse, media_storage: str):
    article = write_article(editor, "Sebentar saja", applications=(spse,), publish=False)
    Article.objects.filter(pk=article.pk).delete()
    with pytest.raises(NotFound):
        _add(editor, article)
    assert stored_files(media_storage) == []
    assert not ArticleImage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", NON_EDITORS)
def test_non_editors_cannot_upload_or_delete(
    request: pytest.FixtureRequest, persona: str, editor: User, draft: Article, media_storage: str
):
    image = _add(editor, draft)
    client = _client(request.getfixturevalue(persona))
    unknown = client.get("/konsol/bantuan/tidak-ada/")
    upload = _upload(client, draft, GIF, "b.gif")
    delete = client.post(reverse("knowledge_console:image_delete", args=[draft.pk, image.pk]))
    for response in (upload, delete):
        assert response.status_code == 404
        assert response.content == unknown.content
    assert list(ArticleImage.objects.all()) == [image]
    assert len(stored_files(media_storage)) == 1
    with pytest.raises(NotFound):
        _add(request.getfixturevalue(persona), draft)


@pytest.mark.django_db
def test_anonymous_uploads_go_to_the_staff_sign_in(draft: Article, media_storage: str):
    response = _upload(Client(), draft, PNG, "a.png")
    # A small body reaches the view's sign-in redirect (the file itself is refused
    # unread, lpse_support.middleware.RequestBodyMiddleware).
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff_login"))
    assert not ArticleImage.objects.exists()
    assert stored_files(media_storage) == []


@pytest.mark.django_db
def test_an_editor_deletes_an_image_and_its_file_goes_after_the_commit(
    editor: User,
    draft: Article,
    published: Article,
    media_storage: str,
    django_capture_on_commit_callbacks,
):
    image = _add(editor, draft)
    other = _add(editor, published)
    client = _client(editor)
    wrong_article = reverse("knowledge_console:image_delete", args=[published.pk, image.pk])
    assert client.post(wrong_article).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("knowledge_console:image_delete", args=[draft.pk, image.pk]))
    assert response.status_code == 302
    assert list(ArticleImage.objects.all()) == [other]
    assert stored_files(media_storage) == [other.file.name.rsplit("/", 1)[-1]]
    missing = reverse("knowledge_console:image_delete", args=[draft.pk, image.pk])
    assert client.post(missing).status_code == 404


# --- In the article ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_article_shows_its_own_images_and_no_others(
    editor: User, alice: User, published: Article, draft: Article, spse, media_storage: str
):
    own = _add(editor, published)
    foreign = _add(editor, draft)
    body = (
        f"Lihat:\n\n{own.markdown}\n\n![lain]({foreign.get_absolute_url()})\n\n"
        "![luar](https://evil.example/x.png) ![data](data:image/png;base64,AA)"
    )
    services.article_save(
        editor=editor,
        article=published,
        title=published.title,
        slug=published.slug,
        summary=published.summary,
        body=body,
        applications=[spse],
        categories=[],
        last_reviewed_on=None,
    )
    response = _client(alice).get(published.get_absolute_url())
    # Images from this site only: the policy would block any other host anyway.
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "img-src 'self'" in policy
    page = response.content.decode()
    assert f'<img src="{own.get_absolute_url()}" alt="Layar">' in page
    assert foreign.get_absolute_url() not in page
    assert "evil.example" not in page and "data:image" not in page
    assert "lain" in page and "luar" in page  # the alt text stays, as text


# --- Who sees an image ---------------------------------------------------------------------


def _get(client: Client, image_id: int):
    return client.get(reverse("knowledge:image", args=[image_id]))


@pytest.mark.django_db
def test_an_image_is_served_to_whoever_reads_its_article(
    settings,
    editor: User,
    alice: User,
    agent: User,
    published: Article,
    draft: Article,
    archived: Article,
    media_storage: str,
):
    public = _add(editor, published)
    hidden = [_add(editor, draft), _add(editor, archived, GIF, "g.gif")]
    unknown_id = max(image.pk for image in [public, *hidden]) + 100
    for user in (alice, agent, editor):
        client = _client(user)
        response = _get(client, public.pk)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.getvalue() == PNG
    editor_client = _client(editor)
    assert _get(editor_client, hidden[0].pk).status_code == 200
    assert _get(editor_client, hidden[1].pk)["Content-Type"] == "image/gif"
    assert _get(editor_client, unknown_id).status_code == 404
    for user in (alice, agent):
        client = _client(user)
        unknown = _get(client, unknown_id)
        assert unknown.status_code == 404
        for image in hidden:
            response = _get(client, image.pk)
            assert response.status_code == 404
            assert response.content == unknown.content

    settings.KNOWLEDGE_PUBLIC = False
    for image_id in (public.pk, hidden[0].pk, unknown_id):
        response = _get(Client(), image_id)
        assert response.status_code == 302
        assert response["Location"].endswith(f"?next=/bantuan/gambar/{image_id}/")

    settings.KNOWLEDGE_PUBLIC = True
    anonymous = Client()
    assert _get(anonymous, public.pk).status_code == 200
    unknown = _get(anonymous, unknown_id)
    assert unknown.status_code == 404
    for image in hidden:
        response = _get(anonymous, image.pk)
        assert response.status_code == 404
        assert response.content == unknown.content


@pytest.mark.django_db
@pytest.mark.parametrize("persona", NON_EDITORS)
def test_every_non_editor_sees_published_images_and_no_draft_ones(
    request: pytest.FixtureRequest,
    persona: str,
    editor: User,
    published: Article,
    draft: Article,
    media_storage: str,
):
    public, hidden = _add(editor, published), _add(editor, draft)
    client = _client(request.getfixturevalue(persona))
    assert _get(client, public.pk).status_code == 200
    unknown = _get(client, hidden.pk + 100)
    response = _get(client, hidden.pk)
    assert unknown.status_code == response.status_code == 404
    assert response.content == unknown.content


@pytest.mark.django_db
def test_a_deactivated_user_is_sent_to_sign_in(
    settings, editor: User, editor_deactivated: User, alice: User, draft: Article, published
):
    settings.KNOWLEDGE_PUBLIC = False
    images = [_add(editor, published), _add(editor, draft)]
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    for user in (alice, editor_deactivated):
        client = _client(user)
        for image in images:
            response = _get(client, image.pk)
            assert response.status_code == 302
            assert response["Location"].endswith(f"?next=/bantuan/gambar/{image.pk}/")
        upload = _upload(client, draft, PNG, "a.png")
        delete = client.post(
            reverse("knowledge_console:image_delete", args=[draft.pk, images[1].pk])
        )
        for response in (upload, delete):
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:staff_login"))
    assert ArticleImage.objects.count() == 2


@pytest.mark.django_db
def test_a_garbage_image_address_is_the_404_of_an_unknown_one(alice: User):
    client = _client(alice)
    unknown = client.get("/bantuan/gambar/999999/")
    assert unknown.status_code == 404
    for path in ("/bantuan/gambar/abc/", "/bantuan/gambar/-1/", "/bantuan/gambar/0/"):
        response = client.get(path)
        assert response.status_code == 404, path


@pytest.mark.django_db
def test_deleting_an_image_still_in_the_body_says_so(
    editor: User, spse, media_storage: str, django_capture_on_commit_callbacks
):
    article = write_article(editor, "Dengan gambar", applications=(spse,), publish=False)
    image = _add(editor, article)
    Article.objects.filter(pk=article.pk).update(body=f"Lihat {image.markdown}")
    client = _client(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("knowledge_console:image_delete", args=[article.pk, image.pk]), follow=True
        )
    page = response.content.decode()
    assert "Isi artikel masih memuat" in page
    assert stored_files(media_storage) == []
    # The article now shows the alt text where the image was
    assert (
        "<img" not in client.get(article.get_absolute_url()).content.decode().split("kb__body")[1]
    )
