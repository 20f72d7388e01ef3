"""Checks that a file's content matches its extension's family (no Django).

Only the families LPSE Support accepts are known here; anything else is refused by
the caller before the content is looked at.
"""

import codecs
import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

# The file types LPSE Support accepts, in the order the pages list them: extension →
# the content type a download is served with. The one list of allowed extensions.
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "txt": "text/plain",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "rhs": "application/octet-stream",
}
ALLOWED_EXTENSIONS = tuple(CONTENT_TYPES)

_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_RAR = (b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00")
_EXECUTABLES = (
    b"MZ",  # Windows PE
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
)
_CHUNK = 1024 * 1024

# An office file or zip may list at most this many entries. zipfile.ZipFile builds one
# object per entry of the central directory as soon as it is opened, so a small file
# listing half a million empty entries costs seconds and hundreds of MB: the count is
# read from the end-of-central-directory record first, with a few bounded reads.
MAX_ZIP_ENTRIES = 10_000
# zipfile reads the whole central directory into memory and parses entries until its
# declared size is used up, whatever count the record claims: bound the size too.
# 10,000 entries with 1.6 KB of name, extra field and comment each still fit.
MAX_ZIP_CENTRAL_DIRECTORY_BYTES = 16 * 1024 * 1024

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_CENTRAL_HEADER_SIGNATURE = b"PK\x01\x02"
_MAX_COMMENT = 65_535


class TooManyZipEntries(ValueError):
    """The zip's central directory is larger than we are willing to parse."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} zip entries")
        self.limit = limit


@dataclass(frozen=True)
class _Directory:
    entries: int
    size: int
    start: int


def _zip_directory(fileobj: BinaryIO) -> _Directory | None:
    """Where the central directory is and what it claims, from the end of the file.

    Reads at most the last 64 KB (the record plus the longest comment) and, for ZIP64,
    the 56-byte ZIP64 record: never anything proportional to the number of entries.
    None when there is no record (zipfile then refuses the file as not a zip).
    """
    end = fileobj.seek(0, 2)
    tail_size = min(end, _EOCD.size + _MAX_COMMENT)
    fileobj.seek(end - tail_size)
    tail = fileobj.read(tail_size)
    at = tail.rfind(_EOCD_SIGNATURE)
    if at < 0 or len(tail) - at < _EOCD.size:
        return None
    record_pos = end - tail_size + at
    (_sig, _disk, _cd_disk, on_disk, entries, size, offset, _comment) = _EOCD.unpack_from(tail, at)
    entries = max(entries, on_disk)
    if (entries == 0xFFFF or size == 0xFFFFFFFF or offset == 0xFFFFFFFF) and (
        record_pos >= _ZIP64_LOCATOR.size
    ):
        fileobj.seek(record_pos - _ZIP64_LOCATOR.size)
        locator = fileobj.read(_ZIP64_LOCATOR.size)
        if len(locator) == _ZIP64_LOCATOR.size and locator.startswith(_ZIP64_LOCATOR_SIGNATURE):
            # zipfile finds the ZIP64 record just before the locator; so do we.
            record_pos -= _ZIP64_LOCATOR.size + _ZIP64_EOCD.size
            if record_pos < 0:
                return None
            fileobj.seek(record_pos)
            record = fileobj.read(_ZIP64_EOCD.size)
            if len(record) != _ZIP64_EOCD.size or not record.startswith(_ZIP64_EOCD_SIGNATURE):
                return None
            fields = _ZIP64_EOCD.unpack(record)
            entries, size = max(fields[6], fields[7]), fields[8]
    return _Directory(entries=entries, size=size, start=max(record_pos - size, 0))


def _central_headers_exceed(fileobj: BinaryIO, directory: _Directory, limit: int) -> bool:
    """Count the central directory's headers, one 46-byte read each, stopping past
    `limit`: a record claiming few entries in front of many cannot slip through."""
    position, end, count = directory.start, directory.start + directory.size, 0
    while position < end:
        fileobj.seek(position)
        header = fileobj.read(_CENTRAL_HEADER.size)
        if len(header) < _CENTRAL_HEADER.size or not header.startswith(_CENTRAL_HEADER_SIGNATURE):
            return False  # not a central directory: zipfile refuses it as a bad zip
        fields = _CENTRAL_HEADER.unpack(header)
        position += _CENTRAL_HEADER.size + fields[12] + fields[13] + fields[14]
        count += 1
        if count > limit:
            return True
    return False


def zip_entries_check(fileobj: BinaryIO, limit: int = MAX_ZIP_ENTRIES) -> None:
    """Raise TooManyZipEntries before anything builds a per-entry list of this zip."""
    try:
        directory = _zip_directory(fileobj)
        if directory is None:
            return
        if directory.entries > limit or directory.size > MAX_ZIP_CENTRAL_DIRECTORY_BYTES:
            raise TooManyZipEntries(limit)
        if _central_headers_exceed(fileobj, directory, limit):
            raise TooManyZipEntries(limit)
    finally:
        fileobj.seek(0)


def _head(fileobj: BinaryIO, size: int = 2048) -> bytes:
    fileobj.seek(0)
    data = fileobj.read(size)
    fileobj.seek(0)
    return data


def _zip_names(fileobj: BinaryIO) -> list[str] | None:
    zip_entries_check(fileobj)
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        fileobj.seek(0)


def _is_text(fileobj: BinaryIO) -> bool:
    # Decoded in chunks so that a large text file is never read whole into memory.
    fileobj.seek(0)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    utf8_ok = cp1252_ok = True
    try:
        while chunk := fileobj.read(_CHUNK):
            if b"\x00" in chunk:
                return False
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if cp1252_ok:
                try:
                    cp1252.decode(chunk)
                except UnicodeDecodeError:
                    cp1252_ok = False
            if not (utf8_ok or cp1252_ok):
                return False
        if utf8_ok:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
        return utf8_ok or cp1252_ok
    finally:
        fileobj.seek(0)


def content_matches_extension(extension: str, fileobj: BinaryIO) -> bool:
    """True when the bytes of `fileobj` belong to the family its extension names.

    Raises TooManyZipEntries for an office file or zip that lists too many entries.
    """
    extension = extension.lower()
    head = _head(fileobj)
    if extension in {"jpg", "jpeg"}:
        return head.startswith(_JPEG)
    if extension == "png":
        return head.startswith(_PNG)
    if extension == "pdf":
        # Some generators put a few bytes before the header; readers accept it in the
        # first kilobyte.
        return b"%PDF-" in head[:1024]
    if extension in {"doc", "xls"}:
        return head.startswith(_OLE2)
    if extension in {"docx", "xlsx"}:
        if not head.startswith(_ZIP):
            return False
        names = _zip_names(fileobj)
        prefix = "word/" if extension == "docx" else "xl/"
        return names is not None and any(name.startswith(prefix) for name in names)
    if extension == "zip":
        return head.startswith(_ZIP) and _zip_names(fileobj) is not None
    if extension == "rar":
        return head.startswith(_RAR)
    if extension == "txt":
        return _is_text(fileobj)
    if extension == "rhs":
        # SPSE's encrypted offer file has no signature of its own: accept anything
        # that is not an executable.
        return bool(head) and not head.startswith(_EXECUTABLES)
    return False
