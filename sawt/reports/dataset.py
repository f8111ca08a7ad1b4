"""The reports as frozen objects. The HTML pages, the PDF and the XLSX are renderers of them and
never query the database themselves, so their figures cannot diverge.

A journey's leading figures (sample, complaints, overall satisfaction, the register's counts)
are one `JourneyLine`. A portfolio computes the lines of all its journeys at once
(`metrics.portfolio`, a fixed number of queries); its page lists them and its PDF's journey
reports are led by them. A journey reported alone takes its line from its own summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet

from sawt.catalog.models import Journey
from sawt.complaints.models import Complaint
from sawt.core.periods import period_bounds
from sawt.gaps.models import Gap
from sawt.metrics.portfolio import portfolio_summary
from sawt.metrics.selectors import journey_summary
from sawt.reports.quotes import SAMPLE, representative
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Answer, Survey
from sawt.workshops.models import Workshop

# Items answered by fewer people are shown, but marked as a low base (read with care).
LOW_BASE = 30
# How many categories each "voice of the customer" ranking shows.
TOP_CATEGORIES = 6
Names = dict[str, str]


@dataclass(frozen=True)
class Item:
    """One scored item as the report shows it."""

    code: str
    kind: str
    text: Names
    n: int
    mean: float | None
    sd: float | None
    ci95: tuple[float, float] | None
    top2: float | None
    distribution: dict[str, int]
    low_base: bool
    meets_target: bool | None


@dataclass(frozen=True)
class Stage:
    """A journey stage with its score (mean of its item means) and items."""

    code: str | None
    name: Names
    mean: float | None
    meets_target: bool | None
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Category:
    """A reason for dissatisfaction with its count, share and one customer's words."""

    code: str
    name: Names
    count: int
    labelled: int
    share: float | None
    quote: str | None
    # Distinct near-duplicate groups behind `count` (complaints only; None for answers).
    groups: int | None = None


@dataclass(frozen=True)
class Recommendation:
    """The decision on a gap, its owner and where it stands."""

    text: Names
    owner: Names
    status: str
    due_date: dt.date | None


@dataclass(frozen=True)
class GapRow:
    """One gap of the register: what customers said and what was decided."""

    number: int
    feedback: Names
    stage: Names | None
    category: Names | None
    recommendations: tuple[Recommendation, ...]


@dataclass(frozen=True)
class Sample:
    """Who was asked, who answered, what was received, and how precise that makes the score."""

    sent: int | None
    responses: int
    response_rate: float | None
    complaints: int
    margin_of_error: float | None
    population: int | None
    workshops: int
    workshop_participants: int
    workshop_notes: int


@dataclass(frozen=True)
class Change:
    """The change in overall satisfaction since the journey's previous survey: Welch's t-test,
    Holm-adjusted across the journeys of the portfolio; a direction only when significant."""

    difference: float
    t: float
    df: float
    p: float
    p_adjusted: float
    significant: bool
    direction: str | None


@dataclass(frozen=True)
class JourneyLine:
    """One journey in a period as the portfolio lists it: the figures each of its reports leads
    with, and the change since its previous survey."""

    slug: str
    name: Names
    agency: Names
    agency_code: str
    sent: int | None
    responses: int
    response_rate: float | None
    complaints: int
    overall: Item | None
    gap_count: int
    recommendation_count: int
    by_status: dict[str, int]
    previous_period: str | None
    change: Change | None


@dataclass(frozen=True)
class JourneyReport:
    """Everything one journey's report shows for a period."""

    slug: str
    name: Names
    agency: Names
    agency_code: str
    period: str
    target: float
    sample: Sample
    overall: Item | None
    stages: tuple[Stage, ...]
    complaint_categories: tuple[Category, ...]
    survey_categories: tuple[Category, ...]
    gaps: tuple[GapRow, ...]
    gap_count: int
    recommendation_count: int
    by_status: dict[str, int]
    status: str | None = field(default=None)  # the one status all recommendations share


def _meets(mean: float | None, target: float) -> bool | None:
    return None if mean is None else mean >= target


def _item(data: dict, target: float, kind: str = QuestionKind.OVERALL) -> Item:
    return Item(
        code=data["code"],
        kind=data.get("kind", kind),
        text=data.get("text", {"ar": "", "en": ""}),
        n=data["n"],
        mean=data["mean"],
        sd=data["sd"],
        ci95=tuple(data["ci95"]) if data["ci95"] else None,
        top2=data["top2"],
        distribution=data["distribution"],
        low_base=data["n"] < LOW_BASE,
        meets_target=_meets(data["mean"], target),
    )


def _complaint_quotes(journey: Journey, period: str, codes: list[str]) -> dict[str, str | None]:
    start, end = period_bounds(period)
    quotes = {}
    for code in codes:
        texts = (
            Complaint.objects.filter(
                journey=journey, received_at__gte=start, received_at__lt=end, category__code=code
            )
            .order_by("received_at", "id")
            .values_list("text", flat=True)[: 4 * SAMPLE]
        )
        quotes[code] = representative(list(texts))
    return quotes


def _answer_quotes(survey: Survey, codes: list[str]) -> dict[str, str | None]:
    quotes = {}
    for code in codes:
        texts = (
            Answer.objects.filter(
                question__survey=survey, question__kind=QuestionKind.TEXT, category__code=code
            )
            .order_by("id")
            .values_list("text", flat=True)[: 4 * SAMPLE]
        )
        quotes[code] = representative(list(texts))
    return quotes


def _categories(
    ranking: list[dict], quotes_for: Callable[[list[str]], dict[str, str | None]]
) -> tuple[Category, ...]:
    top = [c for c in ranking if c["count"]][:TOP_CATEGORIES]
    quotes = quotes_for([c["code"] for c in top])
    return tuple(
        Category(
            c["code"],
            c["name"],
            c["count"],
            c["labelled"],
            c["share"],
            quotes[c["code"]],
            c.get("groups"),
        )
        for c in top
    )


