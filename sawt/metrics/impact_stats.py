"""Did a recommendation work? The tests and verdict rules, as pure functions: no database.

sawt.metrics.impact reads the counts (answers per score, complaints and service transactions per
period) and calls these; docs/impact.md explains the method.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

IMPROVED, NO_CHANGE, WORSE, TOO_EARLY = "improved", "no_change", "worse", "too_early"
VERDICTS = (IMPROVED, NO_CHANGE, WORSE, TOO_EARLY)
# A verdict a decision can rest on: the change was tested (significant or not).
TESTED = (IMPROVED, NO_CHANGE, WORSE)


def merge_counts(counts: Iterable[Mapping[int, int]]) -> dict[int, int]:
    """Answers per score of several periods (or items) as one sample: counts are sufficient
    statistics, so pooling them is adding them."""
    merged: dict[int, int] = {}
    for one in counts:
        for score, c in one.items():
            merged[score] = merged.get(score, 0) + c
    return merged


def poisson_rate_test(events1: int, exposure1: float, events2: int, exposure2: float) -> float:
    """Two-sided p-value that two Poisson rates (events per exposure) are equal.

    The exact conditional test: given the total k = events1 + events2, events2 follows a
    Binomial(k, exposure2 / (exposure1 + exposure2)) when the rates are equal."""
    if exposure1 <= 0 or exposure2 <= 0:
        raise ValueError("each side needs a positive exposure")
    total = events1 + events2
    if total == 0:
        return 1.0  # no event on either side: no evidence of any difference
    from scipy.stats import binomtest  # imported here: SciPy is slow to load (see stats.py)

    share = exposure2 / (exposure1 + exposure2)
    return float(binomtest(events2, total, share, alternative="two-sided").pvalue)


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (x successes out of n, each side);
    the same as statsmodels' proportions_ztest with its default pooled variance."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("each side needs at least one observation")
    pooled = (x1 + x2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var == 0:
        return 1.0  # every observation alike on both sides: the shares are equal
    from scipy.special import ndtr

    z = (x2 / n2 - x1 / n1) / math.sqrt(var)
    return min(1.0, 2 * float(ndtr(-abs(z))))


def measure_verdict(
    difference: float | None, p_value: float | None, *, higher_is_better: bool, alpha: float
) -> str:
    """`improved` or `worse` for a significant change (by its direction), `no_change` for a
    tested one that is not, `too_early` when nothing could be tested."""
    if difference is None or p_value is None:
        return TOO_EARLY
    if p_value >= alpha or difference == 0:
        return NO_CHANGE
    return IMPROVED if (difference > 0) == higher_is_better else WORSE


def recommendation_verdict(verdicts: Iterable[str]) -> str:
    """A recommendation's verdict from its measures': `worse` if any got worse (one harm is
    enough to look again), else `improved` if any improved, else `no_change` if at least one
    was tested, else `too_early` (nothing testable yet, or nothing to test)."""
    found = set(verdicts)
    if WORSE in found:
        return WORSE
    if IMPROVED in found:
        return IMPROVED
    if NO_CHANGE in found:
        return NO_CHANGE
    return TOO_EARLY
