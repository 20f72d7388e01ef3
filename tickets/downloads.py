"""Downloads of attachments: one file, or all of a ticket's as one streamed zip.

The portal, the console (through the same pages) and the API ask here (the import
contract keeps the API and the pages apart); both send a single file as `file_response`
makes it, and each builds its zip answer. Who may download what is decided by the
access helper: "not yours" raises the same `NotFound` as "does not exist".

With `ATTACHMENT_X_ACCEL_PREFIX` set and the files in a local folder, a single file that
passed those checks is not opened here: the answer names the path nginx sends it from
(`internal_url`, for X-Accel-Redirect), so no app server thread copies its bytes.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from accounts.models import User
from lib.errors import NotFound
from lib.zipstream import Opener, zip_stream
from tickets.access import get_ticket_for_user
from tickets.lifecycle import StorageUnavailable
from tickets.selectors import public_attachments

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileDownload:
    """One stored file with the name it is saved under: open for reading, or (with
    X-Accel-Redirect) not opened, `internal_url` saying where nginx reads it."""

    file: File | None
    file_name: str
    content_type: str
    size: int
    internal_url: str = ""


@dataclass(frozen=True)
class ZipDownload:
    """A zip made while it is sent, chunk by chunk, with the name it is saved under."""

    chunks: Iterator[bytes]
    file_name: str
    content_type: str = "application/zip"


def get_attachment_download(user: User, number: str, sequence: int) -> FileDownload:
    """One attachment the user may see (never one of an internal note)."""
    ticket = get_ticket_for_user(user, number)
    attachment = public_attachments(ticket).filter(sequence=sequence).first()
    if attachment is None:
        raise NotFound
    internal_url = _internal_url(attachment.file.name)
    return FileDownload(
        file=None if internal_url else _storage_open(attachment.file.name),
        file_name=attachment.download_name,
        content_type=attachment.content_type,
        size=attachment.size,
        internal_url=internal_url,
    )


def file_response(download: FileDownload) -> HttpResponseBase:
    """The answer for one file: streamed by the app, or headers only with
    X-Accel-Redirect, nginx then sending the body (same type and download name)."""
    if download.internal_url:
        response = HttpResponse(content_type=download.content_type)
        disposition = content_disposition_header(as_attachment=True, filename=download.file_name)
        assert disposition is not None  # only without as_attachment and a name
        response["Content-Disposition"] = disposition
        response["X-Accel-Redirect"] = download.internal_url
        return response
    streamed = FileResponse(
        download.file,
        as_attachment=True,
        filename=download.file_name,
        content_type=download.content_type,
    )
    # A file streamed from object storage cannot tell its length: the recorded size can.
    streamed["Content-Length"] = str(download.size)
    return streamed


def get_attachments_zip(user: User, number: str) -> ZipDownload:
    """Every attachment the user may see, as one zip under their download names; each
    file is opened only when the zip reaches it.

    The first file is opened now, so that a storage that cannot be reached is answered
    with an error page; once the zip has started, a failure can only cut it short.
    """
    ticket = get_ticket_for_user(user, number)
    attachments = list(public_attachments(ticket))
    if not attachments:
        raise NotFound
    first = _storage_open(attachments[0].file.name)
    openers: list[Opener] = [lambda: first]  # type: ignore[list-item,return-value]
    openers += [_opener(attachment.file.name) for attachment in attachments[1:]]
    entries = [
        (attachment.download_name, opener)
        for attachment, opener in zip(attachments, openers, strict=True)
    ]
    return ZipDownload(chunks=zip_stream(entries), file_name=f"{ticket.number}.zip")


def _storage_open(name: str) -> File:
    """A stored file opened for reading, streamed from its storage; a storage that cannot
    give it (unreachable, or the file is missing) is `StorageUnavailable` (503)."""
    try:
        return default_storage.open(name, "rb")
    except Exception as error:
        logger.exception("attachment could not be read from storage: %s", name)
        raise _unavailable() from error


def _unavailable() -> StorageUnavailable:
    return StorageUnavailable(
        _(
            "Lampiran tidak dapat diunduh karena penyimpanan berkas sedang tidak dapat "
            "dihubungi. Silakan coba lagi beberapa saat lagi."
        )
    )


def _internal_url(name: str) -> str:
    """Where nginx reads the stored file `name` from (X-Accel-Redirect), percent-encoded;
    "" when the app streams it (no prefix set, or the storage is not a local folder).

    The name comes from the attachment's row; it must still lead to a file inside the
    storage's folder (symbolic links resolved), or the download is refused. A missing
    file is the same 503 as when the app opens it.
    """
    prefix = settings.ATTACHMENT_X_ACCEL_PREFIX
    if not prefix or not isinstance(default_storage, FileSystemStorage):
        return ""
    root = Path(default_storage.location).resolve()
    # path() refuses a name that leaves the folder (SuspiciousFileOperation: 400).
    path = Path(default_storage.path(name)).resolve()
    if not path.is_relative_to(root) or path == root:
        raise SuspiciousFileOperation(f"attachment outside the storage folder: {name!r}")
    if not path.is_file():
        logger.error("attachment missing from storage: %s", name)
        raise _unavailable()
    return f"{prefix}/{quote(path.relative_to(root).as_posix(), safe='/')}"


def _opener(name: str) -> Opener:
    return lambda: _storage_open(name)  # type: ignore[return-value]
