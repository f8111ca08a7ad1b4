"""A journey's trend: every item, every stage and the overall score across its periods.

Each series is built from the same sufficient statistics as the summary (the count of answers
at each scale point, per question), so a point of the trend is exactly the figure the summary
of that period shows. The reads are a fixed number of queries whatever the number of periods:
the journey's questions with their surveys, the counts of all of them at once, the stages,
and the overall items of every journey with their counts for the portfolio's correction.

Only like scales are joined: a series runs on the scale of its latest point, and a point of an
earlier wave asked on another scale is left out of the series and listed under `excluded`
(a 0–10 mean next to a 1–5 mean is not a change).

Changes between consecutive points of a series are tested with Welch's t-test when both points
have at least SAWT_MIN_N answers and some spread. Holm's correction runs over a family that
depends neither on who looks nor on later periods:
- items and stages: one journey's changes into one period (every item's test between that
  period and the journey's previous point);
- the overall score: the portfolio's family, every journey surveyed in that period against
  its previous survey (sawt.metrics.portfolio), so the journey page, its report and the
  portfolio mark the same change the same way. (Within a segment, the journey's family.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from sawt.catalog.models import Journey
from sawt.core.periods import parse_period
from sawt.metrics import stats, targets
from sawt.metrics.segments import Segment, answer_counts, in_segment, min_segment
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Question, Response

# Two-sided significance level of a change, after Holm's correction (see the module's doc).
ALPHA = 0.05
# The keys of a point in the public summary (docs/summary.md, `trend`).
SUMMARY_KEYS = ("period", "n", "mean", "ci95")


def _counts(
    question_ids: list[int], survey_ids: list[int], segment: Segment | None
) -> dict[int, dict[int, int]]:
    """{question id: {score: count}} for every question at once, in one query."""
    if segment is None:
        # Imported here: selectors imports this module for the summary's `trend`.
        from sawt.metrics.selectors import score_counts

        return score_counts(question_ids)
    # A segment's counts come from the answers of its respondents: the kept counts are for
    # everyone.
    members = in_segment(Response.objects.filter(survey_id__in=survey_ids), segment)
    return answer_counts(question_ids, members)


def _point(period: str, figures: stats.ItemStats, floor: int) -> dict:
    low = figures.n < floor
    return {
        "period": period,
        "n": figures.n,
        "mean": figures.mean,
        "sd": figures.sd,
        # Below the minimum n an interval would only pretend to a precision there is not.
        "ci95": list(figures.ci95) if figures.ci95 and not low else None,
        "low_base": low,
        "change": None,
    }


def _join(entries: list[tuple[str, tuple[int, int], dict]]) -> dict:
    """One series from (period, scale, point) oldest first: the points on the scale of the
    latest one, and the periods left out because they were asked on another scale."""
    if not entries:
        return {"scale": None, "points": [], "excluded": []}
    scale = entries[-1][1]
    return {
        "scale": list(scale),
        "points": [p for _, s, p in entries if s == scale],
        "excluded": [
            {"period": period, "scale": list(s)} for period, s, _ in entries if s != scale
        ],
    }


def _test(previous: dict, current: dict, floor: int) -> dict | None:
    """The change from one point to the next; a p-value only when it can be tested."""
    if previous["mean"] is None or current["mean"] is None:
        return None
    change: dict[str, Any] = {
        "from": previous["period"],
        "difference": current["mean"] - previous["mean"],
        "tested": False,
        "reason": None,
        "p": None,
        "p_adjusted": None,
        "significant": None,
        "direction": None,
    }
    if min(previous["n"], current["n"]) < floor:
        change["reason"] = "low_base"
    elif previous["sd"] is None or current["sd"] is None:
        change["reason"] = "stage"  # a stage score has no spread of its own: its items do
    elif not previous["sd"] or not current["sd"]:
        # A constant wave has no spread to weigh a difference against: not evidence either way.
        change["reason"] = "no_spread"
    else:
        result = stats.welch_t_test(
            current["n"],
            current["mean"],
            current["sd"],
            previous["n"],
            previous["mean"],
            previous["sd"],
        )
        if result is None:
            change["reason"] = "no_spread"
        else:
            change.update(tested=True, p=result[2])
    return change


def _mark(change: dict, adjusted: float) -> None:
    significant = adjusted < ALPHA
    change.update(
        p_adjusted=adjusted,
        significant=significant,
        direction=("up" if change["difference"] > 0 else "down") if significant else None,
    )


def _mark_changes(series: Iterable[dict], floor: int) -> None:
    """Test every consecutive pair of every series, then Holm-adjust per period's family."""
    families: dict[str, list[dict]] = defaultdict(list)
    for s in series:
        for previous, current in pairwise(s["points"]):
            current["change"] = _test(previous, current, floor)
            if current["change"] and current["change"]["tested"]:
                families[current["period"]].append(current["change"])
    for tests in families.values():
        for change, adjusted in zip(tests, stats.holm([c["p"] for c in tests]), strict=True):
            _mark(change, adjusted)


