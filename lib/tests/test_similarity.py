"""lib/similarity.py: the words that say something, and how alike two sets are."""

from hypothesis import given
from hypothesis import strategies as st

from lib.similarity import MAX_TEXT, STOP_WORDS, jaccard, significant_words


def test_function_words_and_short_words_say_nothing():
    assert significant_words("Saya tidak bisa upload di SPSE yang baru") == {"upload", "spse"}


def test_words_are_compared_without_case_or_accents():
    assert significant_words("Dokumen PENAWARAN") == significant_words("dokumen penawaran")
    assert significant_words("café") == {"cafe"}


def test_only_the_start_of_a_long_text_is_read():
    text = "awal " + "x" * MAX_TEXT + " akhir"
    assert "akhir" not in significant_words(text)


def test_jaccard_of_known_sets():
    upload = significant_words("Gagal upload dokumen penawaran")
    assert jaccard(upload, upload) == 1.0
    assert jaccard(upload, significant_words("Upload dokumen gagal")) == 3 / 4
    assert jaccard(upload, frozenset()) == 0.0
    assert jaccard(upload, significant_words("Lupa kata sandi")) == 0.0


@given(st.text(max_size=300), st.text(max_size=300))
def test_any_texts_give_a_symmetric_share_between_zero_and_one(first, second):
    a, b = significant_words(first), significant_words(second)
    assert 0.0 <= jaccard(a, b) == jaccard(b, a) <= 1.0
    assert not (a & STOP_WORDS)
