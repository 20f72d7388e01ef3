"""What the load benchmark's reporters type on Buat Tiket (scripts/bench_phrases.py)."""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from bench_phrases import MAX_WORDS, MIN_WORDS, PHRASES, typed_so_far

from reference.seed_data import APPLICATIONS


def test_every_seeded_application_has_problems_to_type() -> None:
    assert {code for code, *_rest in APPLICATIONS} <= set(PHRASES)


def test_texts_are_3_to_20_words_title_first() -> None:
    rng = random.Random(1)
    lengths = set()
    informal = 0
    for _ in range(2000):
        application = rng.choice([*PHRASES, "UNKNOWN"])
        title, description = typed_so_far(rng, application)
        words = (title + " " + description).split()
        assert MIN_WORDS <= len(words) <= MAX_WORDS
        assert 3 <= len(title.split()) <= 8
        lengths.add(len(words))
        informal += any(word in {"gak", "ga", "tdk", "udah", "yg", "utk"} for word in words)
    # The whole range is typed, and chat style now and then.
    assert len(lengths) >= 15
    assert 100 < informal < 1900


def test_the_same_seed_types_the_same() -> None:
    first = [typed_so_far(random.Random(9), "SPSE") for _ in range(3)]
    assert first == [typed_so_far(random.Random(9), "SPSE") for _ in range(3)]
