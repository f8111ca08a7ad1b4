"""A director's view of a journey and period: the few facts a reader should take away first,
as data (the report words them: sawt.reports.director_section).

Everything here is read from figures computed elsewhere — the summary, the trend, the key
drivers and the impact of recommendations — so the view cannot disagree with the sections
under it. A line is simply left out when its source has nothing to say (no driver on a small
base, no verdict yet).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sawt.gaps.choices import OPEN_STATUSES

VERDICT_ORDER = ("improved", "no_change", "worse", "too_early")


def _overall(trend: dict, period: str) -> dict | None:
    series = trend["overall"]
    points = series["points"]
    if not points or points[-1]["period"] != period or points[-1]["mean"] is None:
        return None
    current = points[-1]
    previous = points[-2] if len(points) > 1 else None
    return {
        "code": series.get("code"),
        "mean": current["mean"],
        "n": current["n"],
        "ci95": current["ci95"],
        "low_base": current["low_base"],
        "scale": series["scale"],
        "series": [{"period": p["period"], "mean": p["mean"]} for p in points],
        "previous": {"period": previous["period"], "mean": previous["mean"]} if previous else None,
        "change": current["change"],
    }


def _position(stage: dict) -> float:
    """A stage's score as a share of its scale's range: stages on different scales compare."""
    scale = stage.get("scale")
    if not scale or scale[1] <= scale[0]:
        return float(stage["mean"])
    return (stage["mean"] - scale[0]) / (scale[1] - scale[0])


def _weakest_stage(stages: list[dict]) -> dict | None:
    scored = [s for s in stages if s["code"] is not None and s["mean"] is not None]
    if not scored:
        return None
    weakest = min(scored, key=_position)  # the first in journey order among equals
    n_min = weakest.get("n_min")
    if n_min is None:
        n_min = min((i["n"] for i in weakest["items"] if i["n"]), default=None)
    return {
        "code": weakest["code"],
        "name": weakest["name"],
        "mean": weakest["mean"],
        "n_min": n_min,
        "low_base": weakest.get("low_base", False),
        "scale": weakest.get("scale"),
    }


def _top_reason(ranking: list[dict]) -> dict | None:
    top = next((c for c in ranking if c["count"]), None)
    if top is None:
        return None
    return {k: top.get(k) for k in ("code", "name", "count", "share", "groups")}


def _driver(drivers: list[dict] | None, texts: dict[str, dict]) -> dict | None:
    if not drivers:
        return None
    top = drivers[0]
    return {**top, "text": texts.get(top["code"], {"ar": top["code"], "en": top["code"]})}


def _recommendations(summary: dict, impact: dict | None, open_earlier: int) -> dict:
    by_status = summary["gaps"]["by_status"]
    result: dict[str, Any] = {
        "by_status": by_status,
        "total": summary["gaps"]["recommendations"],
        "open": sum(by_status.get(s, 0) for s in OPEN_STATUSES),
        "open_earlier": open_earlier,
        "impact": None,
    }
    if impact is not None:
        verdicts = Counter(r["verdict"] for r in impact["recommendations"] if r["verdict"])
        if verdicts:
            result["impact"] = {v: verdicts.get(v, 0) for v in VERDICT_ORDER}
    return result


def journey_director(
    *, summary: dict, trend: dict, impact: dict | None = None, open_earlier: int = 0
) -> dict:
    """The director's view of the summary's journey and period:

    - `overall`: the overall score, its series up to the period and the change from the
      previous point (tested or not, as the trend says), or None;
    - `weakest_stage`: the stage with the lowest score relative to its scale, with its n_min;
    - `top_complaint`, `top_survey`: the largest reason in complaints and in open answers;
    - `driver`: the item that explains most of the overall score (the summary's `drivers`);
    - `recommendations`: by status, how many are open, and the verdicts of the implemented
      ones from `impact` (sawt.metrics.impact.journey_impact, computed once by the caller),
      or `impact` None when none has a verdict yet; `open_earlier`, the decisions of earlier
      periods' gaps still open (a period without gaps of its own still owes them)."""
    texts = {i["code"]: i["text"] for s in summary["stages"] for i in s["items"]}
    return {
        "period": summary["period"],
        "overall": _overall(trend, summary["period"]),
        "weakest_stage": _weakest_stage(summary["stages"]),
        "top_complaint": _top_reason(summary["gap_categories"]["complaints"]),
        "top_survey": _top_reason(summary["gap_categories"]["survey"]),
        "driver": _driver(summary.get("drivers"), texts),
        "recommendations": _recommendations(summary, impact, open_earlier),
    }
