"""The maths against golden vectors (worked out with scipy) and against scipy on random data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from sawt.metrics import stats

SEED_OVERALL = {5: 100, 4: 80, 3: 40, 2: 20, 1: 16}


def test_golden_mean_sd_and_fpc_interval():
    figures = stats.item_stats(SEED_OVERALL, (1, 5), population=3800)
    assert figures.n == 256
    assert figures.mean == pytest.approx(3.890625, abs=1e-9)
    assert figures.sd == pytest.approx(1.18972, abs=5e-6)
    se = figures.sd / math.sqrt(256) * stats.fpc(256, 3800)
    assert se == pytest.approx(0.071819, abs=5e-7)
    assert figures.ci95 == pytest.approx((3.7492, 4.0321), abs=5e-5)
    assert figures.top2 == pytest.approx(0.703125)
    assert stats.bottom2(SEED_OVERALL, (1, 5)) == pytest.approx(0.140625)
    assert figures.distribution == {"1": 16, "2": 20, "3": 40, "4": 80, "5": 100}


def test_interval_without_population_is_wider_than_with():
    with_n = stats.item_stats(SEED_OVERALL, (1, 5), population=3800).ci95
    without = stats.item_stats(SEED_OVERALL, (1, 5)).ci95
    assert without[1] - without[0] > with_n[1] - with_n[0]


def test_golden_nps():
    counts = {10: 60, 9: 55, 8: 50, 7: 31, 6: 20, 5: 15, 4: 10, 3: 5, 2: 4, 1: 3, 0: 3}
    result = stats.nps(counts)
    assert result.promoters == pytest.approx(0.44922, abs=1e-5)
    assert result.detractors == pytest.approx(0.23438, abs=1e-5)
    assert result.score == pytest.approx(21.48, abs=5e-3)
    assert result.se == pytest.approx(4.99, abs=5e-3)
    assert result.moe95 == pytest.approx(9.78, abs=5e-3)


def test_golden_ces_on_a_seven_point_scale():
    counts = {7: 70, 6: 60, 5: 50, 4: 30, 3: 20, 2: 15, 1: 11}
    figures = stats.item_stats(counts, (1, 7))
    assert figures.mean == pytest.approx(5.16016, abs=5e-6)
    agree = sum(c for s, c in counts.items() if s >= 5) / figures.n
    assert agree == pytest.approx(0.7031, abs=5e-5)


def test_golden_kish_design_effect():
    deff, n_eff = stats.kish_design_effect([1.0] * 200 + [2.0] * 56)
    assert deff == pytest.approx(1.1151, abs=5e-5)
    assert n_eff == pytest.approx(229.58, abs=5e-3)


def test_response_rate_is_completed_over_invited_capped_at_one():
    assert stats.response_rate(256, 3800) == pytest.approx(0.0673684, abs=1e-7)
    assert stats.response_rate(0, 0) is None
    assert stats.response_rate(12, 10) == 1.0


def test_wilson_matches_statsmodels_formula():
    lo, hi = stats.wilson_interval(180, 256)
    assert (lo, hi) == pytest.approx((0.6449, 0.7557), abs=5e-4)


@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=400),
    population=st.one_of(st.none(), st.integers(min_value=401, max_value=100_000)),
)
def test_matches_scipy_on_random_answers(scores, population):
    counts: dict[int, int] = {}
    for s in scores:
        counts[s] = counts.get(s, 0) + 1
    figures = stats.item_stats(counts, (1, 5), population=population)
    x = np.array(scores, dtype=float)
    assert figures.mean == pytest.approx(x.mean(), rel=1e-12)
    assert figures.sd == pytest.approx(x.std(ddof=1), rel=1e-9, abs=1e-12)
    sem = sps.sem(x) * stats.fpc(len(x), population)
    if sem > 0:
        lo, hi = sps.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=sem)
        # Clipped to the scale: no mean lies outside 1–5.
        expected = (min(max(lo, 1), 5), min(max(hi, 1), 5))
        assert figures.ci95 == pytest.approx(expected, rel=1e-9)
    assert figures.top2 == pytest.approx(np.mean(x >= 4))


def test_empty_and_single_answer_items_have_no_spread():
    empty = stats.item_stats({}, (1, 5))
    assert (empty.n, empty.mean, empty.ci95) == (0, None, None)
    one = stats.item_stats({4: 1}, (1, 5))
    assert (one.n, one.mean, one.sd, one.ci95) == (1, 4.0, None, None)


def test_stage_score_is_mean_of_item_means():
    assert stats.mean_of_means([3.4, None, 3.8]) == pytest.approx(3.6)
    assert stats.mean_of_means([None]) is None


def test_stage_score_averages_one_scale_and_keeps_the_smallest_n():
    score = stats.stage_score(
        [
            ("a", (1, 5), 120, 3.4),
            ("nps", (0, 10), 300, 7.9),
            ("b", (1, 5), 45, 3.8),
            ("empty", (1, 5), 0, None),
        ]
    )
    assert score.mean == pytest.approx(3.6)
    assert (score.n_min, score.scale) == (45, (1, 5))
    assert score.averaged == ("a", "b") and score.excluded == ("nps",)
    assert stats.stage_score([("x", (1, 5), 0, None)]).mean is None
