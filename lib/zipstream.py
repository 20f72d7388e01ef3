"""Stream a ZIP archive chunk by chunk without holding the files in memory (no Django)."""

import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import BinaryIO

_CHUNK = 256 * 1024


class _Sink:
    """A write-only, non-seekable buffer that zipfile writes to and we drain."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._written = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


Opener = Callable[[], AbstractContextManager[BinaryIO]]


def zip_stream(entries: Iterable[tuple[str, Opener]]) -> Iterator[bytes]:
    """Yield the bytes of a ZIP holding each (archive name, opener) entry.

    Files are stored, not compressed: attachments are mostly compressed already and
    storing keeps the stream fast. ZIP64 is forced so that large files are fine.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:  # type: ignore[call-overload]
        for arcname, opener in entries:
            with opener() as source, archive.open(arcname, mode="w", force_zip64=True) as target:
                while chunk := source.read(_CHUNK):
                    target.write(chunk)
                    if sink.tell() and (data := sink.drain()):
                        yield data
            if data := sink.drain():
                yield data
    if data := sink.drain():
        yield data
