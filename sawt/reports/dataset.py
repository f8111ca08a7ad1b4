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
from sawt.gaps.choices import OPEN_STATUSES
from sawt.gaps.models import Gap
from sawt.gaps.models import Recommendation as RecommendationModel
from sawt.metrics.director import journey_director
from sawt.metrics.impact import journey_verdict_counts, report_impact, verdict_counts
from sawt.metrics.portfolio import portfolio_summary
from sawt.metrics.segments import Segment, segment_comparison
from sawt.metrics.selectors import journey_summary
from sawt.metrics.targets import min_n
from sawt.metrics.trends import journey_trend
from sawt.reports.quotes import SAMPLE, representative
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Answer, Survey
from sawt.workshops.models import Workshop

# Items answered by fewer people are shown, but marked as a low base (read with care). The
# figure in force is settings.SAWT_MIN_N (JourneyReport.min_n); this is its default.
LOW_BASE = 30
# How many categories each "voice of the customer" ranking shows (more when some tie with the
# last one: a cut through equals would drop one of them silently).
TOP_CATEGORIES = 6
Names = dict[str, str]


@dataclass(frozen=True)
class NetScore:
    """An NPS item's net promoter score (−100…100), its shares and its 95 % margin in points
    (None on a low base)."""

    score: float
    promoters: float
    detractors: float
    moe95: float | None


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
    # The top-box share: the top two points on a scale of five or more, the top one below.
    top2: float | None
    distribution: dict[str, int]
    low_base: bool
    meets_target: bool | None
    scale: tuple[int, int] = (1, 5)
    # The item's target: a mean on its scale, or, for an NPS item, a net score.
    target: float | None = None
    top_box_points: int = 2
    not_applicable: int = 0
    nps: NetScore | None = None


@dataclass(frozen=True)
class Stage:
    """A journey stage: its score is the plain mean of the means of its items on one scale
    (`excluded` names the items on another), shown with the smallest n behind it (`n_min`)."""

    code: str | None
    name: Names
    mean: float | None
    meets_target: bool | None
    items: tuple[Item, ...]
    n_min: int | None = None
    low_base: bool = False
    scale: tuple[int, int] | None = None
    excluded: tuple[str, ...] = ()
    target: float | None = None


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
    # Responses with at least one answer that is not "not applicable": the rate's numerator.
    completed: int = 0


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
    completed: int = 0
    # Why the change was not tested: scales_differ, low_base, not_testable (or None).
    change_note: str | None = None
    # Its implemented or verified recommendations by impact verdict up to the period
    # (metrics.impact.verdict_counts: improved, no_change, worse, too_early).
    impact: dict[str, int] | None = None
    # Its recommendations still open (proposed, approved, in progress) from the gaps of the
    # period and every earlier one; None on the line of a journey reported alone.
    open_recommendations: int | None = None


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
    # Fewest answers for an interval (settings.SAWT_MIN_N).
    min_n: int = LOW_BASE
    # Whether a ranking shows more than TOP_CATEGORIES because some tie with the last one.
    complaints_tied: bool = False
    survey_tied: bool = False
    # The journey's series up to the period (metrics.trends.journey_trend) and the director's
    # view at the top of the report (metrics.director.journey_director).
    trend: dict | None = None
    director: dict | None = None
    # Did it work? metrics.impact.report_impact: journey_impact up to the period, with the
    # names of the targets and the decisions that its section shows.
    impact: dict | None = None
    # Key drivers (metrics.drivers.journey_drivers, each with its item's text and scale), None
    # on too small a base; the segment the report is limited to ({attribute, value, n}); the
    # comparison of an attribute's values (metrics.segments.segment_comparison).
    drivers: tuple[dict, ...] | None = None
    segment: dict | None = None
    segments: dict | None = None


def _meets(mean: float | None, target: float | None) -> bool | None:
    return None if mean is None or target is None else mean >= target


def _item(data: dict, target: float | None = None, kind: str = QuestionKind.OVERALL) -> Item:
    """An item of the summary (metrics.selectors.item_dict) as the report shows it: judged
    against its own kind and scale's target, which the summary carries."""
    scale = tuple(data["scale"]) if data.get("scale") else _scale_of(data["distribution"])
    nps = data.get("nps")
    if target is not None and not nps and scale == (1, 5):
        # A target given for this report (`sawt report --target`) is a 1–5 target.
        data = {**data, "target": target, "meets_target": _meets(data["mean"], target)}
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
        low_base=data.get("low_base", data["n"] < LOW_BASE),
        meets_target=data["meets_target"]
        if "meets_target" in data
        else _meets(data["mean"], target),
        scale=(scale[0], scale[1]),
        target=data.get("target", target),
        top_box_points=data.get("top_box_points", 2),
        not_applicable=data.get("not_applicable", 0),
        nps=NetScore(nps["score"], nps["promoters"], nps["detractors"], nps["moe95"])
        if nps
        else None,
    )


def _stage_target(stage: dict, override: float | None) -> float | None:
    if override is not None and stage["scale"] == [1, 5]:
        return override
    return stage["target"]


