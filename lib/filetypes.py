"""Checks that a file's content matches its extension's family (no Django).

Only the families LPSE Support accepts are known here; anything else is refused by
the caller before the content is looked at.
"""

import codecs
import zipfile
from typing import BinaryIO

ALLOWED_EXTENSIONS = (
    "jpg", "jpeg", "png", "txt", "doc", "docx", "xls", "xlsx", "pdf", "zip", "rar", "rhs",
)  # fmt: skip

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


def _head(fileobj: BinaryIO, size: int = 2048) -> bytes:
    fileobj.seek(0)
    data = fileobj.read(size)
    fileobj.seek(0)
    return data


def _zip_names(fileobj: BinaryIO) -> list[str] | None:
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
    """True when the bytes of `fileobj` belong to the family its extension names."""
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
