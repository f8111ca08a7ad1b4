"""Pure statistics over sufficient statistics: no database, no Django.

Scores are small integers, so the count of answers at each scale point is a sufficient
statistic: n, Σx and Σx² all follow from it, and counts from different periods or segments
merge by addition. The database only ever returns those counts (see selectors.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class ItemStats:
    """The measurement of one scored item: the figures the summary and the report show."""

    n: int
    mean: float | None
    sd: float | None
    ci95: tuple[float, float] | None
    # The share in the scale's top box: its top two points on a scale of five points or more,
    # its highest point on a shorter one (see top_box_points). Named top2 for compatibility.
    top2: float | None
    distribution: dict[str, int]
    # Fewer answers than the minimum base: no interval is given (see item_stats).
    low_base: bool = False
    top_box_points: int = 2


def scored_scale(low: int | None, high: int | None) -> tuple[int, int]:
    """A scored item's lowest and highest points. The database holds them for every kind but
    text (a check constraint), so a missing one is a bug, not bad data."""
    if low is None or high is None:
        raise ValueError("a scored item needs both ends of its scale")
    return low, high


def t_quantile(df: int, level: float = 0.95) -> float:
    """Two-sided Student t critical value, e.g. 1.9693 for df = 255 at 95 %."""
    # Imported here: SciPy (with NumPy) takes ~0.2 s to load, and the command line and the URL
    # map import this module without computing anything. scipy.special, not scipy.stats: the
    # same quantile, at a third of the import cost.
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.5 + level / 2))


def fpc(n: int, population: int | None) -> float:
    """Finite population correction √((N−n)/(N−1)); 1 when the population is unknown."""
    if not population:
        return 1.0
    if population <= 1 or n >= population:
        return 0.0  # a census: no sampling error left
    return math.sqrt((population - n) / (population - 1))


def top_box_points(scale: tuple[int, int]) -> int:
    """How many of a scale's highest points make its top box: two on a scale of five points or
    more (4–5 on 1–5, 9–10 on 0–10), the highest alone on a shorter one (on a yes/no item the
    top two points are every answer, and the share would always be 100 %)."""
    lo, hi = scale
    return 2 if hi - lo + 1 >= 5 else 1


def top_box(counts: Mapping[int, int], scale: tuple[int, int]) -> float | None:
    """Share of answers in the scale's top box (see top_box_points); None without answers."""
    n = sum(counts.values())
    if n == 0:
        return None
    cut = scale[1] - top_box_points(scale) + 1
    return sum(c for score, c in counts.items() if score >= cut) / n


def clip(interval: tuple[float, float], scale: tuple[float, float]) -> tuple[float, float]:
    """An interval kept inside the scale: no mean can lie below its lowest point or above its
    highest, so a bound past them says nothing true."""
    lo, hi = scale
    return max(lo, min(hi, interval[0])), max(lo, min(hi, interval[1]))


def item_stats(
    counts: Mapping[int, int],
    scale: tuple[int, int],
    population: int | None = None,
    *,
    min_n: int = 2,
) -> ItemStats:
    """Mean, sd (ddof=1), 95 % t interval (FPC only with a known population, clipped to the
    scale), top-box share and the full distribution from the count of answers at each point.

    Below `min_n` answers (the caller passes settings.SAWT_MIN_N) the item is a low base and
    gets no interval: a t interval on two answers spans far more than the scale."""
    lo, hi = scale
    distribution = {str(point): int(counts.get(point, 0)) for point in range(lo, hi + 1)}
    points = top_box_points(scale)
    n = sum(counts.values())
    low_base = n < min_n
    if n == 0:
        return ItemStats(0, None, None, None, None, distribution, low_base, points)
    total = sum(score * c for score, c in counts.items())
    mean = total / n
    # Σ(x−mean)² from the counts directly: numerically safer than Σx² − n·mean².
    ss = sum(c * (score - mean) ** 2 for score, c in counts.items())
    share = top_box(counts, scale)
    if n < 2:
        return ItemStats(n, mean, None, None, share, distribution, low_base, points)
    sd = math.sqrt(ss / (n - 1))
    if low_base:
        return ItemStats(n, mean, sd, None, share, distribution, low_base, points)
    half = t_quantile(n - 1) * sd / math.sqrt(n) * fpc(n, population)
    ci = clip((mean - half, mean + half), scale)
    return ItemStats(n, mean, sd, ci, share, distribution, low_base, points)


