"""The portfolio: every journey measured in a period, side by side, with the change in overall
satisfaction since each journey's previous survey.

A fixed number of queries whatever the number of journeys (one per kind of figure, grouped by
survey or journey), so a ministry's ~200 journeys cost the same round trips as two.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypedDict

from django.db.models import Count, QuerySet

from sawt.catalog.models import Journey
from sawt.complaints.models import Complaint
from sawt.core.periods import parse_period, period_bounds
from sawt.gaps.choices import OPEN_STATUSES, RecommendationStatus
from sawt.gaps.models import Gap, Recommendation
from sawt.metrics import stats, targets
from sawt.metrics.selectors import item_dict, score_counts
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Question, Response, Survey

# Two-sided significance level of the change test, after Holm's correction across journeys.
ALPHA = 0.05


class _SurveyRow(TypedDict):
    id: int
    journey_id: int
    period: str
    sample_size: int | None
    population_size: int | None
    empty_responses: int


def _surveys_up_to(journeys: QuerySet[Journey], period: str) -> dict[int, list[_SurveyRow]]:
    """{journey id: its surveys up to `period`, newest first} in one query."""
    rows = (
        Survey.objects.filter(journey__in=journeys, period__lte=period)
        .order_by("journey_id", "-period")
        .values("id", "journey_id", "period", "sample_size", "population_size", "empty_responses")
    )
    by_journey: dict[int, list[_SurveyRow]] = defaultdict(list)
    for row in rows:
        by_journey[row["journey_id"]].append(row)
    return by_journey


def _overall_items(survey_ids: list[int]) -> dict[int, tuple[str, stats.ItemStats]]:
    """{survey id: (the overall item's code, its figures)} for the surveys that have one."""
    questions = list(
        Question.objects.filter(survey_id__in=survey_ids, kind=QuestionKind.OVERALL).values(
            "id", "code", "survey_id", "scale_min", "scale_max", "survey__population_size"
        )
    )
    counts = score_counts(q["id"] for q in questions)
    return {
        # The interval corrects for a known population, as on the journey page; the change test
        # does not (it compares two waves as samples, the conservative reading).
        q["survey_id"]: (
            q["code"],
            stats.item_stats(
                counts.get(q["id"], {}),
                stats.scored_scale(q["scale_min"], q["scale_max"]),
                q["survey__population_size"],
                min_n=targets.min_n(),
            ),
        )
        for q in questions
    }


def _scale(figures: stats.ItemStats) -> tuple[int, int]:
    points = [int(p) for p in figures.distribution]
    return min(points), max(points)


def _change(
    current: stats.ItemStats | None, previous: stats.ItemStats | None
) -> tuple[dict | None, str | None]:
    """Welch's t-test of the overall means of two waves, or None and why it was not run:
    `scales_differ` (a mean on 0–10 and one on 1–5 are not comparable), `low_base` (either
    wave below SAWT_MIN_N answers), `not_testable` (no answers, or no spread on either side)."""
    if not current or not previous or current.mean is None or previous.mean is None:
        return None, "not_testable"
    if _scale(current) != _scale(previous):
        return None, "scales_differ"
    if current.low_base or previous.low_base:
        return None, "low_base"
    if current.sd is None or previous.sd is None:
        return None, "not_testable"
    result = stats.welch_t_test(
        current.n, current.mean, current.sd, previous.n, previous.mean, previous.sd
    )
    if result is None:
        return None, "not_testable"
    t, df, p = result
    return {"difference": current.mean - previous.mean, "t": t, "df": df, "p": p}, None


def _mark_significance(changes: list[dict]) -> None:
    """Holm-adjust the p-values of every tested journey together, then mark the changes."""
    for change, adjusted in zip(changes, stats.holm([c["p"] for c in changes]), strict=True):
        change["p_adjusted"] = adjusted
        change["significant"] = adjusted < ALPHA
        change["direction"] = (
            ("up" if change["difference"] > 0 else "down") if change["significant"] else None
        )


def _item(overall: tuple[str, stats.ItemStats] | None) -> dict | None:
    """The overall item as the summary writes one, from (code, figures)."""
    return None if overall is None else item_dict(*overall, kind=QuestionKind.OVERALL)


def _register(journey_ids: list[int], period: str) -> tuple[dict[int, int], dict[int, dict]]:
    """Gaps per journey, and recommendations per journey and status, for the period."""
    gaps = Gap.objects.filter(journey_id__in=journey_ids, period=period)
    gap_counts = dict(
        gaps.values("journey_id").annotate(c=Count("id")).values_list("journey_id", "c")
    )
    statuses: dict[int, dict] = defaultdict(lambda: dict.fromkeys(RecommendationStatus.values, 0))
    recs = (
        Recommendation.objects.filter(gap__in=gaps)
        .values("gap__journey_id", "status")
        .annotate(c=Count("id"))
        .order_by()
    )
    for row in recs:
        statuses[row["gap__journey_id"]][row["status"]] = row["c"]
    return gap_counts, statuses


def _open_up_to(journey_ids: list[int], period: str) -> dict[int, int]:
    """{journey id: its recommendations still open, from the gaps of `period` and before}: a
    December portfolio still owes June's open decisions, though December recorded no gap."""
    return dict(
        Recommendation.objects.filter(
            gap__journey_id__in=journey_ids, gap__period__lte=period, status__in=OPEN_STATUSES
        )
        .values("gap__journey_id")
        .annotate(c=Count("id"))
        .order_by()
        .values_list("gap__journey_id", "c")
    )


def portfolio_summary(*, period: str, journeys: QuerySet[Journey] | None = None) -> dict:
    """Every journey among `journeys` with a survey in `period`: sample, overall satisfaction,
    complaints, the register's counts, and the change since the journey's previous survey
    (Welch's t-test on the overall item, Holm-corrected across the period's portfolio).

    The previous wave is the journey's most recent survey before `period`, whatever its
    distance: surveys are not monthly, and a fixed lag would compare nothing.

    Holm's correction runs over every journey surveyed in the period, not only those the
    viewer may see: a journey's change must read the same for an agency member and an analyst.
    The tests of the whole portfolio are computed (two more grouped queries, whatever the
    number of journeys), and only the viewer's rows are returned."""
    parse_period(period)
    waves = {
        jid: s
        for jid, s in _surveys_up_to(Journey.objects.all(), period).items()
        if s[0]["period"] == period
    }
    current = {jid: s[0] for jid, s in waves.items()}
    previous = {jid: s[1] for jid, s in waves.items() if len(s) > 1}
    survey_ids = [s["id"] for s in (*current.values(), *previous.values())]
    overall = _overall_items(survey_ids)
    changes: dict[int, tuple[dict | None, str | None]] = {}
    for jid, survey in current.items():
        before = previous.get(jid)
        now_item = overall.get(survey["id"])
        before_item = overall.get(before["id"]) if before else None
        changes[jid] = (
            _change(now_item[1] if now_item else None, before_item[1] if before_item else None)
            if before
            else (None, None)
        )
    _mark_significance([c for c, _note in changes.values() if c])
    if journeys is not None:
        seen = set(journeys.filter(id__in=list(current)).values_list("id", flat=True))
        current = {jid: s for jid, s in current.items() if jid in seen}
    responses = dict(
        Response.objects.filter(survey_id__in=[s["id"] for s in current.values()])
        .values("survey_id")
        .annotate(c=Count("id"))
        .values_list("survey_id", "c")
    )
    start, end = period_bounds(period)
    complaints = dict(
        Complaint.objects.filter(
            journey_id__in=list(current), received_at__gte=start, received_at__lt=end
        )
        .values("journey_id")
        .annotate(c=Count("id"))
        .values_list("journey_id", "c")
    )
    gap_counts, statuses = _register(list(current), period)
    still_open = _open_up_to(list(current), period)
    listed = Journey.objects.filter(id__in=list(current)).select_related("agency")
    rows = []
    for journey in listed.order_by("agency__code", "slug"):
        survey = current[journey.id]
        before = previous.get(journey.id)
        now_item = overall.get(survey["id"])
        before_item = overall.get(before["id"]) if before else None
        by_status = statuses[journey.id]
        # Completed: the responses less those with no answer but "not applicable", a count the
        # survey keeps (surveys/services/tallies.py).
        n_completed = max(0, responses.get(survey["id"], 0) - survey["empty_responses"])
        change, note = changes[journey.id]
        rows.append(
            {
                "journey": journey,
                "sent": survey["sample_size"],
                "responses": responses.get(survey["id"], 0),
                "completed": n_completed,
                "response_rate": stats.response_rate(n_completed, survey["sample_size"]),
                "complaints": complaints.get(journey.id, 0),
                "overall": _item(now_item),
                "previous_period": before["period"] if before else None,
                "previous_overall": _item(before_item),
                "change": change,
                # Why there is no change test: scales_differ, low_base, not_testable (None
                # when it ran, or when there is no earlier survey).
                "change_note": note,
                "gaps": gap_counts.get(journey.id, 0),
                "recommendations": sum(by_status.values()),
                "by_status": by_status,
                "open_recommendations": still_open.get(journey.id, 0),
            }
        )
    tested = sum(1 for c, _note in changes.values() if c)
    return {"period": period, "alpha": ALPHA, "tested": tested, "journeys": rows}
