"""The in-memory prefix index that ranks help articles for Buat Tiket's suggestions."""

from hypothesis import given
from hypothesis import strategies as st

from lib.textsearch import words
from lib.wordindex import PrefixIndex

DOCUMENTS = [
    (1, "b", ("Gagal upload dokumen penawaran", "Periksa ukuran file")),
    (2, "a", ("Lupa password SPSE", "Reset kata sandi lewat email")),
    (3, "c", ("Jadwal tahapan", "Upload dokumen gagal karena jadwal sudah lewat")),
    (4, "d", ("Ganti email akun", "")),
]
INDEX = PrefixIndex(DOCUMENTS, (1.0, 0.4))


def test_any_word_matches_and_more_words_rank_higher() -> None:
    # 1 holds both words in its title (2.0); 3 holds both in its summary (0.8)
    assert INDEX.rank(["upload", "gagal"], k=5) == [1, 3]
    # One word of each: 1 (title) before 3 (summary)
    assert INDEX.rank(["upload"], k=5) == [1, 3]


def test_words_match_as_prefixes_accents_and_case_aside() -> None:
    assert INDEX.rank(["passw"], k=5) == [2]
    assert INDEX.rank(["emai"], k=5) == [4, 2]  # title beats summary
    assert INDEX.rank(["e"], k=5) == []  # one letter: only a whole word
    assert INDEX.rank(words("DOKUMÉN"), k=5) == [1, 3]


def test_equal_scores_follow_the_order_key_and_k_cuts() -> None:
    index = PrefixIndex([(5, "b", ("sama",)), (6, "a", ("sama",)), (7, "c", ("sama",))], (1.0,))
    assert index.rank(["sama"], k=2) == [6, 5]


def test_allowed_filters_before_the_cut() -> None:
    assert INDEX.rank(["upload"], k=1, allowed=lambda key: key != 1) == [3]


def test_nothing_for_no_words_or_unknown_words() -> None:
    assert INDEX.rank([], k=3) == []
    assert INDEX.rank(["zzz"], k=3) == []
    assert len(PrefixIndex([], (1.0,))) == 0


@given(st.lists(st.text(max_size=12), max_size=6))
def test_every_ranked_document_holds_a_word_that_begins_with_a_term(terms: list[str]) -> None:
    ranked = INDEX.rank(terms, k=10)
    assert len(ranked) == len(set(ranked))
    texts = {key: words(" ".join(parts)) for key, _order, parts in DOCUMENTS}
    for key in ranked:
        assert any(
            word == term or (len(term) >= 2 and word.startswith(term))
            for term in terms
            for word in texts[key]
        )