def portfolio_adjusted(period: str) -> dict[tuple[int, str], float]:
    """{(journey id, period): Holm-adjusted p of its overall change into that period}, for
    every period up to `period`, with the portfolio's family (every journey surveyed in the
    period, tested against its previous survey: sawt.metrics.portfolio), in two queries.

    The overall score's change is the one figure the portfolio also shows: marking it with
    the portfolio's correction keeps the journey page and the portfolio in agreement."""
    # Imported here: portfolio and selectors import this module (the summary's `trend`).
    from sawt.metrics.portfolio import _change
    from sawt.metrics.selectors import score_counts

    rows = list(
        Question.objects.filter(kind=QuestionKind.OVERALL, survey__period__lte=period)
        .order_by("survey__journey_id", "survey__period")
        .values("id", "scale_min", "scale_max", "survey__journey_id", "survey__period")
    )
    counts = score_counts(r["id"] for r in rows)
    waves: dict[int, list[tuple[str, stats.ItemStats]]] = defaultdict(list)
    for r in rows:
        figures = stats.item_stats(counts.get(r["id"], {}), _scale(dict(r)), min_n=targets.min_n())
        waves[r["survey__journey_id"]].append((r["survey__period"], figures))
    families: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for jid, series in waves.items():
        for (_, before), (now, after) in pairwise(series):
            change, _note = _change(after, before)
            if change is not None:
                families[now].append((jid, change["p"]))
    adjusted: dict[tuple[int, str], float] = {}
    for now, tests in families.items():
        for (jid, _p), value in zip(tests, stats.holm([p for _, p in tests]), strict=True):
            adjusted[(jid, now)] = value
    return adjusted


def _scale(q: dict) -> tuple[int, int]:
    return stats.scored_scale(q["scale_min"], q["scale_max"])


