"""The report as one frozen object. The HTML page, the PDF and the XLSX are renderers of it and
never query the database themselves, so their figures cannot diverge."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from sawt.catalog.models import Journey
from sawt.complaints.models import Complaint
from sawt.core.exceptions import ApplicationError
from sawt.core.periods import parse_period, period_bounds
from sawt.gaps.models import Gap
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

    sent: int
    responses: int
    response_rate: float | None
    complaints: int
    margin_of_error: float | None
    population: int | None
    workshops: int
    workshop_participants: int
    workshop_notes: int


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


@dataclass(frozen=True)
class PortfolioReport:
    """Every journey measured in a period, in the order of the contents page."""

    period: str
    target: float
    journeys: tuple[JourneyReport, ...]


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


def _categories(ranking: list[dict], quotes_for) -> tuple[Category, ...]:
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


def _sample(summary: dict, survey: Survey, journey: Journey, period: str) -> Sample:
    start, end = (d.date() for d in period_bounds(period))
    workshops = list(
        Workshop.objects.filter(
            journey=journey, held_on__gte=start, held_on__lt=end
        ).prefetch_related("notes")
    )
    overall = summary["overall"]
    margin = (overall["ci95"][1] - overall["ci95"][0]) / 2 if overall and overall["ci95"] else None
    s = summary["sample"]
    return Sample(
        sent=s["sent"],
        responses=s["responses"],
        response_rate=s["response_rate"],
        complaints=s["complaints"],
        margin_of_error=margin,
        population=survey.population_size,
        workshops=len(workshops),
        workshop_participants=sum(w.participants or 0 for w in workshops),
        workshop_notes=sum(len(w.notes.all()) for w in workshops),
    )


def journey_report(*, journey_slug: str, period: str, target: float | None = None) -> JourneyReport:
    """Build the frozen report of a journey and period from the metrics engine and the register."""
    target = settings.SAWT_REPORT_TARGET if target is None else target
    summary = journey_summary(journey_slug=journey_slug, period=period)
    journey = Journey.objects.select_related("agency").get(slug=journey_slug)
    survey = Survey.objects.get(journey=journey, period=period)
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
    gaps = summary["gaps"]
    statuses = {k for k, v in gaps["by_status"].items() if v}
    return JourneyReport(
        slug=journey.slug,
        name=journey.names(),
        agency=journey.agency.names(),
        agency_code=journey.agency.code,
        period=period,
        target=target,
        sample=_sample(summary, survey, journey, period),
        overall=_item(summary["overall"], target) if summary["overall"] else None,
        stages=stages,
        complaint_categories=_categories(
            summary["gap_categories"]["complaints"],
            lambda codes: _complaint_quotes(journey, period, codes),
        ),
        survey_categories=_categories(
            summary["gap_categories"]["survey"], lambda codes: _answer_quotes(survey, codes)
        ),
        gaps=_gaps(journey, period),
        gap_count=gaps["count"],
        recommendation_count=gaps["recommendations"],
        by_status=gaps["by_status"],
        status=statuses.pop() if len(statuses) == 1 else None,
    )


def portfolio_report(*, period: str, target: float | None = None) -> PortfolioReport:
    """Every journey with a survey in the period, grouped by agency, as one report."""
    parse_period(period)
    slugs = list(
        Survey.objects.filter(period=period)
        .order_by("journey__agency__code", "journey__slug")
        .values_list("journey__slug", flat=True)
    )
    if not slugs:
        known = sorted(set(Survey.objects.values_list("period", flat=True)), reverse=True)
        raise ApplicationError(
            _("No journey has a survey for %(period)s. Periods with surveys: %(known)s.")
            % {"period": period, "known": ", ".join(known) or "—"}
        )
    target = settings.SAWT_REPORT_TARGET if target is None else target
    return PortfolioReport(
        period=period,
        target=target,
        journeys=tuple(journey_report(journey_slug=s, period=period, target=target) for s in slugs),
    )
