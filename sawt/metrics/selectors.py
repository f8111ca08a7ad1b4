"""Reads for the metrics engine: sufficient statistics from the database, figures in Python.

Every figure sawt shows about a journey and period comes from `journey_summary`. The database
does the heavy part (one GROUP BY over answers, a few counts); stats.py does the maths.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from sawt.catalog.choices import LABEL_SOURCES
from sawt.catalog.models import GapCategory, Journey
from sawt.complaints.models import Complaint
from sawt.core.exceptions import ApplicationError
from sawt.core.periods import parse_period, period_bounds
from sawt.distribution.selectors import distribution_funnel
from sawt.gaps.choices import RecommendationStatus
from sawt.gaps.models import Gap, Recommendation
from sawt.metrics import segments, stats, targets
from sawt.metrics.drivers import journey_drivers
from sawt.metrics.trends import journey_trend, summary_trend
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Answer, Question, Response, ScoreCount, Survey


def score_counts(question_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """{question id: {score: count}}, read from the counts the database keeps per (question,
    score): a few dozen rows per survey however many people answered (see surveys 0005)."""
    rows = ScoreCount.objects.filter(question_id__in=list(question_ids), count__gt=0).values_list(
        "question_id", "score", "count"
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, score, c in rows:
        counts[question_id][score] = c
    return counts


def journey_get(*, journey_slug: str, journeys: QuerySet[Journey] | None = None) -> Journey:
    """The journey with this slug among `journeys` (default: all), or an error to act on."""
    # A journey outside `journeys` gets the same message as a missing one: no hint it exists.
    journeys = Journey.objects.all() if journeys is None else journeys
    journey = journeys.select_related("agency").filter(slug=journey_slug).first()
    if journey is None:
        raise ApplicationError(_("No journey has the slug “%(slug)s”.") % {"slug": journey_slug})
    return journey


def survey_for_period(*, journey: Journey, period: str) -> Survey:
    """The journey's survey of the period; the error lists the periods that do exist."""
    parse_period(period)
    survey = Survey.objects.filter(journey=journey, period=period).first()
    if survey is None:
        known = ", ".join(Survey.objects.filter(journey=journey).values_list("period", flat=True))
        values = {"slug": journey.slug, "period": period, "known": known}
        if known:
            message = _(
                "The journey “%(slug)s” has no survey for %(period)s. "
                "Periods with a survey: %(known)s."
            )
        else:
            message = _("The journey “%(slug)s” has no survey for %(period)s, nor for any period.")
        raise ApplicationError(message % values)
    return survey


def _item(
    question: Question, counts: dict[int, int], population: int | None, not_applicable: int = 0
) -> dict:
    scale = stats.scored_scale(question.scale_min, question.scale_max)
    figures = stats.item_stats(counts, scale, population, min_n=targets.min_n())
    return item_dict(question.code, figures, kind=question.kind, not_applicable=not_applicable)


def item_dict(
    code: str,
    figures: stats.ItemStats,
    *,
    kind: str = QuestionKind.OVERALL,
    not_applicable: int = 0,
) -> dict:
    """An item's figures as the summary writes them (docs/summary.md), for every reader: with
    the target of its kind and scale, and, for an NPS item, its net score."""
    points = [int(p) for p in figures.distribution]
    scale = (min(points), max(points))
    target = targets.target_for(kind, scale)
    item: dict[str, Any] = {
        "code": code,
        "n": figures.n,
        "not_applicable": not_applicable,
        "mean": figures.mean,
        "sd": figures.sd,
        "ci95": list(figures.ci95) if figures.ci95 else None,
        "low_base": figures.low_base,
        "top2": figures.top2,
        "top_box_points": figures.top_box_points,
        "scale": list(scale),
        "distribution": figures.distribution,
    }
    judged = figures.mean
    if targets.is_nps(kind, scale):
        result = stats.nps({int(p): c for p, c in figures.distribution.items() if c})
        item["nps"] = (
            None
            if result is None
            else {
                "score": result.score,
                "promoters": result.promoters,
                "detractors": result.detractors,
                # No margin on a low base, as no interval for a mean.
                "moe95": None if figures.low_base else result.moe95,
            }
        )
        judged = result.score if result else None
    item["target"] = target
    item["meets_target"] = None if judged is None else judged >= target
    return item


