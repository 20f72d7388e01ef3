"""Whether two short ticket texts look like the same problem, by the words they share.

Used while a reporter types on Buat Tiket ("Tiket serupa milik Anda"): the handful of
the reporter's own open tickets are compared in Python, so the rule is the same on
PostgreSQL and SQLite and costs nothing at scale (a reporter has few open tickets).

Words are cut by `lib/textsearch.py`; the common Indonesian function words and
helpdesk filler (*yang*, *tidak*, *mohon*, *bantuannya*, …) and words shorter than
three characters are dropped; each word is cut to its first six letters, which joins
the suffixed forms reporters write (*unggah*, *unggahan*, *unggahnya*; *penawaran*,
*penawarannya*). The score is the cosine of the two sets of word keys:
shared / sqrt(len(a) × len(b)), 0 to 1.
"""

import math
from collections.abc import Collection

from lib.textsearch import words

MIN_WORD_LENGTH = 3
# At most this much of a text is read (a long description says what it is about first).
MAX_TEXT = 2000
KEY_LENGTH = 6
# Two texts look alike when they share at least this many words ...
MIN_SHARED = 2
# ... and their score reaches this (1.0: the same words).
MIN_SCORE = 0.3

_STOPWORDS = """
    ada adalah agar akan aku anda apa apakah atas atau bagaimana bahwa bantu bantuan
    bantuannya banyak baru belum berapa bisa boleh buat bukan dalam dan dapat dari
    dengan di dia enggak gak ga gk hal hanya harus ini itu jadi jika juga kalau kami
    kamu kan karena kenapa ketika kita ko kok lagi lah mau masih mengapa mohon mulu
    nya oleh pada para pak bu saat saja sama sampai sangat saya sebagai sedang sejak
    selalu semua sendiri setelah sore pagi siang malam sudah supaya tapi telah terima
    kasih terus tersebut tetapi tidak tdk tolong untuk utk yang sy
"""
STOPWORDS = frozenset(_STOPWORDS.split())


def content_words(text: str) -> list[str]:
    """The distinct words of `text` that carry meaning, in order (not yet cut to keys)."""
    seen: dict[str, None] = {}
    for word in words(text[:MAX_TEXT]):
        if len(word) >= MIN_WORD_LENGTH and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)


def word_keys(text: str) -> frozenset[str]:
    """The set a text is compared by: its content words cut to KEY_LENGTH letters."""
    return frozenset(word[:KEY_LENGTH] for word in content_words(text))


def score(a: Collection[str], b: Collection[str]) -> float:
    """The cosine of two sets of word keys (0 when either is empty)."""
    if not a or not b:
        return 0.0
    shared = len(set(a) & set(b))
    return shared / math.sqrt(len(a) * len(b))


def looks_alike(a: Collection[str], b: Collection[str]) -> bool:
    """Whether two texts' word keys make them look like the same problem."""
    return len(set(a) & set(b)) >= MIN_SHARED and score(a, b) >= MIN_SCORE
