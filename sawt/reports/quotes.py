"""One representative customer quote per gap category, chosen from the texts behind it."""

from __future__ import annotations

from collections.abc import Sequence

from sawt.textanalytics.arabic import normalize_arabic

# Enough texts to find a typical one; the choice is quadratic in this number.
SAMPLE = 120
MIN_WORDS, MAX_WORDS = 6, 60


def _tokens(text: str) -> frozenset[str]:
    return frozenset(w for w in normalize_arabic(text).split() if len(w) > 2)


def representative(texts: Sequence[str]) -> str | None:
    """The medoid: the text sharing the most words with the others (Jaccard), so the quote says
    what many customers said, not what one said unusually. Ties go to the earlier text, which
    keeps the choice deterministic for a given order of `texts`."""
    pool = [t.strip() for t in texts[:SAMPLE] if MIN_WORDS <= len(t.split()) <= MAX_WORDS]
    if not pool:
        pool = [t.strip() for t in texts[:SAMPLE] if t.strip()]
    if not pool:
        return None
    sets = [_tokens(t) for t in pool]

    def score(i: int) -> float:
        a = sets[i]
        total = 0.0
        for j, b in enumerate(sets):
            if i != j and (a or b):
                total += len(a & b) / len(a | b)
        return total

    best = max(range(len(pool)), key=lambda i: (score(i), -i))
    return pool[best]
