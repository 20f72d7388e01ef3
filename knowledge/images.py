"""Article images (issue 18): checks, storage names, writes and reads.

An editor uploads an image to one article; it is checked by its content (PNG, JPEG, GIF
or WebP, `lib/imagetypes.py`; the name does not count), limited in size
(`KNOWLEDGE_IMAGE_MAX_BYTES`), written through Django's storage API (a local folder or
S3, as the tickets' attachments) under `bantuan/<yyyy>/<mm>/<article id>/`, and served by
`knowledge:image` only to whoever may read its article. The article's Markdown shows it
with the snippet `ArticleImage.markdown`; the sanitizer allows no other image.

No orphans, as for attachments (`tickets/attachments.py`): the file is written first and
removed again when its row cannot be saved; a deleted row's file is removed once the
deletion has committed.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from knowledge.models import ALT_MAX_LENGTH, Article, ArticleImage
from lib.errors import NotFound
from lib.filenames import clean_filename, slugify_stem, split_extension
from lib.imagetypes import IMAGE_TYPES, image_type
from tickets.access import articles_readable_q, may_edit_articles
from tickets.attachments import CheckedFile, stored_files_delete, upload_sha256
from tickets.lifecycle import StorageUnavailable

logger = logging.getLogger(__name__)

# What the file input offers (`accept`); the server looks at the content regardless.
IMAGE_ACCEPT = "image/png,image/jpeg,image/gif,image/webp"


class ImageError(ValueError):
    """An uploaded image that breaks a rule; the message is for the editor."""


def image_help_text() -> str:
    return _("PNG, JPEG, GIF atau WebP, maksimum %(size)s.") % {
        "size": filesizeformat(settings.KNOWLEDGE_IMAGE_MAX_BYTES)
    }


def image_check(upload: UploadedFile) -> CheckedFile:
    """Check one uploaded image by its content and size; raise ImageError."""
    display_name = clean_filename(upload.name or "")
    size = upload.size or 0
    if size == 0:
        raise ImageError(_("Berkas %(name)s kosong.") % {"name": display_name})
    if size > settings.KNOWLEDGE_IMAGE_MAX_BYTES:
        raise ImageError(
            _("Gambar %(name)s berukuran %(size)s, melebihi batas %(limit)s.")
            % {
                "name": display_name,
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.KNOWLEDGE_IMAGE_MAX_BYTES),
            }
        )
    kind = image_type(upload.file)  # type: ignore[arg-type]
    if kind is None:
        raise ImageError(
            _(
                "Berkas %(name)s bukan gambar PNG, JPEG, GIF atau WebP (isi berkas yang "
                "diperiksa, bukan namanya)."
            )
            % {"name": display_name}
        )
    extension, content_type = IMAGE_TYPES[kind]
    return CheckedFile(upload, display_name, extension, content_type, size, upload_sha256(upload))


def image_storage_name(*, article_id: int, checked: CheckedFile, now: datetime.datetime) -> str:
    """`bantuan/<yyyy>/<mm>/<article id>/<random>_<name>.<ext>`: the extension is the
    content's, and the random part keeps two writes from ever sharing a key."""
    stem, _extension = split_extension(checked.display_name)
    return (
        f"bantuan/{now:%Y}/{now:%m}/{article_id}/"
        f"{uuid.uuid4().hex}_{slugify_stem(stem)}.{checked.extension}"
    )


def article_image_add(
    *,
    editor: User,
    article: Article,
    upload: UploadedFile,
    alt: str,
    now: datetime.datetime | None = None,
) -> ArticleImage:
    """Store an image of `article` and record it; NotFound for anybody but editors,
    ImageError for a file that is not an acceptable image, StorageUnavailable when the
    storage cannot take it (nothing recorded, nothing left in the storage)."""
    if not may_edit_articles(editor):
        raise NotFound
    checked = image_check(upload)
    now = now or timezone.now()
    name = image_storage_name(article_id=article.pk, checked=checked, now=now)
    try:
        name = default_storage.save(name, checked.upload)
    except Exception as error:
        logger.exception("article image storage failed: article=%s", article.pk)
        raise StorageUnavailable(
            _(
                "Gambar tidak dapat disimpan karena penyimpanan berkas sedang tidak dapat "
                "dihubungi. Tidak ada yang tersimpan; silakan unggah ulang beberapa saat lagi."
            )
        ) from error
    try:
        with transaction.atomic():
            if not Article.objects.select_for_update().filter(pk=article.pk).exists():
                raise NotFound
            return ArticleImage.objects.create(
                article=article,
                file=name,
                alt=alt.strip()[:ALT_MAX_LENGTH],
                original_name=checked.display_name[:255],
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=editor,
                uploaded_at=now,
            )
    except BaseException:
        stored_files_delete([name])
        raise


@transaction.atomic
def article_image_delete(*, editor: User, article: Article, image_id: int) -> ArticleImage:
    """Remove an image of `article` (NotFound when it has no such image, or for anybody
    but editors); its file goes once the deletion has committed."""
    if not may_edit_articles(editor):
        raise NotFound
    image = ArticleImage.objects.select_for_update().filter(pk=image_id, article=article).first()
    if image is None:
        raise NotFound
    name = image.file.name
    image.delete()
    image.pk = image_id  # the caller still names it (its address, its snippet)
    transaction.on_commit(lambda: stored_files_delete([name]))
    return image


def article_images(article: Article) -> list[ArticleImage]:
    """The article's images for its editor, oldest first (one query)."""
    return list(ArticleImage.objects.filter(article=article).order_by("id"))


def article_image_urls(article: Article | None) -> frozenset[str]:
    """The addresses the article's Markdown may show images from (one query)."""
    if article is None or article.pk is None:
        return frozenset()
    return frozenset(
        reverse("knowledge:image", args=[pk])
        for pk in ArticleImage.objects.filter(article=article).values_list("pk", flat=True)
    )


def get_image_for_user(user: User, image_id: int) -> ArticleImage:
    """The image if this user may read its article; NotFound exactly as for an unknown id."""
    readable = Article.objects.filter(articles_readable_q(user)).values("pk")
    image = ArticleImage.objects.filter(pk=image_id, article_id__in=readable).first()
    if image is None:
        raise NotFound
    return image


def image_open(image: ArticleImage) -> File:
    """The stored image opened for reading; StorageUnavailable (503) when it cannot be."""
    try:
        return default_storage.open(image.file.name, "rb")
    except Exception as error:
        logger.exception("article image could not be read from storage: %s", image.file.name)
        raise StorageUnavailable(
            _(
                "Gambar tidak dapat ditampilkan karena penyimpanan berkas sedang tidak dapat "
                "dihubungi. Silakan coba lagi beberapa saat lagi."
            )
        ) from error
