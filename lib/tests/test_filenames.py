from hypothesis import given, settings
from hypothesis import strategies as st

from lib.filenames import MAX_NAME_LENGTH, clean_filename, slugify_stem, split_extension


def test_it_drops_path_parts():
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("C:\\Users\\budi\\bukti.pdf") == "bukti.pdf"


def test_it_drops_control_and_direction_characters():
    # U+202E would display "bukti\u202efdp.exe" as "buktiexe.pdf".
    assert clean_filename("bukti\u202efdp.exe") == "buktifdp.exe"
    assert clean_filename("la\x00po\nran\t.pdf") == "laporan.pdf"


def test_it_keeps_the_extension_of_very_long_names():
    name = clean_filename("a" * 400 + ".pdf")
    assert len(name) == MAX_NAME_LENGTH
    assert name.endswith(".pdf")


def test_it_never_returns_an_empty_or_hidden_name():
    assert clean_filename("") == "lampiran"
    assert clean_filename("..") == "lampiran"
    assert clean_filename(".pdf") == "lampiran.pdf" or clean_filename(".pdf") == "pdf"


def test_slug_is_ascii():
    assert slugify_stem("Bukti Unggah (Final) – Ǆ") == "bukti-unggah-final-dz"
    assert slugify_stem("日本語") == "lampiran"


def test_split_extension_lowercases():
    assert split_extension("Laporan.Final.PDF") == ("Laporan.Final", "pdf")
    assert split_extension("README") == ("README", "")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_cleaned_names_are_always_safe(raw):
    name = clean_filename(raw)
    assert name
    assert "/" not in name and "\\" not in name
    assert not name.startswith(".")
    assert len(name) <= MAX_NAME_LENGTH
    assert all(ord(ch) >= 32 and ch not in "\u202e\u202d\u200f\u200e" for ch in name)