def journey_trend(
    *, journey: Journey, period: str, segment: Segment | None = None, tested: bool = True
) -> dict:
    """The journey's series up to `period` (oldest first): the overall item, every stage and
    every scored item by question code, each point {period, n, mean, sd, ci95, low_base,
    change}; `change` is the test against the series' previous point (None for the first).
    Five queries whatever the number of periods (see the module's doc); three without the
    changes' tests (`tested=False`: every `change` None, as the summary's `trend` needs)."""
    parse_period(period)
    floor = targets.min_n()
    # The surveys come with their questions (one query): a wave without a scored question
    # has no point in any series.
    questions: list[dict[str, Any]] = [
        dict(q)
        for q in Question.objects.filter(survey__journey=journey, survey__period__lte=period)
        .exclude(kind=QuestionKind.TEXT)
        .order_by("survey__period", "position", "id")
        .values(
            "id",
            "survey_id",
            "code",
            "kind",
            "text_ar",
            "text_en",
            "scale_min",
            "scale_max",
            "stage_id",
            "survey__period",
            "survey__population_size",
        )
    ]
    by_id: dict[int, dict[str, Any]] = {
        q["survey_id"]: {
            "id": q["survey_id"],
            "period": q["survey__period"],
            "population_size": q["survey__population_size"],
        }
        for q in questions
    }
    surveys = list(by_id.values())  # oldest first, as the questions are
    counts = _counts([q["id"] for q in questions], list(by_id), segment)
    order = {s["id"]: i for i, s in enumerate(surveys)}
    figures: dict[int, stats.ItemStats] = {
        q["id"]: stats.item_stats(
            counts.get(q["id"], {}),
            _scale(q),
            by_id[q["survey_id"]]["population_size"],
            min_n=floor,
        )
        for q in questions
    }

    # A segment's point on fewer answers than the smallest segment shown is left out: a
    # group that small could identify its respondents (sawt.metrics.segments).
    smallest = min_segment() if segment else 0

    def entry(q: dict) -> tuple[str, tuple[int, int], dict]:
        period_ = by_id[q["survey_id"]]["period"]
        return period_, _scale(q), _point(period_, figures[q["id"]], floor)

    def shown(q: dict) -> bool:
        return figures[q["id"]].n >= smallest

    overall_qs = [q for q in questions if q["kind"] == QuestionKind.OVERALL]
    overall = _join([entry(q) for q in overall_qs if shown(q)])
    overall["code"] = overall_qs[-1]["code"] if overall_qs else None

    by_code: dict[str, list[dict]] = defaultdict(list)
    for q in questions:
        if q["kind"] != QuestionKind.OVERALL:
            by_code[q["code"]].append(q)
    place = {q["id"]: i for i, q in enumerate(questions)}
    # Items of the latest survey in its questionnaire order, then those last asked earlier
    # (the most recent first).
    codes = sorted(
        by_code,
        key=lambda c: (-order[by_code[c][-1]["survey_id"]], place[by_code[c][-1]["id"]]),
    )
    stages_list = list(journey.stages.all())
    stage_codes = {st.id: st.code for st in stages_list}
    items = []
    for code in codes:
        qs = by_code[code]
        latest = qs[-1]
        items.append(
            {
                "code": code,
                "kind": latest["kind"],
                "text": {"ar": latest["text_ar"], "en": latest["text_en"]},
                "stage": stage_codes.get(latest["stage_id"]),
                **_join([entry(q) for q in qs if shown(q)]),
            }
        )

    stages = []
    for st in stages_list:
        entries = []
        for s in surveys:
            members = [
                q
                for q in questions
                if q["survey_id"] == s["id"]
                and q["stage_id"] == st.id
                and q["kind"] != QuestionKind.OVERALL
            ]
            # The summary's definition of a stage's score, on the scale most items use.
            score = stats.stage_score(
                [(q["code"], _scale(q), figures[q["id"]].n, figures[q["id"]].mean) for q in members]
            )
            if score.scale is None or (score.n_min or 0) < smallest:
                continue
            n = score.n_min or 0
            entries.append(
                (
                    s["period"],
                    score.scale,
                    {
                        "period": s["period"],
                        "n": n,
                        "mean": score.mean,
                        # A stage score has no spread of its own (its items share respondents),
                        # so no interval and no test: its items carry them.
                        "sd": None,
                        "ci95": None,
                        "low_base": n < floor,
                        "change": None,
                    },
                )
            )
        stages.append({"code": st.code, "name": st.names(), **_join(entries)})

    if not tested:
        across = None
    elif segment is not None:
        # A segment's overall score is not the portfolio's: its changes join the journey's.
        _mark_changes([overall, *stages, *items], floor)
        across = None
    else:
        _mark_changes([*stages, *items], floor)
        # The overall score's changes are corrected with the portfolio's family.
        across = portfolio_adjusted(period)
    for previous, current in pairwise(overall["points"]) if across is not None else ():
        current["change"] = change = _test(previous, current, floor)
        if across is not None and change and change["tested"]:
            # A change the portfolio does not test (its previous wave on another scale) is
            # corrected alone.
            _mark(change, across.get((journey.id, current["period"]), change["p"]))
    return {
        "journey": journey.slug,
        "period": period,
        "periods": [s["period"] for s in surveys],
        "segment": {"attribute": segment.attribute, "value": segment.value} if segment else None,
        "alpha": ALPHA,
        "min_n": floor,
        "overall": overall,
        "stages": stages,
        "items": items,
    }


def _earlier(series: dict, period: str) -> list[dict]:
    return [{k: p[k] for k in SUMMARY_KEYS} for p in series["points"] if p["period"] < period]


def summary_trend(trend: dict) -> dict:
    """The summary's `trend` (docs/summary.md): the earlier periods' points only, oldest first,
    for the overall item, every item by code and every stage by code."""
    period = trend["period"]
    return {
        "overall": _earlier(trend["overall"], period),
        "items": {i["code"]: _earlier(i, period) for i in trend["items"]},
        "stages": {s["code"]: _earlier(s, period) for s in trend["stages"]},
    }