def bottom2(counts: Mapping[int, int], scale: tuple[int, int]) -> float | None:
    """Share of answers in the two lowest scale points."""
    n = sum(counts.values())
    if n == 0:
        return None
    return sum(c for score, c in counts.items() if score <= scale[0] + 1) / n


@dataclass(frozen=True)
class NPS:
    """Net promoter score on a 0–10 item, with its standard error and margin in points."""

    promoters: float
    detractors: float
    score: float
    se: float
    moe95: float


def nps(counts: Mapping[int, int]) -> NPS | None:
    """Promoters (9–10) minus detractors (0–6), ×100, with the multinomial standard error."""
    n = sum(counts.values())
    if n == 0:
        return None
    p = sum(c for s, c in counts.items() if s >= 9) / n
    d = sum(c for s, c in counts.items() if s <= 6) / n
    var = (p + d - (p - d) ** 2) / n
    se = math.sqrt(var) * 100
    return NPS(p, d, (p - d) * 100, se, Z95 * se)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion (better than the normal one at small n)."""
    if n == 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def kish_design_effect(weights: list[float]) -> tuple[float, float]:
    """Kish's design effect n·Σw²/(Σw)² and the effective sample size it implies."""
    total = sum(weights)
    squares = sum(w * w for w in weights)
    deff = len(weights) * squares / (total * total)
    return deff, len(weights) / deff


def response_rate(completed: int, invited: int | None) -> float | None:
    """Completed responses over people invited, at most 1 (more responses than invitations
    means the invitations were under-counted, not that more than everyone answered)."""
    return min(1.0, completed / invited) if invited else None


def mean_of_means(means: list[float | None]) -> float | None:
    """The plain mean of item means (items without answers left out)."""
    present = [m for m in means if m is not None]
    return sum(present) / len(present) if present else None


@dataclass(frozen=True)
class StageScore:
    """A stage's score: the plain mean of the means of its items on one scale, with the
    smallest n behind it; the items on another scale are named, not averaged in."""

    mean: float | None
    n_min: int | None
    scale: tuple[int, int] | None
    averaged: tuple[str, ...]
    excluded: tuple[str, ...]


def stage_score(items: list[tuple[str, tuple[int, int], int, float | None]]) -> StageScore:
    """(code, scale, n, mean) of a stage's items, in questionnaire order → its score.

    The scale is the one most of the answered items use (the first item's among equals):
    a mean on 0–10 and one on 1–5 cannot be averaged. Each item weighs the same, whatever its
    n; `n_min`, the smallest n among the averaged items, says how firm the weakest part is."""
    answered = [item for item in items if item[3] is not None]
    if not answered:
        return StageScore(None, None, None, (), tuple(code for code, *_ in items))
    tally: dict[tuple[int, int], int] = {}
    for _code, scale, _n, _mean in answered:
        tally[scale] = tally.get(scale, 0) + 1
    # max() keeps the first of equals, and the tally is in questionnaire order.
    chosen = max(tally, key=lambda sc: tally[sc])
    kept = [item for item in answered if item[1] == chosen]
    means = [float(item[3]) for item in kept if item[3] is not None]
    return StageScore(
        mean=sum(means) / len(means),
        n_min=min(item[2] for item in kept),
        scale=chosen,
        averaged=tuple(item[0] for item in kept),
        excluded=tuple(item[0] for item in items if item[1] != chosen),
    )


def welch_t_test(
    n1: int, mean1: float, sd1: float, n2: int, mean2: float, sd2: float
) -> tuple[float, float, float] | None:
    """Welch's two-sample t-test from summary figures: (t, Welch–Satterthwaite df, two-sided p),
    or None when it cannot be computed.

    Unequal variances assumed: two waves of a survey rarely share one. The same result as
    scipy.stats.ttest_ind_from_stats(..., equal_var=False)."""
    if n1 < 2 or n2 < 2:
        raise ValueError("each sample needs at least two answers")
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    se2 = v1 + v2
    if se2 == 0:
        # Both samples constant: the test has no variance to weigh the difference against.
        # Calling two constant waves "significant, p < 0.001" would claim a certainty that a
        # handful of identical answers does not give: no test.
        return None
    from scipy.special import stdtr  # see t_quantile

    t = (mean1 - mean2) / math.sqrt(se2)
    df = se2 * se2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    p = 2 * float(stdtr(df, -abs(t)))
    return t, df, min(p, 1.0)


def holm(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given (family-wise error control).

    The i-th smallest p is multiplied by (m − i), the running maximum keeps the adjusted values
    monotone, and none exceeds 1: compare each with α directly."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted
