"""Zip bombs by entry count: an office file or zip whose central directory lists too
many entries is refused from its end records, before anything builds a per-entry list."""

import io
import struct
import zipfile
from typing import BinaryIO

import pytest

from lib.filetypes import (
    MAX_ZIP_CENTRAL_DIRECTORY_BYTES,
    MAX_ZIP_ENTRIES,
    TooManyZipEntries,
    content_matches_extension,
    zip_entries_check,
)

# A stored, empty entry named `name`: one local header at offset 0 that every central
# header points to (the check never follows them; zipfile would).
NAME = b"word/" + b"x" * 49  # 100 bytes per central header: 500,000 of them are 50 MB


def _local_header(name: bytes) -> bytes:
    return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name


def _central_header(name: bytes) -> bytes:
    fields = (20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, len(name), 0, 0, 0, 0, 0, 0)
    return struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", *fields) + name


def _zip_bytes(*, listed: int, claimed: int | None = None, zip64: bool = False) -> bytes:
    """A zip whose central directory holds `listed` headers and whose end record claims
    `claimed` entries (default: the truth)."""
    claimed = listed if claimed is None else claimed
    local = _local_header(NAME)
    directory = _central_header(NAME) * listed
    cd_offset, cd_size = len(local), len(directory)
    tail = b""
    if zip64:
        zip64_at = cd_offset + cd_size
        tail += struct.pack(
            "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, claimed, claimed, cd_size, cd_offset
        )
        tail += struct.pack("<4sLQL", b"PK\x06\x07", 0, zip64_at, 1)
        tail += struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0
        )
    else:
        tail += struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, claimed, claimed, cd_size, cd_offset, 0
        )
    return local + directory + tail


class CountingReader(io.RawIOBase):
    """A file that counts the bytes handed out, to bound what the check reads."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self.bytes_read += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._inner.seek(offset, whence)

    def tell(self) -> int:
        return self._inner.tell()


def as_file(reader: CountingReader) -> BinaryIO:
    return reader  # type: ignore[return-value]


def test_half_a_million_entries_are_refused_after_reading_only_the_end_records() -> None:
    # Given a 50 MB docx listing 500,000 entries (ZIP64 end records, as zip tools write)
    data = _zip_bytes(listed=500_000, zip64=True)
    assert len(data) > 50_000_000
    reader = CountingReader(data)
    # When its content is checked
    with pytest.raises(TooManyZipEntries):
        content_matches_extension("docx", as_file(reader))
    # Then only the end of the file was read (at most the last 64 KB and the ZIP64
    # record), nothing proportional to the entries, and the file is back at its start
    assert reader.bytes_read < 70_000
    assert reader.tell() == 0


def test_a_classic_end_record_over_the_limit_is_refused_just_as_cheaply() -> None:
    # Given a zip listing one entry more than allowed, without ZIP64 records
    reader = CountingReader(_zip_bytes(listed=MAX_ZIP_ENTRIES + 1))
    # Then it is refused from the end record alone
    with pytest.raises(TooManyZipEntries):
        content_matches_extension("zip", as_file(reader))
    assert reader.bytes_read < 70_000


def test_a_record_that_claims_few_entries_in_front_of_many_is_still_refused() -> None:
    # Given an end record that says 3 entries while the directory holds 20,000
    reader = CountingReader(_zip_bytes(listed=20_000, claimed=3))
    # Then the headers are counted one by one, stopping just past the limit
    with pytest.raises(TooManyZipEntries):
        zip_entries_check(as_file(reader))
    assert reader.bytes_read < 70_000 + (MAX_ZIP_ENTRIES + 1) * 46


def test_a_central_directory_larger_than_the_cap_is_refused_unread() -> None:
    # Given a record claiming one entry in a central directory bigger than the cap
    listed = MAX_ZIP_CENTRAL_DIRECTORY_BYTES // len(_central_header(NAME)) + 1
    reader = CountingReader(_zip_bytes(listed=listed, claimed=1))
    # Then it is refused before the directory is read
    with pytest.raises(TooManyZipEntries):
        zip_entries_check(as_file(reader))
    assert reader.bytes_read < 70_000


def test_a_zip_at_the_limit_is_accepted_and_read_by_zipfile() -> None:
    # Given a real zip (written by zipfile) with exactly the allowed number of entries
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(MAX_ZIP_ENTRIES):
            archive.writestr(f"word/{index}.xml", b"")
    # Then the check passes and the docx is recognised
    buffer.seek(0)
    zip_entries_check(buffer)
    assert content_matches_extension("docx", buffer)


def test_files_without_an_end_record_are_left_to_zipfile() -> None:
    # Given bytes that merely start like a zip
    reader = CountingReader(b"PK\x03\x04 not really a zip")
    # Then the count check does not object, and the content check says "not a zip"
    zip_entries_check(as_file(reader))
    assert content_matches_extension("zip", as_file(reader)) is False
