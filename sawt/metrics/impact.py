"""Did the recommendations work? Each implemented recommendation's targets (its items, stage and
complaint category) compared between the journey's periods before and after its implementation.

The method, the verdict rules and the JSON are documented in docs/impact.md. In short:
- implemented at: the latest move to `implemented` of a recommendation now implemented or
  verified (one moved back to `in_progress` is not implemented);
- before: the last survey period ending on or before that moment; after: every survey period
  starting on or after it, pooled by adding their counts (sufficient statistics); the period in
  which it was implemented is neither;
- items: Welch's t-test of the means, on like scales only, when both sides have n ≥ SAWT_MIN_N;
- a stage: its items' answers pooled (one scale), tested with n = the largest item n per
  period, not the number of answers (one person's answers to three items are not three people);
- a complaint category: distinct complaints per 1,000 service transactions when the journey's
  transactions are known for every compared period (exact conditional Poisson test), else the
  category's share of all complaints (two-proportion z-test);
- p-values Holm-adjusted within each recommendation's measures.

Every read covers all the journeys asked for in a fixed number of queries (surveys, items,
score counts, complaints, transactions, recommendations, their implementation dates), so the
portfolio's verdict counts cost the same round trips for two journeys as for two hundred.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sawt.catalog.models import Journey
from sawt.complaints.models import Complaint
from sawt.core.periods import period_bounds
from sawt.distribution.models import ServiceTransaction
from sawt.gaps.choices import RecommendationStatus as S
from sawt.gaps.models import Recommendation, RecommendationEvent
from sawt.metrics import stats
from sawt.metrics.impact_stats import (
    TOO_EARLY,
    VERDICTS,
    measure_verdict,
    merge_counts,
    poisson_rate_test,
    recommendation_verdict,
    two_proportion_test,
)
from sawt.metrics.selectors import journey_get, score_counts
from sawt.metrics.targets import min_n  # fewer answers, transactions or complaints: no test
from sawt.surveys.choices import SCORED_KINDS, QuestionKind
from sawt.surveys.models import Question, Survey

# Two-sided significance level of every impact test, after Holm within a recommendation.
ALPHA = 0.05
# The statuses whose impact is assessed: the work is done (and perhaps already verified).
ASSESSED: tuple[str, ...] = (S.IMPLEMENTED, S.VERIFIED)
# How a category's volume is measured (the measure's `basis`).
PER_1000 = "per_1000_transactions"
SHARE = "share_of_complaints"


@dataclass(frozen=True)
class _Item:
    id: int
    code: str
    kind: str
    scale: tuple[int, int]
    stage: str | None


@dataclass
class _Wave:
    """One survey period of a journey and its scored items by code."""

    period: str
    start: dt.datetime
    end: dt.datetime
    items: dict[str, _Item] = field(default_factory=dict)


@dataclass
class _Data:
    """What the comparisons of one journey read, loaded with every other journey's."""

    waves: list[_Wave] = field(default_factory=list)  # oldest first
    # Distinct complaints (near-duplicates once) per period and category code (None: none).
    complaints: dict[str, dict[str | None, int]] = field(default_factory=dict)
    transactions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Side:
    periods: list[str]
    n: int
    value: float | None
    sd: float | None = None  # items and stages only


def _month(value: dt.datetime) -> str:
    local = timezone.localtime(value, timezone.get_default_timezone())
    return f"{local.year:04d}-{local.month:02d}"


