"""One representative customer quote per gap category, chosen from the texts behind it."""

from __future__ import annotations

from collections.abc import Sequence

from sawt.textanalytics.arabic import normalize_arabic

# Enough texts to find a typical one; the choice is quadratic in this number, and runs on
# every journey page (120 texts cost ~60 ms a page for six categories; 48 about a sixth).
SAMPLE = 48
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
    # Jaccard is symmetric: compute each pair once and credit both texts.
    scores = [0.0] * len(pool)
    for i, a in enumerate(sets):
        for j in range(i + 1, len(sets)):
            b = sets[j]
            union = len(a | b)
            if union:
                similarity = len(a & b) / union
                scores[i] += similarity
                scores[j] += similarity
    best = max(range(len(pool)), key=lambda i: (scores[i], -i))
    return pool[best]
