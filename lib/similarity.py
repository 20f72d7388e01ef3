"""How alike two short texts are, by the words they share (no Django).

Ticket titles and descriptions in Bahasa Indonesia: the words of `lib.textsearch` (lower
case, accents removed), without the function words every ticket has ("tidak", "bisa",
"yang") and without one- and two-letter words, compared as sets (Jaccard: shared words
over all words of both). Cheap enough to compare a ticket with a few hundred others in a
request; what counts as "alike" is the caller's threshold.
"""

from lib import textsearch

# At most this much of a text is read (a description may be long; its start says what
# the problem is).
MAX_TEXT = 2000

# Function words and the helpdesk's everyday words: shared by unrelated tickets.
_STOP_TEXT = """
    ada adalah agar akan aku anda apa apakah atau bagaimana bahwa banyak baru belum
    benar berapa bisa boleh bukan dalam dan dari dapat dengan di dia dong gak ga gimana
    hal hanya harus ini itu jadi jika juga kalau kami kan karena ke kenapa kok lagi lah
    mau masih mengapa mohon mulu nya oleh pada para sudah saat saja sama sampai sang
    sangat saya secara sedang selalu semua sempat seperti serta setelah sih tapi tetapi
    tersebut terus tidak tolong untuk yang ya yg tdk sdh utk dgn
    bantuan terima kasih mas mbak bapak ibu pak bu min admin tiket help
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def significant_words(text: str) -> frozenset[str]:
    """The words of `text` that say something about the problem."""
    return frozenset(
        word
        for word in textsearch.words(text[:MAX_TEXT])
        if len(word) > 2 and word not in STOP_WORDS
    )


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    """Shared words over all words of both (0 when either is empty)."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)