def _stage(code: str | None, name: dict[str, str], items: list[dict]) -> dict:
    """A stage's score: the plain mean of the means of its items on one scale (items on another
    scale are listed, not averaged in: `excluded`), with the smallest n behind it and no
    interval (stats.stage_score)."""
    score = stats.stage_score(
        [(i["code"], (i["scale"][0], i["scale"][1]), i["n"], i["mean"]) for i in items]
    )
    return {
        "code": code,
        "name": name,
        "mean": score.mean,
        "n_min": score.n_min,
        "low_base": score.n_min is not None and score.n_min < targets.min_n(),
        "scale": list(score.scale) if score.scale else None,
        "excluded": list(score.excluded),
        "target": targets.target_for(QuestionKind.SATISFACTION, score.scale)
        if score.scale
        else None,
        "items": items,
    }


def _not_applicable(question_ids: list[int]) -> dict[int, int]:
    """{question id: answers recorded as not applicable}, in one query."""
    rows = (
        Answer.objects.filter(question_id__in=question_ids, score__isnull=True, not_applicable=True)
        .values("question_id")
        .annotate(c=Count("id"))
        .values_list("question_id", "c")
    )
    return dict(rows)


def _completed(survey: Survey, responses: int) -> int:
    """Responses with at least one answer that is not "not applicable": a row with no answer, or
    only not-applicable ones, is not a completed response. The survey keeps the count of those
    (surveys/services/tallies.py); an anti-join over every response took most of a second on
    a million."""
    return max(0, responses - survey.empty_responses)


def _stages(
    journey: Journey,
    questions: list[Question],
    counts: dict[int, dict[int, int]],
    population: int | None,
    not_applicable: dict[int, int] | None = None,
) -> list[dict]:
    by_stage: dict[int | None, list[dict]] = defaultdict(list)
    for q in questions:
        if q.kind in (QuestionKind.OVERALL, QuestionKind.TEXT):
            continue
        item = _item(q, counts.get(q.id, {}), population, (not_applicable or {}).get(q.id, 0))
        item.update(kind=q.kind, text={"ar": q.text_ar, "en": q.text_en})
        by_stage[q.stage_id].append(item)
    result = [
        _stage(stage.code, stage.names(), by_stage.get(stage.id, []))
        for stage in journey.stages.all()
    ]
    if by_stage.get(None):  # scored items not placed in a stage are still reported
        outside = {"ar": "خارج المراحل", "en": "Outside the stages"}
        result.append(_stage(None, outside, by_stage[None]))
    return result


def _category_ranking(
    categories: list[GapCategory], rows: Iterable[dict[str, Any]], total: int
) -> list[dict]:
    """Every category of the taxonomy with its count, human-labelled count and share (and, for
    complaints, how many distinct near-duplicate groups stand behind the count)."""
    found = {r["category_id"]: r for r in rows}
    ranking = []
    for cat in categories:
        row = found.get(cat.id, {"count": 0, "labelled": 0, "groups": 0})
        entry = {
            "code": cat.code,
            "name": cat.names(),
            "count": row["count"],
            "labelled": row["labelled"],
            "share": row["count"] / total if total else None,
        }
        if "groups" in row:
            entry["groups"] = row["groups"]
        ranking.append(entry)
    # Largest first; the taxonomy's own order breaks ties so the ranking is stable.
    return sorted(ranking, key=lambda r: -r["count"])


def _gap_categories(
    journey: Journey,
    complaints: QuerySet[Complaint],
    complaint_total: int,
    text_question_ids: list[int],
    responses: QuerySet[Response] | None = None,
) -> dict:
    categories = list(journey.gap_categories.all())
    counted = dict(
        count=Count("id"), labelled=Count("id", filter=Q(category_source__in=LABEL_SOURCES))
    )
    complaint_rows = list(
        complaints.filter(category__isnull=False).values("category_id").annotate(**counted)
    )
    # A complaint with no near-duplicate has no group and counts as one group; the few that
    # share one are counted apart, from their own small index (a DISTINCT over every complaint
    # of the period tripled the time of the query above).
    grouped = {
        row["category_id"]: row
        for row in complaints.filter(category__isnull=False, duplicate_group__isnull=False)
        .values("category_id")
        .annotate(members=Count("id"), groups=Count("duplicate_group", distinct=True))
    }
    for row in complaint_rows:
        shared = grouped.get(row["category_id"], {"members": 0, "groups": 0})
        row["groups"] = row["count"] - shared["members"] + shared["groups"]
    # Filter on the question ids, not a join: the answer table is the big one, and its
    # (question, score) index finds one question's answers without touching the others. No
    # test on the text: an open question has no scale, so its answers cannot carry a score,
    # and `answer_not_empty` then guarantees a text; the count is read from the index alone.
    open_text = Answer.objects.filter(question_id__in=text_question_ids)
    if responses is not None:  # a segment's open answers only
        open_text = open_text.filter(response_id__in=responses.values("id"))
    answer_rows = open_text.filter(category__isnull=False).values("category_id").annotate(**counted)
    return {
        "complaints": _category_ranking(categories, complaint_rows, complaint_total),
        "survey": _category_ranking(categories, answer_rows, open_text.count()),
    }


