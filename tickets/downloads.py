"""Downloads of attachments: one file, or all of a ticket's as one streamed zip.

The portal, the console (through the same pages) and the API ask here; each builds its
own HTTP answer from the `Download` it gets. Who may download what is decided by the
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
class Download:
    """What to stream, as a stored `file` opened for reading or as the `chunks` of one
    made on the fly (one of the two), with the name it is saved under, its content type
    and, for a stored file, its size."""

    file_name: str
    content_type: str
    file: File | None = None
    chunks: Iterator[bytes] | None = None
    size: int | None = None


def get_attachment_download(user: User, number: str, sequence: int) -> Download:
    """One attachment the user may see (never one of an internal note)."""
    ticket = get_ticket_for_user(user, number)
    attachment = public_attachments(ticket).filter(sequence=sequence).first()
    if attachment is None:
        raise NotFound
    return Download(
        file_name=attachment.download_name,
        content_type=attachment.content_type,
        file=default_storage.open(attachment.file.name, "rb"),
        size=attachment.size,
    )


def get_attachments_zip(user: User, number: str) -> Download:
    """Every attachment the user may see, as one zip under their download names; each
    file is opened only when the zip reaches it."""
    ticket = get_ticket_for_user(user, number)
    attachments = list(public_attachments(ticket))
    if not attachments:
        raise NotFound
    entries = [
        (attachment.download_name, _opener(attachment.file.name)) for attachment in attachments
    ]
    return Download(
        file_name=f"{ticket.number}.zip",
        content_type="application/zip",
        chunks=zip_stream(entries),
    )


def _opener(name: str) -> Opener:
    return lambda: default_storage.open(name, "rb")  # type: ignore[return-value]
