from hypothesis import given
from hypothesis import strategies as st

from lib import textsearch


def test_words_are_lower_case_letters_and_digits_without_accents():
    assert textsearch.words("Dokumen-Penawaran (v4.5) gagal!") == [
        "dokumen", "penawaran", "v4", "5", "gagal",
    ]  # fmt: skip
    assert textsearch.words("Müller Ñandú café") == ["muller", "nandu", "cafe"]
    assert textsearch.words("SPSE-20261128-00042") == ["spse", "20261128", "00042"]
    assert textsearch.words("a_b") == ["a", "b"]
    assert textsearch.words("x" * 61 + " ok") == ["ok"]


def test_query_words_are_distinct_and_few():
    assert textsearch.query_words("tender Tender TENDER gagal") == ["tender", "gagal"]
    many = " ".join(f"w{i}" for i in range(20))
    assert len(textsearch.query_words(many)) == textsearch.MAX_QUERY_WORDS


def test_queries_match_prefixes_except_single_characters():
    assert textsearch.tsquery(["tender", "a"]) == "'tender':* & 'a'"
    assert textsearch.tsquery(["tender"], weights="A") == "'tender':*A"
    assert textsearch.fts5_query(["tender", "a"]) == '"tender"* AND "a"'
    assert textsearch.fts5_query(["tender"], column="title") == 'title : ("tender"*)'


def test_a_query_may_ask_for_any_of_its_words():
    assert textsearch.tsquery(["tender", "a"], any_word=True) == "'tender':* | 'a'"
    assert textsearch.fts5_query(["tender", "a"], any_word=True) == '"tender"* OR "a"'


def test_the_vector_literal_carries_positions_and_weights():
    literal = textsearch.tsvector([("A", "Gagal upload"), ("C", "upload gagal lagi")])
    assert literal == "'gagal':1A,4C 'upload':2A,3C 'lagi':5C"
    assert textsearch.tsvector([("D", "x")], start=7) == "'x':8D"
    assert textsearch.tsvector([("A", "")]) == ""


def test_the_vector_literal_stays_within_postgresql_limits():
    literal = textsearch.tsvector([("D", "kata " * 20_000)])
    positions = literal.split(":", 1)[1].split(",")
    assert len(positions) == textsearch.MAX_POSITIONS_PER_WORD
    long = textsearch.tsvector([("D", "a " * 20_000 + "akhir")])
    assert long.endswith(f"'akhir':{textsearch.MAX_POSITION}D")


@given(st.text())
def test_words_never_contain_quotes_spaces_or_operators(text):
    for word in textsearch.words(text):
        assert word and word == word.casefold()
        assert not set(word) & set("'\"\\:*&|!()<> \t\n-_")
