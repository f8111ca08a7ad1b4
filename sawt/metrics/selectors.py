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
from sawt.metrics import stats
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


def _item(question: Question, counts: dict[int, int], population: int | None) -> dict:
    scale = stats.scored_scale(question.scale_min, question.scale_max)
    return item_dict(question.code, stats.item_stats(counts, scale, population))


def item_dict(code: str, figures: stats.ItemStats) -> dict:
    """An item's figures as the summary writes them (docs/summary.md), for every reader."""
    return {
        "code": code,
        "n": figures.n,
        "mean": figures.mean,
        "sd": figures.sd,
        "ci95": list(figures.ci95) if figures.ci95 else None,
        "top2": figures.top2,
        "distribution": figures.distribution,
    }


def _stages(
    journey: Journey,
    questions: list[Question],
    counts: dict[int, dict[int, int]],
    population: int | None,
) -> list[dict]:
    by_stage: dict[int | None, list[dict]] = defaultdict(list)
    for q in questions:
        if q.kind in (QuestionKind.OVERALL, QuestionKind.TEXT):
            continue
        item = _item(q, counts.get(q.id, {}), population)
        item.update(kind=q.kind, text={"ar": q.text_ar, "en": q.text_en})
        by_stage[q.stage_id].append(item)
    result = []
    for stage in journey.stages.all():
        items = by_stage.get(stage.id, [])
        result.append(
            {
                "code": stage.code,
                "name": stage.names(),
                "mean": stats.mean_of_means([i["mean"] for i in items]),
                "items": items,
            }
        )
    if by_stage.get(None):  # scored items not placed in a stage are still reported
        items = by_stage[None]
        result.append(
            {
                "code": None,
                "name": {"ar": "خارج المراحل", "en": "Outside the stages"},
                "mean": stats.mean_of_means([i["mean"] for i in items]),
                "items": items,
            }
        )
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
    *, journey_slug: str, period: str, journeys: QuerySet[Journey] | None = None
) -> dict:
    """The public summary of a journey and period (documented in docs/summary.md).

    `journeys` is where the journey is looked up: a person's `journeys_for(user)` on the web;
    every journey for the CLI, which runs with the database's own rights."""
    journey = journey_get(journey_slug=journey_slug, journeys=journeys)
    survey = survey_for_period(journey=journey, period=period)
    start, end = period_bounds(period)
    questions = list(survey.questions.all())
    counts = score_counts(q.id for q in questions if q.kind != QuestionKind.TEXT)
    population = survey.population_size
    complaints = Complaint.objects.filter(
        journey=journey, received_at__gte=start, received_at__lt=end
    )
    responses = Response.objects.filter(survey=survey).count()
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
            "response_rate": stats.response_rate(responses, survey.sample_size),
            "complaints": complaint_total,
        },
        "overall": _item(overall_q, counts.get(overall_q.id, {}), population)
        if overall_q
        else None,
        "stages": _stages(journey, questions, counts, population),
        "gap_categories": _gap_categories(
            journey,
            complaints,
            complaint_total,
            [q.id for q in questions if q.kind == QuestionKind.TEXT],
        ),
        "gaps": _gaps(journey, period),
        # The response funnel of invitations sent through sawt; None for an imported survey.
        "distribution": distribution_funnel(survey),
    }