def _scale_of(distribution: dict[str, int]) -> tuple[int, int]:
    points = [int(p) for p in distribution] or [1, 5]
    return min(points), max(points)


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


def top_categories(ranking: list[dict], top: int = TOP_CATEGORIES) -> tuple[list[dict], bool]:
    """The first `top` categories with a count, and every one tied with the last of them:
    (the rows, whether ties took the list past `top`)."""
    counted = [c for c in ranking if c["count"]]
    if len(counted) <= top:
        return counted, False
    cut = counted[top - 1]["count"]
    rows = [c for i, c in enumerate(counted) if i < top or c["count"] == cut]
    return rows, len(rows) > top


def _categories(
    ranking: list[dict], quotes_for: Callable[[list[str]], dict[str, str | None]]
) -> tuple[tuple[Category, ...], bool]:
    top, tied = top_categories(ranking)
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
    ), tied


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
        completed=line.completed,
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
    override, target = target, settings.SAWT_REPORT_TARGET if target is None else target
    summary = portfolio_summary(period=period, journeys=journeys)
    verdicts = verdict_counts(journeys=[r["journey"].id for r in summary["journeys"]], up_to=period)
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
            overall=_item(row["overall"], override) if row["overall"] else None,
            gap_count=row["gaps"],
            recommendation_count=row["recommendations"],
            by_status=row["by_status"],
            previous_period=row["previous_period"],
            change=_change(row["change"]),
            completed=row["completed"],
            change_note=row["change_note"],
            impact=verdicts[row["journey"].id],
            open_recommendations=row["open_recommendations"],
        )
        for row in summary["journeys"]
    )
    return summary["alpha"], lines


def _drivers(summary: dict) -> tuple[dict, ...] | None:
    """The summary's drivers with their items' text and scale, for the matrix and its table."""
    if summary.get("drivers") is None:
        return None
    items = {i["code"]: i for s in summary["stages"] for i in s["items"]}
    rows = []
    for d in summary["drivers"]:
        item = items.get(d["code"])
        if item is not None:
            scale = item.get("scale") or _scale_of(item["distribution"])
            rows.append({**d, "text": item["text"], "scale": (scale[0], scale[1])})
    return tuple(rows)


def _summary_line(summary: dict, target: float | None) -> JourneyLine:
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
        completed=sample["completed"],
        impact=journey_verdict_counts(slug=journey["slug"], up_to=summary["period"]),
    )


def journey_report(
    *,
    journey_slug: str,
    period: str,
    target: float | None = None,
    line: JourneyLine | None = None,
    segment: Segment | None = None,
    compare: str | None = None,
) -> JourneyReport:
    """Build the frozen report of a journey and period from the metrics engine and the register,
    led by the journey's line: the one its portfolio passes (so the portfolio's page and PDF
    show the same figures), or the one its own summary gives when it is reported alone.
    With a `segment` every survey figure is the segment's (its line is its own summary's);
    `compare` (default: the segment's attribute) adds the comparison of an attribute's values."""
    override, target = target, settings.SAWT_REPORT_TARGET if target is None else target
    summary = journey_summary(journey_slug=journey_slug, period=period, segment=segment)
    journey = Journey.objects.select_related("agency").get(slug=journey_slug)
    survey = Survey.objects.get(journey=journey, period=period)
    if line is None or segment is not None:
        line = _summary_line(summary, override)
    compare = compare or (segment.attribute if segment else None)
    stages = tuple(
        Stage(
            code=s["code"],
            name=s["name"],
            mean=s["mean"],
            meets_target=_meets(s["mean"], _stage_target(s, override)),
            items=tuple(_item(i, override) for i in s["items"]),
            n_min=s["n_min"],
            low_base=s["low_base"],
            scale=(s["scale"][0], s["scale"][1]) if s["scale"] else None,
            excluded=tuple(s["excluded"]),
            target=_stage_target(s, override),
        )
        for s in summary["stages"]
    )
    complaint_categories, complaints_tied = _categories(
        summary["gap_categories"]["complaints"],
        lambda codes: _complaint_quotes(journey, period, codes),
    )
    survey_categories, survey_tied = _categories(
        summary["gap_categories"]["survey"], lambda codes: _answer_quotes(survey, codes)
    )
    statuses = {k for k, v in line.by_status.items() if v}
    trend = journey_trend(journey=journey, period=period, segment=segment)
    impact = report_impact(journey=journey, up_to=period)
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
        complaint_categories=complaint_categories,
        survey_categories=survey_categories,
        gaps=_gaps(journey, period),
        gap_count=line.gap_count,
        recommendation_count=line.recommendation_count,
        by_status=line.by_status,
        status=statuses.pop() if len(statuses) == 1 else None,
        min_n=min_n(),
        complaints_tied=complaints_tied,
        survey_tied=survey_tied,
        trend=trend,
        director=journey_director(
            summary=summary,
            trend=trend,
            impact=impact,
            open_earlier=RecommendationModel.objects.filter(
                gap__journey=journey, gap__period__lt=period, status__in=OPEN_STATUSES
            ).count(),
        ),
        impact=impact,
        drivers=_drivers(summary),
        segment=summary["segment"],
        segments=segment_comparison(survey, compare) if compare else None,
    )
