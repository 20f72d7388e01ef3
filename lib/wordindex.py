"""A small in-memory prefix index of short texts, ranked by the words of a typed text.

Buat Tiket's suggestions (knowledge/suggest.py) rank the published help articles by the
words the reporter has typed so far, on every pause in typing. A few thousand articles'
titles and summaries fit in a few megabytes: ranking them here takes about a
millisecond, where the database's ranked full-text search over every matching article
took most of the suggestions' time (docs/performance.md).

The words are those of `lib/textsearch.py` (lower case, no accents), and a query word of
`textsearch.MIN_PREFIX_LENGTH` letters or more matches as a prefix, as the searches do.
A document scores, for each query word it holds, the weight of the best part holding it
(the title weighs more than the summary); the highest total first, then by the order key
given with the document. No Django.
"""

import bisect
import heapq
from collections.abc import Callable, Iterable, Sequence

from lib.textsearch import MIN_PREFIX_LENGTH, words


class PrefixIndex:
    """Documents (a key, an order key and the texts of their parts), ranked by words."""

    def __init__(
        self,
        documents: Iterable[tuple[int, str, Sequence[str]]],
        weights: Sequence[float],
    ) -> None:
        postings: dict[str, dict[int, float]] = {}
        self._order: dict[int, str] = {}
        for key, order, parts in documents:
            self._order[key] = order
            for weight, text in zip(weights, parts, strict=False):
                for word in set(words(text)):
                    held = postings.setdefault(word, {})
                    if held.get(key, 0.0) < weight:
                        held[key] = weight
        self._postings = postings
        self._vocabulary = sorted(postings)

    def __len__(self) -> int:
        return len(self._order)

    def _matching(self, term: str) -> list[str]:
        """The indexed words `term` matches: itself, and those it begins when long enough."""
        if len(term) < MIN_PREFIX_LENGTH:
            return [term] if term in self._postings else []
        start = bisect.bisect_left(self._vocabulary, term)
        found = []
        for word in self._vocabulary[start:]:
            if not word.startswith(term):
                break
            found.append(word)
        return found

    def rank(
        self, terms: Iterable[str], *, k: int, allowed: Callable[[int], bool] | None = None
    ) -> list[int]:
        """The keys of the (at most `k`) best documents holding any of `terms`."""
        scores: dict[int, float] = {}
        for term in dict.fromkeys(terms):
            best: dict[int, float] = {}
            for word in self._matching(term):
                for key, weight in self._postings[word].items():
                    if best.get(key, 0.0) < weight:
                        best[key] = weight
            for key, weight in best.items():
                scores[key] = scores.get(key, 0.0) + weight
        order = self._order
        ranked = [(-score, order[key], key) for key, score in scores.items()]
        if allowed is None:
            return [key for _score, _order, key in heapq.nsmallest(k, ranked)]
        # Best first until k are allowed: `allowed` is asked of a few, not of every match.
        heapq.heapify(ranked)
        found: list[int] = []
        while ranked and len(found) < k:
            key = heapq.heappop(ranked)[2]
            if allowed(key):
                found.append(key)
        return found