def _gaps(journey: Journey, period: str) -> tuple[GapRow, ...]:
    gaps = (
        Gap.objects.filter(journey=journey, period=period)
        .select_related("stage", "category")
        .prefetch_related("recommendations__owner")
        .order_by("number")
    )
    return tuple(
        GapRow(
            number=gap.number,
            feedback={"ar": gap.feedback_ar, "en": gap.feedback_en},
            stage=gap.stage.names() if gap.stage else None,
            category=gap.category.names() if gap.category else None,
            recommendations=tuple(
                Recommendation(
                    {"ar": r.text_ar, "en": r.text_en}, r.owner.names(), r.status, r.due_date
                )
                for r in gap.recommendations.all()
            ),
        )
        for gap in gaps
    )


def _sample(line: JourneyLine, survey: Survey, journey: Journey, period: str) -> Sample:
    start, end = (d.date() for d in period_bounds(period))
    workshops = list(
        Workshop.objects.filter(
            journey=journey, held_on__gte=start, held_on__lt=end
        ).prefetch_related("notes")
    )
    ci = line.overall.ci95 if line.overall else None
    return Sample(
        sent=line.sent,
        responses=line.responses,
        response_rate=line.response_rate,
        complaints=line.complaints,
        margin_of_error=(ci[1] - ci[0]) / 2 if ci else None,
        population=survey.population_size,
        workshops=len(workshops),
        workshop_participants=sum(w.participants or 0 for w in workshops),
        workshop_notes=sum(len(w.notes.all()) for w in workshops),
    )


def _change(change: dict | None) -> Change | None:
    if change is None:
        return None
    return Change(
        difference=change["difference"],
        t=change["t"],
        df=change["df"],
        p=change["p"],
        p_adjusted=change["p_adjusted"],
        significant=change["significant"],
        direction=change["direction"],
    )


def journey_lines(
    *, period: str, journeys: QuerySet[Journey] | None = None, target: float | None = None
) -> tuple[float, tuple[JourneyLine, ...]]:
    """(the change test's level, a line for every journey among `journeys` with a survey in
    `period`), by agency then slug, in a fixed number of queries whatever their number."""
    target = settings.SAWT_REPORT_TARGET if target is None else target
    summary = portfolio_summary(period=period, journeys=journeys)
    lines = tuple(
        JourneyLine(
            slug=row["journey"].slug,
            name=row["journey"].names(),
            agency=row["journey"].agency.names(),
            agency_code=row["journey"].agency.code,
            sent=row["sent"],
            responses=row["responses"],
            response_rate=row["response_rate"],
            complaints=row["complaints"],
            overall=_item(row["overall"], target) if row["overall"] else None,
            gap_count=row["gaps"],
            recommendation_count=row["recommendations"],
            by_status=row["by_status"],
            previous_period=row["previous_period"],
            change=_change(row["change"]),
        )
        for row in summary["journeys"]
    )
    return summary["alpha"], lines


def _summary_line(summary: dict, target: float) -> JourneyLine:
    """The line of a journey reported alone, from its own summary: the same figures, by the same
    definitions, as its portfolio line (a test holds them equal); no change is tested alone."""
    journey, sample, gaps = summary["journey"], summary["sample"], summary["gaps"]
    return JourneyLine(
        slug=journey["slug"],
        name=journey["name"],
        agency=journey["agency"]["name"],
        agency_code=journey["agency"]["code"],
        sent=sample["sent"],
        responses=sample["responses"],
        response_rate=sample["response_rate"],
        complaints=sample["complaints"],
        overall=_item(summary["overall"], target) if summary["overall"] else None,
        gap_count=gaps["count"],
        recommendation_count=gaps["recommendations"],
        by_status=gaps["by_status"],
        previous_period=None,
        change=None,
    )


def journey_report(
    *,
    journey_slug: str,
    period: str,
    target: float | None = None,
    line: JourneyLine | None = None,
) -> JourneyReport:
    """Build the frozen report of a journey and period from the metrics engine and the register,
    led by the journey's line: the one its portfolio passes (so the portfolio's page and PDF
    show the same figures), or the one its own summary gives when it is reported alone."""
    target = settings.SAWT_REPORT_TARGET if target is None else target
    summary = journey_summary(journey_slug=journey_slug, period=period)
    journey = Journey.objects.select_related("agency").get(slug=journey_slug)
    survey = Survey.objects.get(journey=journey, period=period)
    if line is None:
        line = _summary_line(summary, target)
    stages = tuple(
        Stage(
            code=s["code"],
            name=s["name"],
            mean=s["mean"],
            meets_target=_meets(s["mean"], target),
            items=tuple(_item(i, target) for i in s["items"]),
        )
        for s in summary["stages"]
    )
    statuses = {k for k, v in line.by_status.items() if v}
    return JourneyReport(
        slug=journey.slug,
        name=journey.names(),
        agency=journey.agency.names(),
        agency_code=journey.agency.code,
        period=period,
        target=target,
        sample=_sample(line, survey, journey, period),
        overall=line.overall,
        stages=stages,
        complaint_categories=_categories(
            summary["gap_categories"]["complaints"],
            lambda codes: _complaint_quotes(journey, period, codes),
        ),
        survey_categories=_categories(
            summary["gap_categories"]["survey"], lambda codes: _answer_quotes(survey, codes)
        ),
        gaps=_gaps(journey, period),
        gap_count=line.gap_count,
        recommendation_count=line.recommendation_count,
        by_status=line.by_status,
        status=statuses.pop() if len(statuses) == 1 else None,
    )