def _load(
    journey_ids: list[int], up_to: str | None
) -> tuple[dict[int, _Data], dict[int, dict[int, int]]]:
    """({journey id: its periods, complaints and transactions}, {question id: score counts})."""
    surveys = Survey.objects.filter(journey_id__in=journey_ids)
    if up_to:
        surveys = surveys.filter(period__lte=up_to)
    data: dict[int, _Data] = defaultdict(_Data)
    waves: dict[int, _Wave] = {}
    for sid, jid, period in surveys.order_by("journey_id", "period").values_list(
        "id", "journey_id", "period"
    ):
        start, end = period_bounds(period)
        waves[sid] = _Wave(period, start, end)
        data[jid].waves.append(waves[sid])
    if not waves:
        return data, {}
    questions = Question.objects.filter(survey_id__in=list(waves), kind__in=SCORED_KINDS).values(
        "id", "survey_id", "code", "kind", "scale_min", "scale_max", "stage__code"
    )
    for q in questions:
        waves[q["survey_id"]].items[q["code"]] = _Item(
            q["id"],
            q["code"],
            q["kind"],
            stats.scored_scale(q["scale_min"], q["scale_max"]),
            q["stage__code"],
        )
    counts = score_counts(i.id for w in waves.values() for i in w.items.values())
    lo = min(w.start for w in waves.values())
    hi = max(w.end for w in waves.values())
    tz = timezone.get_default_timezone()
    periods = {w.period for w in waves.values()}
    # One grouped query each, whatever the number of journeys. A complaint without a
    # near-duplicate counts once; those sharing a group count once per group.
    complaint_rows = (
        Complaint.objects.filter(
            journey_id__in=journey_ids, received_at__gte=lo, received_at__lt=hi
        )
        .annotate(month=TruncMonth("received_at", tzinfo=tz))
        .values("journey_id", "month", "category__code")
        .annotate(
            single=Count("id", filter=Q(duplicate_group__isnull=True)),
            groups=Count("duplicate_group", distinct=True),
        )
        .order_by()
    )
    for crow in complaint_rows:
        row: dict[str, Any] = dict(crow)
        month = _month(row["month"])
        if month in periods:
            by_code = data[row["journey_id"]].complaints.setdefault(month, {})
            code = row["category__code"]
            by_code[code] = by_code.get(code, 0) + row["single"] + row["groups"]
    transaction_rows = (
        ServiceTransaction.objects.filter(
            journey_id__in=journey_ids, completed_at__gte=lo, completed_at__lt=hi
        )
        .annotate(month=TruncMonth("completed_at", tzinfo=tz))
        .values("journey_id", "month")
        .annotate(c=Count("id"))
        .order_by()
    )
    for trow in transaction_rows:
        row = dict(trow)
        month = _month(row["month"])
        if month in periods:
            tx = data[row["journey_id"]].transactions
            tx[month] = tx.get(month, 0) + row["c"]
    return data, counts


def _split(waves: list[_Wave], at: dt.datetime) -> tuple[_Wave | None, list[_Wave]]:
    """The last period ending on or before `at`, and every period starting on or after it."""
    before = [w for w in waves if w.end <= at]
    return (before[-1] if before else None), [w for w in waves if w.start >= at]


def _sample(
    periods: list[str], counts: dict[int, int], scale: tuple[int, int], n: int | None = None
) -> _Side:
    figures = stats.item_stats(counts, scale)
    return _Side(periods, figures.n if n is None else n, figures.mean, figures.sd)


def _side_json(side: _Side) -> dict:
    return {"periods": side.periods, "n": side.n, "value": side.value}


def _scored(kind: str, code: str, before: _Side, after: _Side) -> tuple[dict, float | None]:
    """An item or stage measure and its raw p (None: not tested, see docs/impact.md)."""
    difference = (
        after.value - before.value if after.value is not None and before.value is not None else None
    )
    p = None
    testable = (
        min(before.n, after.n) >= max(min_n(), 2)
        and before.sd is not None
        and after.sd is not None
        and difference is not None
    )
    if testable:
        assert before.value is not None and after.value is not None  # for mypy: difference set
        assert before.sd is not None and after.sd is not None
        tested = stats.welch_t_test(
            after.n, after.value, after.sd, before.n, before.value, before.sd
        )
        # None: both sides constant, no variance to test against (stats.welch_t_test).
        p = tested[2] if tested else None
    measure = {
        "kind": kind,
        "code": code,
        "before": _side_json(before),
        "after": _side_json(after),
        "difference": difference,
        "p_value": p,
        "verdict": TOO_EARLY,
    }
    return measure, p


