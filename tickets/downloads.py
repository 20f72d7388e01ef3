"""Downloads of attachments: one file, or all of a ticket's as one streamed zip.

The portal, the console (through the same pages) and the API ask here, and each turns
the answer into its HTTP response (a few lines: the import contract keeps the API and
the pages apart, and HTTP out of the domain). Who may download what is decided by the
access helper: "not yours" raises the same `NotFound` as "does not exist".
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.base import File
from django.core.files.storage import default_storage
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
    """One stored file, open for reading, with the name it is saved under."""

    file: File
    file_name: str
    content_type: str
    size: int


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
    return FileDownload(
        file=_storage_open(attachment.file.name),
        file_name=attachment.download_name,
        content_type=attachment.content_type,
        size=attachment.size,
    )


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
        raise StorageUnavailable(
            _(
                "Lampiran tidak dapat diunduh karena penyimpanan berkas sedang tidak dapat "
                "dihubungi. Silakan coba lagi beberapa saat lagi."
            )
        ) from error


def _opener(name: str) -> Opener:
    return lambda: _storage_open(name)  # type: ignore[return-value]
