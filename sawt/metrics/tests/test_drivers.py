"""Key drivers: Johnson's relative weights against an independent construction, OLS and
dominance analysis; the bootstrap with its seed; the journey's drivers from its answers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sawt.metrics import drivers
from sawt.surveys.services.tallies import tallies_recount
from sawt.testing import factories as f


def _r2(x: np.ndarray, y: np.ndarray) -> float:
    """R² of the OLS regression of y on x with an intercept (numpy lstsq)."""
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return float(1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())))


def _johnson_by_svd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's procedure as his paper states it: the orthogonal counterparts Z = P·Qᵀ of the
    standardised predictors (X = P·Δ·Qᵀ), y regressed on Z, X regressed on Z, weights
    Σ_k λ_jk²·β_k². No eigendecomposition of the correlation matrix."""
    xs = (x - x.mean(0)) / x.std(0)
    ys = (y - y.mean()) / y.std()
    p, _delta, qt = np.linalg.svd(xs, full_matrices=False)
    z = p @ qt * np.sqrt(len(y))  # unit variance, like the standardised predictors
    beta, *_ = np.linalg.lstsq(z, ys, rcond=None)
    lam, *_ = np.linalg.lstsq(z, xs, rcond=None)  # column j: X_j on Z
    return (lam.T**2) @ (beta**2)


def _general_dominance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Shapley value of R²: each predictor's R² increment averaged over all subsets."""
    k = x.shape[1]
    r2 = {
        s: (_r2(x[:, list(s)], y) if s else 0.0)
        for size in range(k + 1)
        for s in itertools.combinations(range(k), size)
    }
    weights = np.zeros(k)
    for j in range(k):
        others = [i for i in range(k) if i != j]
        for size in range(k):
            subsets = list(itertools.combinations(others, size))
            gain = [r2[tuple(sorted((*s, j)))] - r2[s] for s in subsets]
            weights[j] += np.mean(gain) / k
    return weights


def _correlated(n: int = 400, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=n)
    x = np.column_stack([common + rng.normal(scale=s, size=n) for s in (0.5, 0.8, 1.2, 2.0)])
    y = 0.6 * x[:, 0] + 0.3 * x[:, 1] + 0.1 * x[:, 3] + rng.normal(size=n)
    return x, y


def test_raw_weights_sum_to_the_r2_of_ordinary_least_squares():
    x, y = _correlated()
    weights, r2 = drivers.relative_weights(x, y)
    assert r2 == pytest.approx(_r2(x, y), abs=1e-12)
    assert weights.sum() == pytest.approx(r2, abs=1e-12)
    assert (weights > 0).all()


def test_weights_match_johnson_s_construction_through_orthogonal_counterparts():
    x, y = _correlated(seed=5)
    weights, _ = drivers.relative_weights(x, y)
    assert weights == pytest.approx(_johnson_by_svd(x, y), abs=1e-10)


def test_orthogonal_items_get_their_squared_correlation():
    # A 2^3 factorial design repeated: the columns are exactly uncorrelated.
    design = np.array(list(itertools.product([1.0, 5.0], repeat=3)) * 20)
    rng = np.random.default_rng(3)
    y = design @ np.array([0.7, 0.2, 0.05]) + rng.normal(size=len(design))
    weights, r2 = drivers.relative_weights(design, y)
    r = np.array([np.corrcoef(design[:, j], y)[0, 1] for j in range(3)])
    assert weights == pytest.approx(r**2, abs=1e-12)
    assert r2 == pytest.approx(float((r**2).sum()), abs=1e-12)


def test_weights_are_close_to_dominance_analysis_and_rank_the_same():
    x, y = _correlated(seed=9)
    weights, _ = drivers.relative_weights(x, y)
    dominance = _general_dominance(x, y)
    # The two methods are known to agree closely though not exactly (Johnson 2000, LeBreton
    # et al. 2004): here to within 0.015 of R² (of 0.58), and in the same order.
    assert dominance.sum() == pytest.approx(weights.sum(), abs=1e-9)
    assert np.abs(weights - dominance).max() < 0.015
    assert list(np.argsort(-weights)) == list(np.argsort(-dominance))


def test_a_duplicated_item_splits_its_weight_evenly_and_r2_is_unchanged():
    x, y = _correlated(seed=2)
    once, r2 = drivers.relative_weights(x, y)
    twice, r2_twice = drivers.relative_weights(np.column_stack([x, x[:, 0]]), y)
    assert r2_twice == pytest.approx(r2, abs=1e-9)
    assert twice[0] == pytest.approx(twice[-1], abs=1e-9)
    assert twice.sum() == pytest.approx(r2, abs=1e-9)
    assert np.isfinite(once).all()


def test_importance_is_the_share_of_r2():
    x, y = _correlated()
    shares = drivers.importance(drivers.relative_weights(x, y)[0])
    assert shares.sum() == pytest.approx(1.0)


def test_bootstrap_is_a_seeded_percentile_interval():
    x, y = _correlated(n=300, seed=4)
    intervals = drivers.bootstrap_weights(x, y, reps=200, seed=42)
    # The same resamples drawn by hand with the same generator give the same interval.
    rng = np.random.default_rng(42)
    shares = []
    for _ in range(200):
        idx = rng.integers(0, len(y), len(y))
        shares.append(drivers.importance(drivers.relative_weights(x[idx], y[idx])[0]))
    expected = np.percentile(np.array(shares), [2.5, 97.5], axis=0).T
    assert intervals == pytest.approx(expected, abs=1e-12)
    assert drivers.bootstrap_weights(x, y, reps=200, seed=42) == pytest.approx(intervals)
    point = drivers.importance(drivers.relative_weights(x, y)[0])
    assert ((intervals[:, 0] <= point) & (point <= intervals[:, 1])).all()