def _item_measure(
    code: str, before: _Wave | None, after: list[_Wave], counts: dict[int, dict[int, int]]
) -> tuple[dict, float | None]:
    item = before.items.get(code) if before else None
    if before is None or item is None:
        empty = _Side([], 0, None)
        return _scored("item", code, empty, empty)
    # Like scales only: a period that asked the item on another scale is left out.
    used = [w for w in after if code in w.items and w.items[code].scale == item.scale]
    pooled = merge_counts(counts.get(w.items[code].id, {}) for w in used)
    return _scored(
        "item",
        code,
        _sample([before.period], counts.get(item.id, {}), item.scale),
        _sample([w.period for w in used], pooled, item.scale),
    )


def _stage_measure(
    code: str, before: _Wave | None, after: list[_Wave], counts: dict[int, dict[int, int]]
) -> tuple[dict, float | None]:
    items = [
        i
        for i in (before.items.values() if before else ())
        if i.stage == code and i.kind != QuestionKind.OVERALL
    ]
    if before is None or not items:
        empty = _Side([], 0, None)
        return _scored("stage", code, empty, empty)
    # One scale: the one most of the stage's items use (ties: the lower), the others left out.
    by_scale: dict[tuple[int, int], list[_Item]] = defaultdict(list)
    for i in items:
        by_scale[i.scale].append(i)
    scale = min(by_scale, key=lambda s: (-len(by_scale[s]), s))
    codes = sorted(i.code for i in by_scale[scale])

    def pooled(wave: _Wave) -> tuple[dict[int, int], int] | None:
        asked = [wave.items[c] for c in codes if c in wave.items and wave.items[c].scale == scale]
        if not asked:
            return None
        per_item = [counts.get(i.id, {}) for i in asked]
        # n for the test: the largest item n, about the number of people who answered.
        return merge_counts(per_item), max(sum(c.values()) for c in per_item)

    first = pooled(before)
    assert first is not None  # the before period defined the items
    later = [(w, p) for w in after if (p := pooled(w)) is not None]
    return _scored(
        "stage",
        code,
        _sample([before.period], first[0], scale, n=first[1]),
        _sample(
            [w.period for w, _ in later],
            merge_counts(p[0] for _, p in later),
            scale,
            n=sum(p[1] for _, p in later),
        ),
    )


def _category_measure(
    code: str, before: _Wave | None, after: list[_Wave], data: _Data
) -> tuple[dict, float | None]:
    before_periods = [before.period] if before else []
    after_periods = [w.period for w in after]

    def volume(periods: list[str]) -> tuple[int, int, int]:
        """(category complaints, all complaints, service transactions) of the periods."""
        per = [data.complaints.get(p, {}) for p in periods]
        return (
            sum(c.get(code, 0) for c in per),
            sum(sum(c.values()) for c in per),
            sum(data.transactions.get(p, 0) for p in periods),
        )

    cat_b, all_b, tx_b = volume(before_periods)
    cat_a, all_a, tx_a = volume(after_periods)
    # Per 1,000 transactions only when every compared period has its transactions: one month
    # pushed and another not would turn a gap in the feed into a change in the rate.
    known = all(data.transactions.get(p, 0) > 0 for p in [*before_periods, *after_periods])
    floor = min_n()
    p: float | None = None
    if known and before_periods:
        basis = PER_1000
        b = _Side(before_periods, tx_b, 1000 * cat_b / tx_b)
        a = _Side(after_periods, tx_a, 1000 * cat_a / tx_a if tx_a else None)
        if after_periods and min(tx_b, tx_a) >= floor:
            p = poisson_rate_test(cat_b, tx_b, cat_a, tx_a)
    else:
        basis = SHARE
        b = _Side(before_periods, all_b, cat_b / all_b if all_b else None)
        a = _Side(after_periods, all_a, cat_a / all_a if all_a else None)
        if before_periods and after_periods and min(all_b, all_a) >= floor:
            p = two_proportion_test(cat_b, all_b, cat_a, all_a)
    difference = a.value - b.value if a.value is not None and b.value is not None else None
    measure = {
        "kind": "category",
        "code": code,
        "basis": basis,
        "before": _side_json(b),
        "after": _side_json(a),
        "difference": difference,
        "p_value": p,
        "verdict": TOO_EARLY,
    }
    return measure, p


