"""Which raster image a file holds, from its first bytes (no Django).

Pusat Bantuan's article images (knowledge/images.py) are accepted by what they are,
never by their names: PNG, JPEG, GIF and WebP, the formats every browser shows. SVG is
not one of them (it can hold script).
"""

from typing import BinaryIO

# Image type → (extension, content type served with it).
IMAGE_TYPES = {
    "png": ("png", "image/png"),
    "jpeg": ("jpg", "image/jpeg"),
    "gif": ("gif", "image/gif"),
    "webp": ("webp", "image/webp"),
}
HEAD_BYTES = 16


def image_type_of(head: bytes) -> str | None:
    """ "png", "jpeg", "gif" or "webp" when `head` (the first bytes) starts one; else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    return None


def image_type(fileobj: BinaryIO) -> str | None:
    """The image type of a file, read from its start (the position is put back to 0)."""
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(0)
    return image_type_of(head)
