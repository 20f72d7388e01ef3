"""Upload handlers that decide, while the body streams in, how much of it to keep.

Django writes a multipart file part to a temporary file as it reads it. These handlers
run in front of Django's own (`RequestBodyMiddleware` installs them per request, before
anything reads the body):

- `RefuseFilesHandler` for requests that are not authenticated: the first file part
  stops the parse; nothing of it is written anywhere, and the rest of the body is not
  read.
- `UploadLimitHandler` for signed-in people: counts each file's bytes and the body's
  total, and stops reading the moment a file passes `ATTACHMENT_MAX_BYTES` or the body
  passes what `ATTACHMENT_MAX_FILES` such files can add up to; the files written so far
  are removed before `UploadTooLarge` is raised.
"""

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

# Room for the form's own fields and the multipart headers around the files.
FORM_OVERHEAD_BYTES = 1024 * 1024


class UploadTooLarge(Exception):
    """A file or the whole body passed the limits; `per_file` tells which."""

    def __init__(self, *, per_file: bool) -> None:
        super().__init__("upload too large")
        self.per_file = per_file


def upload_body_limit(*, max_bytes: int, max_files: int) -> int:
    """The largest body a signed-in person's upload may have."""
    return max_files * max_bytes + FORM_OVERHEAD_BYTES


class RefuseFilesHandler(FileUploadHandler):
    """Stops the parse at the first file part: anonymous requests never write a file."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        # connection_reset: do not read (drain) the rest of the body either.
        raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class UploadLimitHandler(FileUploadHandler):
    """Counts bytes in front of the storing handlers and stops at the limits."""

    def __init__(self, request: HttpRequest, *, max_bytes: int, max_total: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.max_total = max_total
        self.total = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.total += len(raw_data)
        # `start` is where this chunk begins in the current file.
        if start + len(raw_data) > self.max_bytes or self.total > self.max_total:
            self._abort()
            raise UploadTooLarge(per_file=start + len(raw_data) > self.max_bytes)
        return raw_data  # the next handler stores it

    def file_complete(self, file_size: int) -> None:
        return None  # the storing handler returns the file

    def _abort(self) -> None:
        # The parser closes the files it completed; the one being written is ours to remove.
        for handler in self.request.upload_handlers if self.request else ():
            if handler is not self:
                handler.upload_interrupted()
