"""The trend section as the templates show it: each series' chart (shapes) with its periods,
its scale's ends and a table of its figures in HTML (decision 0003). Pure functions of the
trend (sawt.metrics.trends.journey_trend); no database."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from sawt.core.numbers import Numbers
from sawt.reports.trend_chart import TrendPoint, trend_svg


def change_text(change: dict | None, numbers: Numbers) -> tuple[str, str]:
    """(the change from the previous point in words, its state for CSS): significance is said
    only where a test was run, and why not where it was not."""
    if change is None:
        return "—", "none"
    difference = numbers.signed(change["difference"])
    if change["tested"]:
        if change["significant"]:
            if change["direction"] == "up":
                return _("%(difference)s, significant rise") % {"difference": difference}, "up"
            return _("%(difference)s, significant fall") % {"difference": difference}, "down"
        return _("%(difference)s, not significant") % {"difference": difference}, "flat"
    if change["reason"] == "stage":
        # Said once, under the stages' heading, rather than in every cell.
        return difference, "untested"
    reasons = {
        "low_base": _("%(difference)s, not tested: low base"),
        "no_spread": _("%(difference)s, not tested: no spread in the answers"),
    }
    text = reasons.get(change["reason"], _("%(difference)s, not tested"))
    return text % {"difference": difference}, "untested"


def _points(series: dict) -> list[TrendPoint]:
    return [
        TrendPoint(
            mean=p["mean"],
            ci=(p["ci95"][0], p["ci95"][1]) if p["ci95"] else None,
            low_base=p["low_base"],
            direction=(p["change"] or {}).get("direction"),
        )
        for p in series["points"]
    ]


def _excluded(series: dict, numbers: Numbers, rtl: bool) -> str:
    if not series["excluded"]:
        return ""
    periods = ("، " if rtl else ", ").join
    return _("Left out of this series, as asked on another scale: %(periods)s.") % {
        "periods": periods(
            _("%(period)s (scale %(low)s–%(high)s)")
            % {
                "period": numbers.period(e["period"]),
                "low": numbers.count(e["scale"][0]),
                "high": numbers.count(e["scale"][1]),
            }
            for e in series["excluded"]
        )
    }


def _rows(series: dict, numbers: Numbers) -> list[dict]:
    rows = []
    for p in series["points"]:
        change, state = change_text(p["change"], numbers)
        rows.append(
            {
                "period": numbers.period(p["period"]),
                "n": numbers.count(p["n"]),
                "low_base": p["low_base"],
                "mean": numbers.score(p["mean"]),
                "ci": numbers.ci(p["ci95"]),
                "change": change,
                "state": state,
            }
        )
    return rows


def _block(series: dict, *, title: str, numbers: Numbers, rtl: bool, anchor: str) -> dict:
    low, high = series["scale"]
    return {
        "title": title,
        "anchor": anchor,
        "svg": trend_svg(_points(series), scale=(low, high), rtl=rtl),
        "scale_note": _("Scale from %(low)s (the chart's bottom) to %(high)s (its top).")
        % {"low": numbers.count(low), "high": numbers.count(high)},
        "slots": [numbers.period(p["period"]) for p in series["points"]],
        "rows": _rows(series, numbers),
        "excluded": _excluded(series, numbers, rtl),
    }


def _item_row(item: dict, periods: list[str], period: str, numbers: Numbers, rtl: bool) -> dict:
    by_period = {p["period"]: p for p in item["points"]}
    other = {e["period"] for e in item["excluded"]}
    cells = []
    for p in periods:
        point = by_period.get(p)
        if point is not None:
            cells.append(
                {
                    "mean": numbers.score(point["mean"]),
                    "n": _("n = %(n)s") % {"n": numbers.count(point["n"])},
                    "low_base": point["low_base"],
                }
            )
        else:
            cells.append(
                {"mean": _("other scale") if p in other else "—", "n": "", "low_base": False}
            )
    last = item["points"][-1] if item["points"] else None
    change, state = change_text(
        last["change"] if last and last["period"] == period else None, numbers
    )
    low, high = item["scale"] or (1, 5)
    return {
        "code": item["code"],
        "text": item["text"],
        "cells": cells,
        "change": change,
        "state": state,
        "svg": trend_svg(_points(item), scale=(low, high), rtl=rtl, compact=True),
    }


def trend_context(
    trend: dict | None,
    *,
    numbers: Numbers,
    rtl: bool,
    local: Callable[[dict[str, str] | None], str],
    anchor: str,
) -> dict | None:
    """The trend section of a journey: the overall score, each stage, then every item in one
    compact table. None without a trend; `single` when only one period is measured so far."""
    if not trend or not trend["periods"]:
        return None
    periods = trend["periods"]
    context: dict = {
        "single": len(periods) < 2,
        "periods": [numbers.period(p) for p in periods],
        "legend": _(
            "Each chart runs from the oldest period to the latest on the item's own scale. The "
            "line joins the scores; a band is the %(level)s confidence interval (none for a low "
            "base of fewer than %(n)s answers, whose marker is hollow); a triangle marks a "
            "significant change. A change is tested (Welch's t-test) only between two periods "
            "with enough answers, and corrected for the number of changes tested into the same "
            "period for this journey (Holm), at the %(alpha)s level."
        )
        % {
            "level": numbers.level(0.95),
            "n": numbers.count(trend["min_n"]),
            "alpha": numbers.pct(trend["alpha"]),
        },
    }
    if context["single"]:
        return context
    overall = trend["overall"]
    context["overall"] = (
        _block(
            overall,
            title=_("Overall satisfaction"),
            numbers=numbers,
            rtl=rtl,
            anchor=f"{anchor}-trend-overall",
        )
        if overall["points"]
        else None
    )
    context["stages"] = [
        _block(
            s,
            title=local(s["name"]),
            numbers=numbers,
            rtl=rtl,
            anchor=f"{anchor}-trend-{s['code']}",
        )
        for s in trend["stages"]
        if s["points"]
    ]
    items = [
        {**_item_row(i, periods, trend["period"], numbers, rtl), "text": local(i["text"])}
        for i in trend["items"]
        if i["points"]
    ]
    context["items"] = items
    return context
