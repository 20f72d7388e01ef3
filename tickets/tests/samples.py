"""Small but real files of every accepted type, for tests."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe"
    b"\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
RAR = b"Rar!\x1a\x07\x01\x00" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
RHS = b"\x8a\x11SPSE-encrypted-offer\x00\x01\x02" * 8


def zip_bytes(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


DOCX = zip_bytes(["[Content_Types].xml", "word/document.xml"])
XLSX = zip_bytes(["[Content_Types].xml", "xl/workbook.xml"])
ZIP = zip_bytes(["bukti/screenshot.txt"])

GOOD = {
    "bukti.png": PNG,
    "layar.jpg": JPEG,
    "surat.pdf": PDF,
    "lama.doc": OLE2,
    "lama.xls": OLE2,
    "baru.docx": DOCX,
    "baru.xlsx": XLSX,
    "arsip.zip": ZIP,
    "arsip.rar": RAR,
    "catatan.txt": b"Kronologi: gagal unggah pukul 09.58 WIB.\n",
    "penawaran.rhs": RHS,
}


def upload(
    name: str, content: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