def test_the_interval_narrows_with_more_respondents():
    small = drivers.bootstrap_weights(*_correlated(n=100, seed=6), reps=200)
    large = drivers.bootstrap_weights(*_correlated(n=1600, seed=6), reps=200)
    assert (large[:, 1] - large[:, 0]).mean() < (small[:, 1] - small[:, 0]).mean() / 2


# The journey's drivers, from its answers.


@pytest.fixture
def survey_with_driver(db):
    """150 respondents; the overall score follows `wait` closely, `staff` a little, `fee` not at
    all; `site` is answered by a third only, `same` is always 4; an NPS and an open item."""
    journey = f.JourneyFactory()
    stage = f.StageFactory(journey=journey)
    survey = f.SurveyFactory(journey=journey, period="2022-06")
    q = {
        "overall": f.QuestionFactory(survey=survey, code="overall", kind="overall"),
        "wait": f.QuestionFactory(survey=survey, code="wait", stage=stage),
        "staff": f.QuestionFactory(survey=survey, code="staff", stage=stage, kind="effort"),
        "fee": f.QuestionFactory(survey=survey, code="fee", stage=stage),
        "site": f.QuestionFactory(survey=survey, code="site", stage=stage),
        "same": f.QuestionFactory(survey=survey, code="same", stage=stage),
        "nps": f.QuestionFactory(survey=survey, code="nps", kind="nps", scale_min=0, scale_max=10),
    }
    rng = np.random.default_rng(8)
    for i in range(150):
        wait, staff, fee = (int(v) for v in rng.integers(1, 6, 3))
        overall = int(np.clip(round(0.8 * wait + 0.3 * staff + rng.normal(0, 0.5)), 1, 5))
        response = f.ResponseFactory(survey=survey, respondent_id=f"r{i}")
        scores = {"overall": overall, "wait": wait, "staff": staff, "fee": fee, "same": 4}
        scores["nps"] = overall * 2
        if i % 3 == 0:
            scores["site"] = wait
        for code, score in scores.items():
            f.AnswerFactory(response=response, question=q[code], score=score)
    return survey


@pytest.mark.django_db
def test_journey_drivers_find_the_planted_driver(survey_with_driver):
    result = drivers.journey_drivers(survey=survey_with_driver)
    assert result is not None
    # Sparse (`site`), constant (`same`), NPS and the overall item itself are not in the model.
    assert [d["code"] for d in result] == ["wait", "staff", "fee"]
    assert sum(d["importance"] for d in result) == pytest.approx(1.0)
    assert result[0]["importance"] > 0.6
    low, high = result[0]["importance_ci95"]
    assert low <= result[0]["importance"] <= high
    # The mean is the item's own, over all its answers (as the journey map shows it).
    answers = [a.score for a in survey_with_driver.questions.get(code="fee").answers.all()]
    assert result[2]["mean"] == pytest.approx(np.mean(answers))
    assert drivers.journey_drivers(survey=survey_with_driver) == result  # seeded


@pytest.mark.django_db
def test_journey_drivers_need_ten_respondents_per_item(survey_with_driver, settings):
    assert drivers.driver_minimum(3) == 30
    settings.SAWT_MIN_N = 151
    assert drivers.journey_drivers(survey=survey_with_driver) is None
    settings.SAWT_MIN_N = 30
    assert drivers.driver_minimum(20) == 200


@pytest.mark.django_db
def test_a_survey_without_an_overall_item_has_no_drivers():
    survey = f.SurveyFactory()
    f.QuestionFactory(survey=survey, code="q1")
    assert drivers.journey_drivers(survey=survey) is None


@pytest.mark.django_db
def test_a_large_survey_is_read_as_a_seeded_sample(survey_with_driver, monkeypatch, settings):
    # With a cap of 30, every second of the 150 responses is read (150 // 60 = 2), and 30 of
    # the complete ones are kept: the same 30 on every call.
    monkeypatch.setattr(drivers, "MAX_ROWS", 30)
    settings.SAWT_MIN_N = 30
    first = drivers.drivers_compute(survey=survey_with_driver)
    assert first is not None
    assert first == drivers.drivers_compute(survey=survey_with_driver)
    assert first[0]["code"] == "wait"
    monkeypatch.setattr(drivers, "MAX_ROWS", 2000)
    assert drivers.drivers_compute(survey=survey_with_driver) != first  # all 150 this time


def test_the_drivers_are_kept_until_the_responses_change(survey_with_driver, monkeypatch):
    # Computed once per state of the answers: a second view costs nothing, a write of responses
    # (every writer moves responses_version on) computes them again.
    calls = []
    compute = drivers.drivers_compute

    def counted(**kwargs):
        calls.append(kwargs)
        return compute(**kwargs)

    monkeypatch.setattr(drivers, "drivers_compute", counted)
    first = drivers.journey_drivers(survey=survey_with_driver)
    assert drivers.journey_drivers(survey=survey_with_driver) == first and len(calls) == 1
    tallies_recount(survey_with_driver)  # what every import and form submission ends with
    survey_with_driver.refresh_from_db()
    assert drivers.journey_drivers(survey=survey_with_driver) == first and len(calls) == 2
