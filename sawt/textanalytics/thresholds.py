"""Reading a model's review threshold off its stored precision curve, in plain Python: the
review page and the services ask for it on every view, and must not load scikit-learn for it.

A model's report keeps `threshold_curve`, [threshold, precision, coverage] points measured out
of fold (`classifier.precision_curve`): accept every prediction at or above `threshold`, and
`precision` of them were right, `coverage` of the texts settled without a person.
"""

from __future__ import annotations

# By default an auto-accepted prediction should be right at least this often (out of fold);
# below the threshold that achieves it, a complaint waits for an analyst. Journeys may ask for
# another precision (classification.ReviewSettings).
TARGET_PRECISION = 0.9


def threshold_for(report: dict, target: float) -> float:
    """The review threshold that reaches `target` precision by a model's stored curve: the
    lowest cut whose predictions were right at least that often. 1.0 (review everything) when
    no cut reaches it or the model has no curve."""
    best = 1.0
    for threshold, precision, _coverage in report.get("threshold_curve", []):
        if precision >= target:
            best = min(best, threshold)
    return best


def coverage_at(report: dict, threshold: float) -> float | None:
    """Out-of-fold share of texts a threshold lets the model settle alone (by the curve); None
    when the model has no curve."""
    curve = report.get("threshold_curve", [])
    covered = [c for t, _p, c in curve if t >= threshold]
    return max(covered) if covered else (0.0 if curve else None)
