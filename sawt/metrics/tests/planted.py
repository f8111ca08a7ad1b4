"""A generated journey with three survey periods and planted effects, for the impact tests (and
any test that needs a recommendation with an impact result, such as a move to `verified`).

Answers are written as rows (the database's triggers keep ScoreCount from them, as for any
import), so the counts the metrics engine reads agree with the answers by construction.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from sawt.catalog.models import GapCategory, Journey, Stage
from sawt.complaints.models import Complaint
from sawt.distribution.models import ServiceTransaction
from sawt.gaps.models import Gap, Recommendation
from sawt.gaps.services import gap_create, recommendation_create, recommendation_transition
from sawt.gaps.transitions import path_to
from sawt.surveys.models import Answer, Question, Response, Survey
from sawt.testing import factories as f

PERIODS = ("2024-01", "2024-04", "2024-07")
# Mean 3.0 and mean 4.0 on a 1–5 scale, 200 answers each (sd ≈ 0.71 for both).
MEAN_3 = {2: 50, 3: 100, 4: 50}
MEAN_4 = {3: 50, 4: 100, 5: 50}


def tz_at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def answers(question: Question, counts: dict[int, int]) -> list[int]:
    """Write `counts` (score: how many) as answers of `question`, one respondent each, reusing
    the survey's respondents in order (so items of a survey share their people); the scores."""
    scores = [s for s, c in sorted(counts.items()) for _ in range(c)]
    survey = question.survey
    have = list(Response.objects.filter(survey=survey).order_by("id"))
    if len(have) < len(scores):
        Response.objects.bulk_create(
            Response(survey=survey, respondent_id=f"{survey.period}-{i:05d}")
            for i in range(len(have), len(scores))
        )
        have = list(Response.objects.filter(survey=survey).order_by("id"))
    Answer.objects.bulk_create(
        Answer(response=r, question=question, score=s) for r, s in zip(have, scores, strict=False)
    )
    return scores


def journey_with_periods(
    items: dict[str, dict[str, dict[int, int]]],
    *,
    stages: dict[str, str] | None = None,
    scales: dict[tuple[str, str], tuple[int, int]] | None = None,
) -> tuple[Journey, dict[str, Survey]]:
    """A journey with a survey per period of PERIODS; `items` = {code: {period: counts}}, each
    item in the stage `stages[code]` (a stage code; created) or none; `scales` overrides the
    1–5 scale of (code, period)."""
    journey = f.JourneyFactory(slug="planted")
    stage_rows: dict[str, Stage] = {}
    for code in sorted(set((stages or {}).values())):
        stage_rows[code] = f.StageFactory(journey=journey, code=code)
    surveys = {p: f.SurveyFactory(journey=journey, period=p, code=f"planted-{p}") for p in PERIODS}
    for code, by_period in items.items():
        for period, counts in by_period.items():
            low, high = (scales or {}).get((code, period), (1, 5))
            question = f.QuestionFactory(
                survey=surveys[period],
                code=code,
                stage=stage_rows.get((stages or {}).get(code, "")),
                scale_min=low,
                scale_max=high,
            )
            answers(question, counts)
    return journey, surveys


def complaints(journey: Journey, category: GapCategory | None, per_period: dict[str, int]) -> None:
    """`per_period[YYYY-MM]` complaints in `category` (None: unclassified), mid-month."""
    start = Complaint.objects.filter(journey=journey).count()
    numbers = itertools.count(start)
    rows = []
    for period, n in per_period.items():
        year, month = map(int, period.split("-"))
        for _ in range(n):
            rows.append(
                Complaint(
                    journey=journey,
                    complaint_id=f"C-{next(numbers):06d}",
                    received_at=tz_at(dt.date(year, month, 15)),
                    text="تأخر الطلب",
                    category=category,
                    category_source="import" if category else "",
                )
            )
    Complaint.objects.bulk_create(rows)


def transactions(journey: Journey, per_period: dict[str, int]) -> None:
    """`per_period[YYYY-MM]` service transactions completed in each period."""
    numbers = itertools.count(ServiceTransaction.objects.filter(journey=journey).count())
    rows = []
    for period, n in per_period.items():
        year, month = map(int, period.split("-"))
        for _ in range(n):
            i = next(numbers)
            rows.append(
                ServiceTransaction(
                    journey=journey,
                    reference_id=f"T-{i:06d}",
                    completed_at=tz_at(dt.date(year, month, 10)),
                    mobile_hash=f"{i:064x}",
                )
            )
    ServiceTransaction.objects.bulk_create(rows)


def implemented_recommendation(
    journey: Journey,
    *,
    period: str,
    implemented_on: dt.date,
    actor: Any,
    targets: dict[str, Any],
    number_hint: str = "",
) -> Recommendation:
    """A gap of `period` and a recommendation moved through the pipeline to `implemented` on
    `implemented_on` (10:00, the ministry's time), with these targets."""
    gap: Gap = gap_create(
        journey=journey, period=period, feedback_ar=f"فجوة {number_hint}".strip(), actor=actor
    )
    proposed = tz_at(implemented_on) - dt.timedelta(days=30)
    rec = recommendation_create(
        gap=gap, text_ar="توصية", owner=journey.agency, targets=targets, actor=actor, at=proposed
    )
    steps = path_to("implemented")
    for i, status in enumerate(steps, 1):
        at = tz_at(implemented_on) if status == "implemented" else proposed + dt.timedelta(days=i)
        rec = recommendation_transition(
            recommendation=rec, to_status=status, expected_status=rec.status, actor=actor, at=at
        )
    return rec


def impact_stub(rec: Recommendation, *, up_to: str | None = None) -> dict:
    """A tested impact result (no change on one item), for tests about something else that
    move a recommendation to `verified`:
    monkeypatch.setattr("sawt.metrics.impact.recommendation_impact", impact_stub)."""
    side = {"periods": ["2024-01"], "n": 200, "value": 3.0}
    return {
        "id": rec.pk,
        "gap": rec.gap.number,
        "status": rec.status,
        "implemented_at": "2024-02-15",
        "verdict": "no_change",
        "measures": [
            {
                "kind": "item",
                "code": "q",
                "before": side,
                "after": {**side, "periods": ["2024-04"]},
                "difference": 0.0,
                "p_value": 1.0,
                "verdict": "no_change",
            }
        ],
    }