def _measures(
    targets: dict[str, Any],
    before: _Wave | None,
    after: list[_Wave],
    data: _Data,
    counts: dict[int, dict[int, int]],
) -> list[dict]:
    found = [_item_measure(code, before, after, counts) for code in targets.get("items") or []]
    if targets.get("stage"):
        found.append(_stage_measure(targets["stage"], before, after, counts))
    if targets.get("category"):
        found.append(_category_measure(targets["category"], before, after, data))
    tested = [(m, p) for m, p in found if p is not None]
    # Holm within the recommendation: several measures give several chances of a false alarm.
    for (measure, _p), adjusted in zip(tested, stats.holm([p for _, p in tested]), strict=True):
        measure["p_value"] = adjusted
        measure["verdict"] = measure_verdict(
            measure["difference"],
            adjusted,
            # Scores are stored so that higher is better; complaints, fewer is better.
            higher_is_better=measure["kind"] != "category",
            alpha=ALPHA,
        )
    return [m for m, _ in found]


def _local_date(at: dt.datetime) -> str:
    return timezone.localtime(at, timezone.get_default_timezone()).date().isoformat()


def _entry(
    rec: Recommendation,
    at: dt.datetime | None,
    data: _Data,
    counts: dict[int, dict[int, int]],
) -> dict:
    base = {"id": rec.pk, "gap": rec.gap.number, "status": rec.status}
    if rec.status not in ASSESSED or at is None:
        return {**base, "implemented_at": None, "verdict": None, "measures": []}
    before, after = _split(data.waves, at)
    measures = _measures(rec.targets or {}, before, after, data, counts)
    return {
        **base,
        "implemented_at": _local_date(at),
        "verdict": recommendation_verdict(m["verdict"] for m in measures),
        "measures": measures,
    }


def implemented_at(recs: Iterable[Recommendation]) -> dict[int, dt.datetime]:
    """{recommendation id: the time of its latest move to `implemented`}, for those now
    implemented or verified (one query)."""
    ids = [r.pk for r in recs if r.status in ASSESSED]
    rows = (
        RecommendationEvent.objects.filter(recommendation_id__in=ids, to_status=S.IMPLEMENTED)
        .values("recommendation_id")
        .annotate(at=Max("at"))
        .values_list("recommendation_id", "at")
    )
    return dict(rows)


def _assess(recs: list[Recommendation], up_to: str | None) -> dict[int, list[dict]]:
    """{journey id: the entries of its recommendations among `recs`}, in a fixed number of
    queries whatever their number."""
    journey_ids = sorted({r.gap.journey_id for r in recs})
    data, counts = _load(journey_ids, up_to)
    dates = implemented_at(recs)
    by_journey: dict[int, list[dict]] = defaultdict(list)
    for rec in recs:
        jid = rec.gap.journey_id
        by_journey[jid].append(_entry(rec, dates.get(rec.pk), data[jid], counts))
    return by_journey


def recommendation_impact(rec: Recommendation, *, up_to: str | None = None) -> dict:
    """One recommendation's entry of the impact JSON (docs/impact.md): its verdict and measures,
    or verdict None and no measures when it is not implemented (or verified).

    `up_to` (YYYY-MM) leaves out the survey periods after it, for a report of that period."""
    return _assess([rec], up_to)[rec.gap.journey_id][0]


