"""Key drivers: how much of the overall score each item accounts for.

Johnson's relative weights (Johnson 2000, "A heuristic method for estimating the relative weight
of predictor variables in multiple regression"): the predictors are replaced by their closest
orthogonal counterparts Z (Z = X·R^(-1/2) in standard form, Λ = R^(1/2) = V·√D·Vᵀ their
loadings), the outcome is regressed on Z (β = Λ⁻¹·r_xy) and each predictor is credited with
the share of every Z it loads on: ε_j = Σ_k λ_jk²·β_k². The raw weights sum to the R² of the
ordinary regression, and unlike the regression's own coefficients they stay positive and
stable when the items correlate, as satisfaction items always do.

The maths (`relative_weights`, `bootstrap_weights`) is NumPy only; `journey_drivers` reads the
respondents' answers once and calls it. NumPy is imported inside the functions: the command
line and the URL map import this module without computing anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings

from sawt.surveys.choices import QuestionKind

if TYPE_CHECKING:
    import numpy as np

    from sawt.metrics.segments import Segment
    from sawt.surveys.models import Survey

# Items regressed on the overall one: the experience items. NPS is left out (a willingness to
# recommend is an outcome like the overall score, not a part of the experience), open text has
# no score and the overall item is the outcome.
DRIVER_KINDS = (QuestionKind.SATISFACTION, QuestionKind.EFFORT)
# Complete respondents the analysis uses at most: a seeded random sample above it. 2,000 (200
# per item of a ten-item survey) pins each importance to about ±0.02, and keeps the bootstrap,
# which the journey page runs on every view, near a tenth of a second (0.13 s for 300
# resamples of 2,000; 0.4 s at 5,000).
MAX_ROWS = 2000
# Bootstrap resamples: the percentile ends move by less than 0.01 between 300 and 2,000
# resamples (0.003 at n = 2,000), at a seventh of the time.
REPS = 300
SEED = 13
# An item answered by fewer than this share of the people who gave an overall score is left out
# of the model: keeping it would cut the complete cases down to its few respondents.
MIN_ANSWERED = 0.5
# Observations per item the model needs, besides the general minimum n (SAWT_MIN_N).
PER_ITEM = 10


def relative_weights(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Johnson's raw relative weights of the columns of `x` (n × p) for `y` (n), and R².

    Works on correlations, so the units and scales of the items do not matter. Constant columns
    must be removed before (their correlation is undefined); exactly collinear ones are allowed
    (their shared part is split between them through the pseudo-inverse)."""
    import numpy as np

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    corr = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    evals, evecs = np.linalg.eigh(rxx)
    # An exactly collinear set has a zero eigenvalue, which rounding leaves at ±1e-16: set it
    # to zero, or its square root (1e-8) would be inverted as if it were information.
    evals = np.where(evals > 1e-10 * evals.max(), evals, 0.0)
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.pinv(lam) @ rxy
    weights = (lam**2) @ (beta**2)
    return weights, float(weights.sum())


def importance(weights: np.ndarray) -> np.ndarray:
    """Raw weights as shares of R² (summing to 1): the importance sawt shows."""
    import numpy as np

    total = float(weights.sum())
    return weights / total if total > 0 else np.zeros_like(weights)


def bootstrap_weights(
    x: np.ndarray, y: np.ndarray, *, reps: int = REPS, seed: int = SEED, level: float = 0.95
) -> np.ndarray:
    """Percentile bootstrap intervals (p × 2) of each item's importance (share of R²).

    Respondents are resampled with replacement `reps` times with numpy's Generator(seed), so
    the same data give the same intervals. A resample in which an item or the outcome came out
    constant (possible only with a handful of respondents) is drawn again."""
    import numpy as np

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    rng = np.random.default_rng(seed)
    n = len(y)
    shares = np.empty((reps, x.shape[1]))
    done = tries = 0
    while done < reps:
        tries += 1
        if tries > 10 * reps:
            raise ValueError("too few distinct respondents to resample")
        idx = rng.integers(0, n, n)
        xs, ys = x[idx], y[idx]
        if np.ptp(ys) == 0 or (np.ptp(xs, axis=0) == 0).any():
            continue
        shares[done] = importance(relative_weights(xs, ys)[0])
        done += 1
    tail = (1 - level) / 2 * 100
    return np.percentile(shares, [tail, 100 - tail], axis=0).T


def driver_minimum(items: int) -> int:
    """Complete respondents the model needs: SAWT_MIN_N, and ten per item."""
    return max(int(getattr(settings, "SAWT_MIN_N", 30)), PER_ITEM * items)


