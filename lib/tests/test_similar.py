"""`lib/similar.py`: when two ticket texts look like the same problem."""

from lib import similar


def test_filler_words_and_short_words_do_not_count():
    assert similar.content_words("Mohon bantuannya, saya tidak bisa upload di SPSE ya") == [
        "upload",
        "spse",
    ]


def test_suffixed_forms_share_a_key():
    assert similar.word_keys("unggahan penawarannya") == similar.word_keys("unggah penawaran")


def test_the_same_problem_in_other_words_looks_alike():
    a = similar.word_keys("Gagal upload dokumen penawaran")
    b = similar.word_keys("Dokumen penawaran gagal diupload terus sejak pagi")
    assert similar.looks_alike(a, b)
    assert 0 < similar.score(a, b) <= 1


def test_one_shared_word_is_not_enough():
    a = similar.word_keys("Gagal upload dokumen penawaran")
    b = similar.word_keys("Lupa password, login gagal")
    assert not similar.looks_alike(a, b)


def test_empty_texts_look_like_nothing():
    assert similar.score(frozenset(), similar.word_keys("gagal upload")) == 0.0
    assert not similar.looks_alike(frozenset(), frozenset())


def test_only_the_start_of_a_long_text_is_read():
    text = "awal " + "x" * similar.MAX_TEXT + " akhirnya"
    assert "akhirn" not in similar.word_keys(text)
