"""Attachment rules: allowed types, content checks, size limits, names and storage keys."""

import datetime
import hashlib
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.filenames import clean_filename, slugify_stem, split_extension
from lib.filetypes import (
    ALLOWED_EXTENSIONS,
    CONTENT_TYPES,
    TooManyZipEntries,
    content_matches_extension,
)

logger = logging.getLogger(__name__)

# What a file input offers (`accept`); the server checks names and content again.
ATTACHMENT_ACCEPT = ",".join(f".{extension}" for extension in ALLOWED_EXTENSIONS)


class AttachmentError(ValueError):
    """An uploaded file that breaks a rule; the message is for the user, the kind (type,
    size, empty, content, count) lets the API answer 415, 413 or 422."""

    def __init__(self, message: str, *, kind: str = "invalid") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    display_name: str
    extension: str
    content_type: str
    size: int
    sha256: str


class AttachmentsRejected(ValueError):
    """Files of one message that break the rules: one error each (and one for too many)."""

    def __init__(self, errors: list[AttachmentError]) -> None:
        super().__init__([str(error) for error in errors])
        self.errors = errors

    @property
    def messages(self) -> list[str]:
        return [str(error) for error in self.errors]

    @property
    def kinds(self) -> set[str]:
        return {error.kind for error in self.errors}


def allowed_extensions_label() -> str:
    return ", ".join(ext for ext in ALLOWED_EXTENSIONS if ext != "jpeg")


def attachments_help_text() -> str:
    """What a file input says about the rules: the types and the size per file."""
    return _("Tipe berkas: %(types)s. Maksimum %(size)s per berkas.") % {
        "types": allowed_extensions_label(),
        "size": _size_label(settings.ATTACHMENT_MAX_BYTES),
    }


def _size_label(size: int) -> str:
    # "50 MB" rather than filesizeformat's "50,0 MB" when the limit is whole megabytes.
    megabyte = 1024 * 1024
    return f"{size // megabyte} MB" if size % megabyte == 0 else filesizeformat(size)


def attachment_check(upload: UploadedFile) -> CheckedFile:
    """Check one uploaded file against the attachment rules; raise AttachmentError."""
    display_name = clean_filename(upload.name or "")
    _stem, extension = split_extension(display_name)
    if extension not in ALLOWED_EXTENSIONS:
        raise AttachmentError(
            _("Berkas %(name)s: tipe berkas tidak diizinkan. Tipe yang diizinkan: %(types)s.")
            % {"name": display_name, "types": allowed_extensions_label()},
            kind="type",
        )
    size = upload.size or 0
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise AttachmentError(
            _("Berkas %(name)s berukuran %(size)s, melebihi batas %(limit)s per berkas.")
            % {
                "name": display_name,
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            },
            kind="size",
        )
    if size == 0:
        raise AttachmentError(_("Berkas %(name)s kosong.") % {"name": display_name}, kind="empty")
    try:
        matches = content_matches_extension(extension, upload.file)  # type: ignore[arg-type]
    except TooManyZipEntries as error:
        raise AttachmentError(
            _(
                "Berkas %(name)s berisi lebih dari %(max)s entri arsip dan tidak dapat "
                "diterima. Kirim berkas dengan isi yang lebih sedikit atau pisahkan menjadi "
                "beberapa berkas."
            )
            % {"name": display_name, "max": f"{error.limit:,}".replace(",", ".")},
            kind="content",
        ) from error
    if not matches:
        raise AttachmentError(
            _("Berkas %(name)s: isi berkas tidak sesuai dengan ekstensi .%(ext)s.")
            % {"name": display_name, "ext": extension},
            kind="content",
        )
    return CheckedFile(
        upload, display_name, extension, CONTENT_TYPES[extension], size, upload_sha256(upload)
    )


def upload_sha256(upload: UploadedFile) -> str:
    """The content's SHA-256, read in the upload's chunks (never whole into memory).

    Computed here rather than while the storage writes the file: the S3 client may
    read, seek and retry parts of the file on its own, so a hash taken on its reads
    would not be the content's.
    """
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def attachments_validate(uploads: list[UploadedFile]) -> list[CheckedFile]:
    """Check a message's files (how many, and each one); raise AttachmentsRejected with
    every problem at once, so that the person can fix them all in one go."""
    errors: list[AttachmentError] = []
    if len(uploads) > settings.ATTACHMENT_MAX_FILES:
        errors.append(
            AttachmentError(
                _("Paling banyak %(max)d berkas per pesan.")
                % {"max": settings.ATTACHMENT_MAX_FILES},
                kind="count",
            )
        )
    checked: list[CheckedFile] = []
    for upload in uploads:
        try:
            checked.append(attachment_check(upload))
        except AttachmentError as error:
            errors.append(error)
    if errors:
        raise AttachmentsRejected(errors)
    return checked


def attachment_download_name(*, ticket_number: str, sequence: int, original_name: str) -> str:
    """The name a person sees and downloads: `<nomor>_<NN>_<nama>.<ext>` (DESIGN §3).

    Derived from the row (ticket number, sequence, original name), never from the
    storage key, so list, single download and zip always agree.
    """
    stem, extension = split_extension(original_name)
    name = f"{ticket_number}_{sequence:02d}_{slugify_stem(stem)}"
    return f"{name}.{extension}" if extension else name


def attachment_storage_name(
    *, ticket_number: str, sequence: int, display_name: str, now: datetime.datetime | None = None
) -> str:
    """Storage key: the download name behind a random part unique to this write.

    Two writes never share a key, so no write replaces another upload's file and the
    clean-up of a failed or duplicate submission deletes only what it wrote itself
    (S3 has no atomic "create if absent": checking for a free name first is a race).
    """
    now = now or timezone.now()
    visible = attachment_download_name(
        ticket_number=ticket_number, sequence=sequence, original_name=display_name
    )
    return f"lampiran/{now:%Y}/{now:%m}/{ticket_number}/{uuid.uuid4().hex}_{visible}"


def attachment_store(
    *,
    ticket_number: str,
    sequence: int,
    checked: CheckedFile,
    now: datetime.datetime | None = None,
) -> str:
    """Write the file through the storage API in chunks; return the stored name (filed
    under the month of `now`, default the current time)."""
    name = attachment_storage_name(
        ticket_number=ticket_number,
        sequence=sequence,
        display_name=checked.display_name,
        now=now,
    )
    checked.upload.seek(0)
    return default_storage.save(name, checked.upload)


def stored_files_delete(names: list[str]) -> None:
    """Remove files written for a change that did not happen (no orphans).

    Called while another error is being handled: a file that cannot be removed (the
    storage went away meanwhile) is logged by name for the operator, never raised over
    the error that made the change fail.
    """
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("orphan attachment left in storage: %s", name)
