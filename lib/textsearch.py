"""Words of a text for full-text search, the same on PostgreSQL and on SQLite.

The text is cut into words here, in Python, and both databases only store and match
those words: PostgreSQL as a `tsvector` (literal built below, configuration `simple`),
SQLite in an FTS5 table. So a ticket matches the same queries on both.

Words are lower-case letters and digits with accents removed (`Dokumen-Penawaran` →
`dokumen`, `penawaran`; `Müller` → `muller`); a ticket number or a code splits at its
dashes (`SPSE-20261128-00042` → `spse`, `20261128`, `00042`). Every query word matches
as a prefix (`unggah` finds `unggahan`, `0004` finds `00042`), which also catches the
Indonesian suffixes (-an, -kan, -nya, -lah). There is no stemming: the Snowball
Indonesian stemmer conflates `pengadaan` with `ada` and `penyedia` with `tersedia`,
which floods a helpdesk search with noise.
"""

import re
import unicodedata
from collections.abc import Iterable

# PostgreSQL's limits: positions 1..16383, at most 256 positions per lexeme, lexemes
# under 2 KiB. Longer "words" (pasted hashes, base64) are not worth finding.
MAX_POSITION = 16383
MAX_POSITIONS_PER_WORD = 256
MAX_WORD_LENGTH = 60
# A query uses at most this many words (the rest is ignored) ...
MAX_QUERY_WORDS = 8
# ... and a one-letter word matches only itself, never as a prefix of everything.
MIN_PREFIX_LENGTH = 2

WEIGHTS = ("A", "B", "C", "D")

_WORD = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """Lower case without accents: what both databases store and match."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    """The searchable words of `text`, in order."""
    return [w for w in _WORD.findall(normalize(text)) if len(w) <= MAX_WORD_LENGTH]


def joined(text: str) -> str:
    """The words of `text` separated by spaces (what the SQLite index stores)."""
    return " ".join(words(text))


def query_words(text: str) -> list[str]:
    """The words of a query: distinct, in order, at most MAX_QUERY_WORDS."""
    seen: dict[str, None] = {}
    for word in words(text):
        seen.setdefault(word, None)
    return list(seen)[:MAX_QUERY_WORDS]


def _is_prefix(word: str) -> bool:
    return len(word) >= MIN_PREFIX_LENGTH


def tsquery(terms: list[str], *, weights: str = "", any_word: bool = False) -> str:
    """A PostgreSQL `to_tsquery('simple', …)` text: every word, as a prefix (`'x':*`).

    `weights` restricts the match to parts of the document (`"A"`: the title only);
    `any_word`: one of the words is enough (suggestions from text typed in a form).
    """
    parts = []
    for word in terms:
        marker = ("*" if _is_prefix(word) else "") + weights
        parts.append(f"'{word}'" + (f":{marker}" if marker else ""))
    return (" | " if any_word else " & ").join(parts)


def fts5_query(terms: list[str], *, column: str = "", any_word: bool = False) -> str:
    """An FTS5 MATCH expression with the same meaning as `tsquery`."""
    expression = (" OR " if any_word else " AND ").join(
        f'"{word}"' + ("*" if _is_prefix(word) else "") for word in terms
    )
    return f"{column} : ({expression})" if column else expression


def tsvector(parts: Iterable[tuple[str, str]], *, start: int = 0) -> str:
    """A PostgreSQL `tsvector` literal of weighted texts: ``[("A", title), ("C", body)]``.

    Positions count from `start` + 1 so that a literal appended to a stored vector
    (`||` shifts them anyway) stays in order.
    """
    positions: dict[str, list[str]] = {}
    position = start
    for weight, text in parts:
        assert weight in WEIGHTS
        for word in words(text):
            position = min(position + 1, MAX_POSITION)
            found = positions.setdefault(word, [])
            if len(found) < MAX_POSITIONS_PER_WORD:
                found.append(f"{position}{weight}")
    # Words are letters and digits only: nothing to escape inside the quotes.
    return " ".join(f"'{word}':{','.join(found)}" for word, found in positions.items())
