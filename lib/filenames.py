"""Cleaning of user-supplied file names (no Django)."""

import re
import unicodedata

MAX_NAME_LENGTH = 150
_SLUG_MAX = 60
_FALLBACK = "lampiran"


def _drop_unsafe_characters(value: str) -> str:
    # Cc: control characters; Cf: format characters such as U+202E (right-to-left
    # override), which can disguise "gpj.exe" as "exe.jpg".
    return "".join(ch for ch in value if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"})


def split_extension(name: str) -> tuple[str, str]:
    """Split "Laporan.Final.PDF" into ("Laporan.Final", "pdf")."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return name, ""
    return stem, ext.lower()


def clean_filename(name: str) -> str:
    """Return a display-safe version of an uploaded file's name.

    Path parts ("../", "C:\\"), control and direction characters are removed, spaces
    collapsed and very long names shortened while keeping the extension.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _drop_unsafe_characters(name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    stem, ext = split_extension(name)
    if not stem.strip(" ."):
        stem = _FALLBACK
    if len(name) > MAX_NAME_LENGTH:
        room = MAX_NAME_LENGTH - (len(ext) + 1 if ext else 0)
        stem = stem[:room].rstrip(" .")
    return f"{stem}.{ext}" if ext else stem


def slugify_stem(stem: str) -> str:
    """ASCII slug of a file's stem for storage names ("Bukti Upload (1)" → "bukti-upload-1")."""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")
    return slug[:_SLUG_MAX].strip("-") or _FALLBACK
