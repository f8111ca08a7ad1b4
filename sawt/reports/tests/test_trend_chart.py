"""The trend chart: shapes only, scaled to the item's scale, mirrored in Arabic; its section
puts every figure in HTML beside it."""

from __future__ import annotations

import re

from django.utils import translation

from sawt.core.numbers import Numbers
from sawt.reports.trend_chart import HEIGHT, PAD, WIDTH, TrendPoint, slot_x, trend_svg
from sawt.reports.trend_section import change_text, trend_context

POINTS = [
    TrendPoint(3.0, (2.8, 3.2)),
    TrendPoint(3.5, None, low_base=True),
    TrendPoint(4.5, (4.3, 4.7), direction="up"),
]


def _circles(svg: str) -> list[tuple[float, float]]:
    return [
        (float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)
    ]


def test_the_svg_holds_shapes_and_no_text():
    svg = str(trend_svg(POINTS, scale=(1, 5), rtl=False))
    assert "<text" not in svg and "<tspan" not in svg
    # A band per point with an interval (two), a marker per mean, one change mark.
    assert svg.count("<rect") == 2 and svg.count("<circle") == 3 and svg.count("<polygon") == 1


def test_y_runs_on_the_items_scale_not_from_zero():
    svg = str(trend_svg([TrendPoint(1.0, None), TrendPoint(5.0, None)], scale=(1, 5), rtl=False))
    (_, y_low), (_, y_high) = _circles(svg)
    assert y_low == HEIGHT - PAD and y_high == PAD  # 1 at the bottom, 5 at the top


def test_time_runs_right_to_left_in_arabic():
    ltr = [x for x, _ in _circles(str(trend_svg(POINTS, scale=(1, 5), rtl=False)))]
    rtl = [x for x, _ in _circles(str(trend_svg(POINTS, scale=(1, 5), rtl=True)))]
    assert ltr == sorted(ltr) and rtl == sorted(rtl, reverse=True)
    assert rtl[0] == WIDTH - ltr[0] == slot_x(0, 3, rtl=True)


def test_a_low_base_marker_is_hollow_and_has_no_band():
    svg = str(trend_svg([TrendPoint(3.0, None, low_base=True)], scale=(1, 5), rtl=False))
    assert "<rect" not in svg and 'fill="#ffffff"' in svg


def test_nothing_to_draw_draws_nothing():
    assert trend_svg([TrendPoint(None, None)], scale=(1, 5), rtl=False) == ""


def _trend() -> dict:
    def point(period, n, mean, ci, change=None, low=False):
        return {
            "period": period,
            "n": n,
            "mean": mean,
            "sd": 1.0,
            "ci95": ci,
            "low_base": low,
            "change": change,
        }

    tested = {
        "from": "2022-03",
        "difference": 0.25,
        "tested": True,
        "reason": None,
        "p": 0.01,
        "p_adjusted": 0.02,
        "significant": True,
        "direction": "up",
    }
    series = {
        "code": "overall",
        "scale": [1, 5],
        "excluded": [{"period": "2021-12", "scale": [0, 10]}],
        "points": [
            point("2022-03", 240, 3.6, [3.4, 3.7]),
            point("2022-06", 256, 3.85, [3.7, 4.0], tested),
        ],
    }
    return {
        "period": "2022-06",
        "periods": ["2021-12", "2022-03", "2022-06"],
        "alpha": 0.05,
        "min_n": 30,
        "overall": series,
        "stages": [],
        "items": [{**series, "code": "q1", "text": {"ar": "بند", "en": "An item"}}],
    }


def test_every_figure_of_the_chart_is_html_text_beside_it():
    with translation.override("en"):
        context = trend_context(
            _trend(),
            numbers=Numbers("latin"),
            rtl=False,
            local=lambda n: (n or {}).get("en", ""),
            anchor="j",
        )
    block = context["overall"]
    assert block["slots"] == ["March 2022", "June 2022"]
    row = block["rows"][1]
    assert (row["n"], row["mean"]) == ("256", "3.9")
    assert "3.70" in row["ci"] and "significant rise" in row["change"] and row["state"] == "up"
    assert "December 2021" in block["excluded"] and "0–10" in block["excluded"]
    (item,) = context["items"]
    assert item["text"] == "An item" and item["cells"][0]["mean"] == "other scale"


def test_significance_is_said_only_where_tested():
    numbers = Numbers("latin")
    with translation.override("en"):
        untested = {"difference": 0.4, "tested": False, "reason": "low_base", "significant": None}
        assert change_text(untested, numbers) == (
            "\u2066+0.40\u2069, not tested: low base",
            "untested",
        )
        flat = {"difference": -0.1, "tested": True, "significant": False, "direction": None}
        assert change_text(flat, numbers)[0].endswith("not significant")


def test_a_single_period_says_a_trend_needs_two():
    trend = {**_trend(), "periods": ["2022-06"]}
    context = trend_context(trend, numbers=Numbers("latin"), rtl=True, local=str, anchor="j")
    assert context["single"] and "overall" not in context
