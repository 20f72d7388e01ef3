"""Downloads of attachments: one file, or all of a ticket's as one streamed zip.

The portal, the console (through the same pages) and the API ask here, and each turns
the answer into its HTTP response (a few lines: the import contract keeps the API and
the pages apart, and HTTP out of the domain). Who may download what is decided by the
access helper: "not yours" raises the same `NotFound` as "does not exist".
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.base import File
from django.core.files.storage import default_storage

from accounts.models import User
from lib.errors import NotFound
from lib.zipstream import Opener, zip_stream
from tickets.access import get_ticket_for_user
from tickets.selectors import public_attachments


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
        file=default_storage.open(attachment.file.name, "rb"),
        file_name=attachment.download_name,
        content_type=attachment.content_type,
        size=attachment.size,
    )


def get_attachments_zip(user: User, number: str) -> ZipDownload:
    """Every attachment the user may see, as one zip under their download names; each
    file is opened only when the zip reaches it."""
    ticket = get_ticket_for_user(user, number)
    attachments = list(public_attachments(ticket))
    if not attachments:
        raise NotFound
    entries = [
        (attachment.download_name, _opener(attachment.file.name)) for attachment in attachments
    ]
    return ZipDownload(chunks=zip_stream(entries), file_name=f"{ticket.number}.zip")


def _opener(name: str) -> Opener:
    return lambda: default_storage.open(name, "rb")  # type: ignore[return-value]
