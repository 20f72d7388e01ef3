import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from lib.filetypes import content_matches_extension
from tickets.attachments import AttachmentError, attachment_check, attachment_storage_name
from tickets.tests import samples


@pytest.mark.parametrize(("name", "content"), list(samples.GOOD.items()))
def test_it_accepts_every_allowed_type_with_matching_content(name, content):
    checked = attachment_check(samples.upload(name, content))
    assert checked.display_name == name
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.pdf", samples.EXE),  # an .exe renamed to .pdf
        ("foto.jpg", samples.PNG),
        ("foto.png", samples.JPEG),
        ("surat.doc", samples.PDF),
        ("laporan.docx", samples.XLSX),  # a zip without word/
        ("laporan.xlsx", samples.DOCX),
        ("arsip.zip", b"PK\x03\x04 not really a zip"),
        ("arsip.rar", samples.ZIP),
        ("catatan.txt", b"teks\x00biner"),
        ("catatan.txt", b"\x81\x8d\x8f\x90\x9d\xff\xfe"),
        ("penawaran.rhs", samples.EXE),
        ("penawaran.rhs", samples.ELF),
    ],
)
def test_it_refuses_content_that_does_not_match_the_extension(name, content):
    with pytest.raises(AttachmentError, match="isi berkas tidak sesuai"):
        attachment_check(samples.upload(name, content))


@pytest.mark.parametrize("name", ["virus.exe", "skrip.sh", "halaman.html", "tanpa-ekstensi"])
def test_it_refuses_types_that_are_not_allowed(name):
    with pytest.raises(AttachmentError, match="tipe berkas tidak diizinkan"):
        attachment_check(samples.upload(name, samples.PDF))


def test_it_refuses_a_file_one_byte_over_50_mb(tmp_path, settings):
    # Given an uploaded file on disk of exactly 52,428,801 bytes (sparse, cheap to make)
    upload = TemporaryUploadedFile("besar.pdf", "application/pdf", 0, None)
    assert upload.file is not None
    upload.write(samples.PDF)
    upload.file.truncate(52_428_801)
    upload.size = 52_428_801
    upload.seek(0)
    # Then it is refused with the limit in the message
    with pytest.raises(AttachmentError, match="melebihi batas 50"):
        attachment_check(upload)
    # And exactly 50 MB is fine
    upload.file.truncate(52_428_800)
    upload.size = 52_428_800
    assert attachment_check(upload).size == 52_428_800


def test_it_refuses_an_empty_file():
    with pytest.raises(AttachmentError, match="kosong"):
        attachment_check(samples.upload("kosong.txt", b""))


def test_unsafe_names_are_cleaned_not_refused():
    checked = attachment_check(samples.upload("../../etc/\u202ebukti\x07 unggah.pdf", samples.PDF))
    assert checked.display_name == "bukti unggah.pdf"


def test_storage_names_follow_the_pattern():
    name = attachment_storage_name(
        ticket_number="SPSE-20261128-00042", sequence=3, display_name="Bukti Unggah (1).PDF"
    )
    # A folder per ticket, then a part unique to this write before the visible name
    folder, key = name.rsplit("/", 1)
    assert folder.endswith("/SPSE-20261128-00042")
    unique, visible = key.split("_", 1)
    assert len(unique) == 32 and int(unique, 16) >= 0
    assert visible == "SPSE-20261128-00042_03_bukti-unggah-1.pdf"


def test_content_check_leaves_the_file_at_its_start():
    upload = SimpleUploadedFile("baru.docx", samples.DOCX)
    assert upload.file is not None
    assert content_matches_extension("docx", upload.file)  # type: ignore[arg-type]
    assert upload.file.tell() == 0


def test_an_office_file_listing_too_many_entries_is_refused_with_a_clear_message():
    # Given a docx whose end record lists 70,000 entries (the central directory itself
    # is never read, so it need not be there)
    tail = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 65_000, 65_000, 0, 30, 0)
    upload = samples.upload("laporan.docx", b"PK\x03\x04" + b"\x00" * 26 + tail)
    # Then it is refused in Indonesian, naming the file and the limit
    with pytest.raises(AttachmentError, match=r"laporan\.docx berisi lebih dari 10\.000 entri"):
        attachment_check(upload)