def _gaps(journey: Journey, period: str) -> dict:
    gaps = Gap.objects.filter(journey=journey, period=period)
    by_status = dict.fromkeys(RecommendationStatus.values, 0)
    recs = Recommendation.objects.filter(gap__in=gaps).values("status").annotate(c=Count("id"))
    for row in recs:
        by_status[row["status"]] = row["c"]
    return {
        "count": gaps.count(),
        "recommendations": sum(by_status.values()),
        "by_status": by_status,
    }


def journey_summary(
    *,
    journey_slug: str,
    period: str,
    journeys: QuerySet[Journey] | None = None,
    segment: segments.Segment | None = None,
) -> dict:
    """The public summary of a journey and period (documented in docs/summary.md).

    `journeys` is where the journey is looked up: a person's `journeys_for(user)` on the web;
    every journey for the CLI, which runs with the database's own rights. With a `segment`,
    every figure from the survey is the segment's (refused under SAWT_MIN_SEGMENT); complaints
    are not respondents and stay the period's."""
    journey = journey_get(journey_slug=journey_slug, journeys=journeys)
    survey = survey_for_period(journey=journey, period=period)
    segment_n = segments.segment_check(survey, segment) if segment else None
    in_segment = segments.segment_responses(survey, segment) if segment else None
    start, end = period_bounds(period)
    questions = list(survey.questions.all())
    scored_ids = [q.id for q in questions if q.kind != QuestionKind.TEXT]
    if segment:
        counts = segments.segment_score_counts(scored_ids, survey, segment)
        not_applicable = segments.segment_not_applicable(scored_ids, survey, segment)
    else:
        counts = score_counts(scored_ids)
        not_applicable = _not_applicable(scored_ids)
    # A segment's size in the population is unknown: no finite population correction.
    population = None if segment else survey.population_size
    complaints = Complaint.objects.filter(
        journey=journey, received_at__gte=start, received_at__lt=end
    )
    responses = Response.objects.filter(survey=survey).count() if segment_n is None else segment_n
    completed = (
        segments.segment_completed(survey, segment) if segment else _completed(survey, responses)
    )
    complaint_total = complaints.count()
    overall_q = next((q for q in questions if q.kind == QuestionKind.OVERALL), None)
    return {
        "journey": {
            "slug": journey.slug,
            "name": journey.names(),
            "agency": {"code": journey.agency.code, "name": journey.agency.names()},
        },
        "period": period,
        "sample": {
            "sent": survey.sample_size,
            "responses": responses,
            "completed": completed,
            # Invitations are not counted per segment: no response rate for one.
            "response_rate": None
            if segment
            else stats.response_rate(completed, survey.sample_size),
            "complaints": complaint_total,
        },
        "overall": _item(
            overall_q,
            counts.get(overall_q.id, {}),
            population,
            not_applicable.get(overall_q.id, 0),
        )
        if overall_q
        else None,
        "stages": _stages(journey, questions, counts, population, not_applicable),
        "gap_categories": _gap_categories(
            journey,
            complaints,
            complaint_total,
            [q.id for q in questions if q.kind == QuestionKind.TEXT],
            in_segment,
        ),
        "gaps": _gaps(journey, period),
        # The response funnel of invitations sent through sawt; None for an imported survey.
        "distribution": distribution_funnel(survey),
        # What drives the overall score (sawt.metrics.drivers); None on too small a base.
        "drivers": journey_drivers(survey=survey, segment=segment),
        "segment": {"attribute": segment.attribute, "value": segment.value, "n": segment_n}
        if segment
        else None,
        # The earlier periods of the journey, oldest first (docs/summary.md, `trend`).
        "trend": summary_trend(
            journey_trend(journey=journey, period=period, segment=segment, tested=False)
        ),
    }