def recommendations_impact(recs: Iterable[Recommendation]) -> dict[int, dict]:
    """{recommendation id: its entry (as recommendation_impact)} for several recommendations,
    of any journeys, in a fixed number of queries (the gap page's cards)."""
    recs = list(recs)
    if not recs:
        return {}
    return {e["id"]: e for entries in _assess(recs, None).values() for e in entries}


def target_names(journey: Journey) -> dict[str, dict[str, dict[str, str]]]:
    """{"item" | "stage" | "category": {code: {"ar", "en"}}}: what a target code stands for in
    the journey (an item's words as its latest survey asked it)."""
    items: dict[str, dict[str, str]] = {}
    asked = (
        Question.objects.filter(survey__journey=journey, kind__in=SCORED_KINDS)
        .order_by("survey__period", "position")
        .values_list("code", "text_ar", "text_en")
    )
    for code, text_ar, text_en in asked:
        items[code] = {"ar": text_ar, "en": text_en}  # the latest period's words win
    return {
        "item": items,
        "stage": {s.code: s.names() for s in journey.stages.all()},
        "category": {c.code: c.names() for c in journey.gap_categories.all()},
    }


def report_impact(*, journey: Journey, up_to: str) -> dict:
    """journey_impact up to a report's period, with what its section names: "names" (as
    target_names) and "decisions" ({recommendation id: {"ar", "en"}})."""
    result = journey_impact(journey=journey, up_to=up_to)
    ids = [r["id"] for r in result["recommendations"]]
    texts = Recommendation.objects.filter(pk__in=ids).values_list("pk", "text_ar", "text_en")
    return {
        **result,
        "names": target_names(journey),
        "decisions": {pk: {"ar": ar, "en": en} for pk, ar, en in texts},
    }


def answer_impact_request(sender: Any, *, recommendation: Recommendation, **_: Any) -> dict:
    """The receiver of sawt.gaps.services.impact_requested: the recommendation's impact now."""
    return recommendation_impact(recommendation)


def _assessed(journey_ids: QuerySet[Journey] | list[int]) -> list[Recommendation]:
    return list(
        Recommendation.objects.filter(gap__journey_id__in=journey_ids, status__in=ASSESSED)
        .select_related("gap")
        .order_by("gap__number", "id")
    )


def journey_impact(
    *, journey: str | Journey, journeys: QuerySet[Journey] | None = None, up_to: str | None = None
) -> dict:
    """`{"journey": slug, "recommendations": [...]}`: every implemented or verified
    recommendation of the journey with its impact (docs/impact.md), by gap number.

    `journey` is a slug looked up among `journeys` (the person's scope; default all), or a
    journey already looked up. `up_to` as for recommendation_impact."""
    if isinstance(journey, str):
        journey = journey_get(journey_slug=journey, journeys=journeys)
    entries = _assess(_assessed([journey.pk]), up_to)
    return {"journey": journey.slug, "recommendations": entries.get(journey.pk, [])}


def verdict_counts(
    *, journeys: QuerySet[Journey] | list[int], up_to: str | None = None
) -> dict[int, dict[str, int]]:
    """{journey id: {verdict: number of its implemented or verified recommendations}} for every
    journey among `journeys`, every verdict present (0 when none), in a fixed number of queries
    (the portfolio's column)."""
    ids = (
        list(journeys.values_list("id", flat=True))
        if isinstance(journeys, QuerySet)
        else list(journeys)
    )
    counted = {jid: dict.fromkeys(VERDICTS, 0) for jid in ids}
    for jid, entries in _assess(_assessed(ids), up_to).items():
        for entry in entries:
            counted[jid][entry["verdict"]] += 1
    return counted


def journey_verdict_counts(*, slug: str, up_to: str | None = None) -> dict[str, int]:
    """verdict_counts of one journey, by slug (a journey reported alone)."""
    found = verdict_counts(journeys=Journey.objects.filter(slug=slug), up_to=up_to)
    return next(iter(found.values()), dict.fromkeys(VERDICTS, 0))
