"""Welch's t-test from summary figures and Holm's correction, checked against scipy."""

import pytest
from scipy import stats as sps

from sawt.metrics.stats import holm, welch_t_test


@pytest.mark.parametrize(
    "figures",
    [
        (256, 3.890625, 1.18972, 240, 3.55, 1.25),
        (150, 3.6, 1.1, 140, 3.62, 1.05),
        (30, 4.2, 0.6, 12, 3.1, 1.7),
    ],
)
def test_welch_matches_scipy(figures):
    t, df, p = welch_t_test(*figures)
    n1, m1, s1, n2, m2, s2 = figures
    ref = sps.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)
    assert t == pytest.approx(ref.statistic, rel=1e-9)
    assert p == pytest.approx(ref.pvalue, rel=1e-7)
    v1, v2 = s1**2 / n1, s2**2 / n2
    assert df == pytest.approx((v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1)))


def test_welch_needs_two_answers_a_side():
    with pytest.raises(ValueError):
        welch_t_test(1, 3.0, 0.0, 10, 3.0, 1.0)


def test_holm_by_hand():
    # Sorted 0.01, 0.02, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.04, 0.06, 0.06, 0.04 → monotone:
    # 0.04, 0.06, 0.06, 0.06; returned in the order given.
    assert holm([0.03, 0.01, 0.04, 0.02]) == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def test_welch_with_two_constant_samples_is_not_testable():
    # Two constant waves used to read "significant, p < 0.001": no variance, no test.
    assert welch_t_test(5, 3.0, 0.0, 5, 3.0, 0.0) is None
    assert welch_t_test(5, 4.0, 0.0, 5, 3.0, 0.0) is None
