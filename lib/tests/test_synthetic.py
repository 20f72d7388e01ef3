"""The synthetic data's building blocks: deterministic, skewed the way real data is."""

import random
from collections import Counter

from lib.synthetic import (
    COMMON_WORDS,
    VOCABULARY,
    WordModel,
    company_name,
    person_name,
    reporter_ticket_counts,
    ticket_times,
    weighted_index,
)


def test_vocabulary_starts_with_the_common_words_and_has_a_long_tail():
    assert VOCABULARY[:4] == ["tender", "penawaran", "dokumen", "paket"]
    assert len(VOCABULARY) == len(set(VOCABULARY))
    assert len(VOCABULARY) > 10 * len(set(COMMON_WORDS))


def test_words_are_deterministic_per_seed():
    model = WordModel()
    assert model.words(random.Random(7), 50) == model.words(random.Random(7), 50)
    assert model.words(random.Random(7), 50) != model.words(random.Random(8), 50)


def test_word_frequencies_follow_zipf():
    model = WordModel()
    rng = random.Random(1)
    documents = [set(model.words(rng, 30)) for _ in range(2000)]
    containing = Counter(word for document in documents for word in document)
    # The top word is in nearly every document; most of the vocabulary in under 1 %.
    assert containing["tender"] / len(documents) > 0.9
    rare = sum(1 for word in VOCABULARY if containing[word] < 0.01 * len(documents))
    assert rare / len(VOCABULARY) > 0.8
    assert model.probability(1) > 10 * model.probability(50)
    assert abs(sum(model.probability(r) for r in range(1, len(VOCABULARY) + 1)) - 1) < 1e-9


def test_reporter_counts_sum_up_are_capped_and_mostly_small():
    counts = reporter_ticket_counts(random.Random(3), 200_000, cap=2000)
    assert sum(counts) == 200_000
    assert max(counts) <= 2000
    assert min(counts) >= 1
    small = sum(1 for c in counts if c <= 5)
    assert small / len(counts) > 0.75
    assert max(counts) > 100  # a long tail
    assert counts == reporter_ticket_counts(random.Random(3), 200_000, cap=2000)


def test_ticket_times_are_sorted_inside_the_period_and_grow():
    start, end = 1_700_000_000.0, 1_700_000_000.0 + 730 * 86400
    times = ticket_times(random.Random(5), 20_000, start=start, end=end)
    assert times == sorted(times)
    assert start <= times[0] and times[-1] < end
    middle = (start + end) / 2
    first_year = sum(1 for t in times if t < middle)
    assert first_year < len(times) - first_year  # volume grows over the period
    assert times == ticket_times(random.Random(5), 20_000, start=start, end=end)


def test_weighted_index_and_names():
    rng = random.Random(11)
    picks = Counter(weighted_index(rng, [1, 3, 10]) for _ in range(5000))
    assert set(picks) == {0, 1, 2}
    assert picks[2] > picks[1] > picks[0]
    assert person_name(random.Random(1)) == person_name(random.Random(1))
    assert company_name(random.Random(2)).split()[0] in {"PT", "CV", "UD", "Koperasi"}