def _answers(survey: Survey, segment: Segment | None) -> tuple[list[Any], dict[int, dict]]:
    """The overall question, the driver questions and {response id: {question id: score}},
    read in one query over a sample of the survey's responses when it has many."""
    from sawt.metrics.segments import segment_responses
    from sawt.surveys.models import Answer, Question, Response

    questions = list(
        Question.objects.filter(
            survey=survey, kind__in=(QuestionKind.OVERALL, *DRIVER_KINDS)
        ).order_by("position", "id")
    )
    responses = (
        segment_responses(survey, segment) if segment else Response.objects.filter(survey=survey)
    )
    total = responses.count()
    # Read about twice the rows needed (a margin for incomplete respondents), as every
    # k-th response by record id from a seeded offset: one pass over the response index, not
    # a random sort of a million rows.
    step = max(1, total // (2 * MAX_ROWS))
    if step > 1:
        from django.db.models import F
        from django.db.models.functions import Mod

        responses = responses.alias(slot=Mod(F("id"), step)).filter(slot=SEED % step)
    rows = Answer.objects.filter(
        question_id__in=[q.id for q in questions],
        score__isnull=False,
        response_id__in=responses.values("id"),
    ).values_list("response_id", "question_id", "score")
    by_response: dict[int, dict] = {}
    for response_id, question_id, score in rows.iterator(chunk_size=20000):
        by_response.setdefault(response_id, {})[question_id] = score
    return questions, by_response


def _means(survey: Survey, segment: Segment | None, ids: list[int]) -> dict[int, float]:
    """Each item's mean over all its answers (of the segment): the mean the journey map shows,
    not the one of the complete respondents the model reads."""
    from sawt.metrics.segments import segment_score_counts
    from sawt.metrics.selectors import score_counts

    counts = segment_score_counts(ids, survey, segment) if segment else score_counts(ids)
    return {
        qid: sum(s * c for s, c in dist.items()) / sum(dist.values())
        for qid, dist in counts.items()
        if sum(dist.values())
    }


def journey_drivers(*, survey: Survey, segment: Segment | None = None) -> list[dict] | None:
    """The key drivers of the survey's overall score (`drivers_compute`), kept in the process's
    cache until the survey's responses change: every writer of responses moves
    `Survey.responses_version` on, and the result is a deterministic function of the answers
    (the sample and the bootstrap are seeded). Half a second at a million responses, paid once
    per change rather than at every view of the journey page."""
    from django.core.cache import cache

    key = ":".join(
        [
            "sawt-drivers",
            str(survey.pk),
            # The creation time tells apart two surveys given the same id one after the other.
            survey.created_at.isoformat() if survey.created_at else "",
            str(survey.responses_version),
            str(driver_minimum(0)),
            str(segment or ""),
        ]
    )
    found = cache.get(key)
    if found is None:
        found = {"drivers": drivers_compute(survey=survey, segment=segment)}
        cache.set(key, found, timeout=24 * 3600)
    return found["drivers"]


def drivers_compute(*, survey: Survey, segment: Segment | None = None) -> list[dict] | None:
    """The key drivers of the survey's overall score (docs/summary.md, `drivers`):
    `[{code, importance, importance_ci95, mean}]` by importance, largest first, or None when
    there is no overall item, fewer than two usable items, or too few complete respondents."""
    import numpy as np

    questions, by_response = _answers(survey, segment)
    overall = next((q for q in questions if q.kind == QuestionKind.OVERALL), None)
    if overall is None:
        return None
    # In response id order, so the same records give the same sample.
    rated = [by_response[r] for r in sorted(by_response) if overall.id in by_response[r]]
    items = [
        q
        for q in questions
        if q.kind != QuestionKind.OVERALL
        and sum(1 for a in rated if q.id in a) >= MIN_ANSWERED * len(rated)
    ]
    complete = [a for a in rated if all(q.id in a for q in items)]
    data = np.array(
        [[a[q.id] for q in items] + [a[overall.id]] for a in complete], dtype=float
    ).reshape(len(complete), len(items) + 1)
    if len(data) > MAX_ROWS:
        keep = np.random.default_rng(SEED).choice(len(data), MAX_ROWS, replace=False)
        data = data[np.sort(keep)]
    if len(data) == 0 or np.ptp(data[:, -1]) == 0:
        return None
    varying = np.ptp(data[:, :-1], axis=0) > 0  # a constant item explains nothing
    items = [q for q, v in zip(items, varying, strict=True) if v]
    x, y = data[:, :-1][:, varying], data[:, -1]
    if len(items) < 2 or len(y) < driver_minimum(len(items)):
        return None
    shares = importance(relative_weights(x, y)[0])
    intervals = bootstrap_weights(x, y)
    means = _means(survey, segment, [q.id for q in items])
    result = [
        {
            "code": q.code,
            "importance": float(shares[i]),
            "importance_ci95": [float(intervals[i, 0]), float(intervals[i, 1])],
            "mean": means.get(q.id),
        }
        for i, q in enumerate(items)
    ]
    return sorted(result, key=lambda d: -d["importance"])
