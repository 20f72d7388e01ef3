"""Stream a ZIP archive chunk by chunk without holding the files in memory (no Django)."""

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import BinaryIO, cast

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


class _ChunkReader(io.RawIOBase):
    """A readable file over an iterable of byte chunks, pulled only as it is read."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        while not self._pending:
            self._pending = next(self._chunks, b"")
            if not self._pending:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def chunks_opener(chunks: Iterable[bytes]) -> Opener:
    """An entry whose content is produced chunk by chunk (a generator) while it is zipped."""
    return lambda: cast(BinaryIO, _ChunkReader(chunks))


def zip_stream(
    entries: Iterable[tuple[str, Opener]],
    *,
    compression: int = zipfile.ZIP_STORED,
    zip64: bool = True,
) -> Iterator[bytes]:
    """Yield the bytes of a ZIP holding each (archive name, opener) entry.

    Files are stored, not compressed, by default: attachments are mostly compressed
    already and storing keeps the stream fast; text (an XLSX's XML) asks for
    ZIP_DEFLATED. ZIP64 is forced so that large files are fine; `zip64=False` writes
    the plain format that every reader knows, for entries under 4 GB. `entries` is read
    lazily: an entry may be decided after the previous ones were written.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=compression) as archive:  # type: ignore[call-overload]
        for arcname, opener in entries:
            with opener() as source, archive.open(arcname, mode="w", force_zip64=zip64) as target:
                while chunk := source.read(_CHUNK):
                    target.write(chunk)
                    if sink.tell() and (data := sink.drain()):
                        yield data
            if data := sink.drain():
                yield data
    if data := sink.drain():
        yield data
