"""The importance × performance matrix of the key drivers, drawn as SVG shapes only.

x is an item's importance (its share of the explained variance of the overall score), y its
score. Lines at the average importance and the median score cut the plane in four; the
quadrant of important items that score low, the priorities, is shaded. Each point carries its
number, drawn as strokes, not as SVG text (decision 0003: WeasyPrint would draw text there
glyph by glyph); the table beside the chart gives every number's item, figures and quadrant.
Importance grows from the inline-start side, like the bars of charts.py: to the left in Arabic.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sawt.core.i18n import pick
from sawt.core.numbers import Numbers, interval_text
from sawt.metrics.segments import min_segment
from sawt.reports.charts import INK, TARGET, TRACK

WIDTH, HEIGHT = 1000, 640
PAD = 50  # room for a marker at the edges
PRIORITY_FILL, PRIORITY_MARK = "#f6d5d2", "#b42318"
MARK_FILL = "#ffffff"
RADIUS = 40

# Digits as strokes in a unit box (x to the right, y down): Latin ones as seven segments,
# Arabic-Indic ones as their simplest outline; read at a glance at 360 px, never mirrored.
_SEGMENTS: dict[str, list[tuple[float, float]]] = {
    "a": [(0, 0), (1, 0)],
    "b": [(1, 0), (1, 0.5)],
    "c": [(1, 0.5), (1, 1)],
    "d": [(0, 1), (1, 1)],
    "e": [(0, 0.5), (0, 1)],
    "f": [(0, 0), (0, 0.5)],
    "g": [(0, 0.5), (1, 0.5)],
}
_LATIN = ("abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgedc", "abc", "abcdefg", "abcdfg")
Strokes = tuple[tuple[list[tuple[float, float]], ...], ...]
LATIN_STROKES: Strokes = tuple(tuple(_SEGMENTS[s] for s in segs) for segs in _LATIN)
ARABIC_STROKES: Strokes = (
    ([(0.5, 0.38), (0.64, 0.5), (0.5, 0.62), (0.36, 0.5), (0.5, 0.38)],),  # ٠
    ([(0.4, 0), (0.6, 1)],),  # ١
    ([(0.1, 0), (0.25, 0.3), (1, 0.05)], [(0.25, 0.3), (0.45, 1)]),  # ٢
    ([(0, 0), (0.15, 0.3), (0.5, 0.08), (0.6, 0.3), (1, 0.05)], [(0.15, 0.3), (0.35, 1)]),  # ٣
    ([(0.9, 0), (0.25, 0.25), (0.85, 0.5), (0.2, 0.75), (0.9, 1)],),  # ٤
    ([(0.5, 0.1), (0.9, 0.65), (0.5, 1), (0.1, 0.65), (0.5, 0.1)],),  # ٥
    ([(0.05, 0.05), (0.75, 0.05), (0.75, 1)],),  # ٦
    ([(0, 0), (0.5, 1), (1, 0)],),  # ٧
    ([(0, 1), (0.5, 0), (1, 1)],),  # ٨
    ([(0.85, 0.35), (0.5, 0.5), (0.15, 0.3), (0.5, 0.02), (0.85, 0.3), (0.85, 1)],),  # ٩
)


@dataclass(frozen=True)
class MatrixPoint:
    """One driver: its number in the table, importance (0–1) and score as a fraction of its
    scale (0 = the lowest point, 1 = the highest)."""

    number: int
    importance: float
    performance: float
    priority: bool


def _digits_path(number: int, cx: float, cy: float, *, arabic: bool) -> str:
    """An SVG path drawing `number` centred on (cx, cy)."""
    text = str(number)
    w, h, gap = 20.0, 34.0, 9.0
    left = cx - (len(text) * w + (len(text) - 1) * gap) / 2
    parts = []
    for i, ch in enumerate(text):
        x0, y0 = left + i * (w + gap), cy - h / 2
        for line in (ARABIC_STROKES if arabic else LATIN_STROKES)[int(ch)]:
            points = " L".join(f"{x0 + x * w:.1f} {y0 + y * h:.1f}" for x, y in line)
            parts.append(f"M{points}")
    return " ".join(parts)


def _span_of(values: list[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    margin = (hi - lo) * 0.12 or 0.05
    return lo - margin, hi + margin


def matrix_svg(
    points: Sequence[MatrixPoint],
    *,
    importance_split: float,
    performance_split: float,
    rtl: bool,
    arabic_digits: bool = False,
) -> SafeString:
    """The matrix: quadrant lines at `importance_split` (x) and `performance_split` (y, as a
    fraction of the scale), the priority quadrant shaded, and a numbered mark per point."""
    if not points:
        return SafeString("")
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    # Both axes span the points and the split lines, with a margin: drivers' importances and
    # items' scores sit close together, and from zero they would overlap in one corner. The
    # table gives the figures; the chart shows where each item stands against the others.
    x_lo, x_hi = _span_of([p.importance for p in points] + [importance_split])
    y_lo, y_hi = _span_of([p.performance for p in points] + [performance_split])

    def x(value: float) -> float:
        offset = (value - x_lo) / (x_hi - x_lo) * inner_w
        return WIDTH - PAD - offset if rtl else PAD + offset

    def y(value: float) -> float:
        return PAD + (y_hi - value) / (y_hi - y_lo) * inner_h

    split_x, split_y = x(importance_split), y(performance_split)
    # The priority quadrant: from the importance line to the high-importance edge, below the
    # score line.
    edge = 0.0 if rtl else float(WIDTH)
    shade_x, shade_w = min(split_x, edge), abs(edge - split_x)
    marks = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="{}" stroke-width="4"/>'
        '<path d="{}" fill="none" stroke="{}" stroke-width="6" stroke-linecap="round" '
        'stroke-linejoin="round"/>',
        (
            (
                f"{x(p.importance):.1f}",
                f"{y(p.performance):.1f}",
                RADIUS,
                PRIORITY_FILL if p.priority else MARK_FILL,
                PRIORITY_MARK if p.priority else INK,
                _digits_path(p.number, x(p.importance), y(p.performance), arabic=arabic_digits),
                PRIORITY_MARK if p.priority else INK,
            )
            # The most important last, so it is drawn on top of the others.
            for p in sorted(points, key=lambda p: p.importance)
        ),
    )
    return format_html(
        '<svg class="matrix" viewBox="0 0 {w} {h}" aria-hidden="true">'
        '<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff" stroke="{track}" '
        'stroke-width="2"/>'
        '<rect x="{sx}" y="{sy}" width="{sw}" height="{sh}" fill="{shade}"/>'
        '<line x1="{lx}" y1="0" x2="{lx}" y2="{h}" stroke="{line}" stroke-width="3" '
        'stroke-dasharray="12 8"/>'
        '<line x1="0" y1="{ly}" x2="{w}" y2="{ly}" stroke="{line}" stroke-width="3" '
        'stroke-dasharray="12 8"/>{marks}</svg>',
        w=WIDTH,
        h=HEIGHT,
        track=TRACK,
        sx=f"{shade_x:.1f}",
        sy=f"{split_y:.1f}",
        sw=f"{shade_w:.1f}",
        sh=f"{HEIGHT - split_y:.1f}",
        shade=PRIORITY_FILL,
        lx=f"{split_x:.1f}",
        ly=f"{split_y:.1f}",
        line=TARGET,
        marks=marks,
    )


def _pct_interval(low: float, high: float, numbers: Numbers) -> str:
    """Two shares as one interval, lower first and on the left as Numbers.ci shows intervals.
    Each share is already an isolate, which the bidi algorithm treats as a neutral: only a
    left-to-right isolate around the pair (whatever the digits) keeps the first on the left."""
    return f"\u2066{interval_text(numbers.pct(low), numbers.pct(high))}\u2069"


def _local(names: dict[str, str] | None) -> str:
    return pick(names.get("ar", ""), names.get("en", "")) if names else ""


def _quadrant(important: bool, low: bool) -> tuple[str, str]:
    if important and low:
        return "priority", _("Priority: important and scoring low")
    if important:
        return "strength", _("Strength: important and scoring high")
    if low:
        return "secondary", _("Secondary: less important, scoring low")
    return "maintain", _("Maintain: less important, scoring high")


def drivers_context(drivers: Sequence[dict] | None, *, numbers: Numbers, rtl: bool) -> dict | None:
    """The key drivers section: the matrix and the table of its points, figures formatted."""
    if not drivers:
        return None
    split = 1 / len(drivers)  # the average share: the importance every item would have if equal
    fractions = [
        (d["mean"] - d["scale"][0]) / (d["scale"][1] - d["scale"][0])
        if d["mean"] is not None and d["scale"][1] > d["scale"][0]
        else 0.0
        for d in drivers
    ]
    median = statistics.median(fractions)
    rows, points = [], []
    for number, (d, fraction) in enumerate(zip(drivers, fractions, strict=True), 1):
        state, label = _quadrant(d["importance"] >= split, fraction < median)
        points.append(MatrixPoint(number, d["importance"], fraction, state == "priority"))
        low, high = d["importance_ci95"]
        rows.append(
            {
                "number": numbers.count(number),
                "code": d["code"],
                "text": _local(d.get("text")),
                "importance": numbers.pct(d["importance"]),
                "ci": _pct_interval(low, high, numbers),
                "mean": numbers.score(d["mean"]),
                "quadrant": state,
                "quadrant_label": label,
            }
        )
    return {
        "svg": matrix_svg(
            points,
            importance_split=split,
            performance_split=median,
            rtl=rtl,
            arabic_digits=numbers.digits == "arabic",
        ),
        "rows": rows,
        "legend": _(
            "Importance is each item's share of what the items together explain of the overall "
            "score (Johnson's relative weights), with its %(level)s bootstrap interval. In the "
            "chart importance grows away from the %(side)s edge and the score upwards; the "
            "dashed lines mark the average importance (%(split)s) and the median score. The "
            "shaded corner holds the priorities: important items that score low."
        )
        % {
            "level": numbers.level(0.95),
            "side": _("right") if rtl else _("left"),
            "split": numbers.pct(split),
        },
    }


def _difference(cell: dict, numbers: Numbers) -> str:
    if cell.get("difference") is None:
        return ""
    size = numbers.score(abs(cell["difference"]))
    if cell["difference"] >= 0:
        return _("higher by %(size)s") % {"size": size}
    return _("lower by %(size)s") % {"size": size}


def segments_context(table: dict | None, texts: dict[str, str], *, numbers: Numbers) -> dict | None:
    """The segment comparison as the table shows it: each value's n, overall score against the
    rest, and the items on which it differs significantly."""
    if table is None:
        return None
    rows = []
    for seg in table["segments"]:
        overall = seg["overall"]
        differing = [
            {
                "text": texts.get(c["code"], c["code"]),
                "direction": c["direction"],
                "figures": _("%(segment)s against %(rest)s, %(difference)s")
                % {
                    "segment": numbers.score(c["mean"]),
                    "rest": numbers.score(c["rest_mean"]),
                    "difference": _difference(c, numbers),
                },
            }
            for c in seg["items"]
            if c["significant"]
        ]
        rows.append(
            {
                "value": seg["value"],
                "n": numbers.count(seg["n"]),
                "overall": numbers.score(overall["mean"]) if overall else "—",
                "rest": numbers.score(overall["rest_mean"]) if overall else "—",
                "difference": _difference(overall, numbers) if overall else "",
                "significant": bool(overall and overall["significant"]),
                "direction": overall["direction"] if overall else None,
                "low_base": bool(overall and overall["low_base"]),
                "items": differing,
            }
        )
    hidden = table["hidden"]
    return {
        "attribute": table["attribute"],
        "rows": rows,
        "hidden": ngettext(
            "%(count)s smaller group is hidden to protect its respondents.",
            "%(count)s smaller groups are hidden to protect their respondents.",
            hidden,
        )
        % {"count": numbers.count(hidden)}
        if hidden
        else "",
        "note": _(
            "Each group against all other respondents: Welch's t-test where both have at least "
            "%(min)s answers, Holm-adjusted across every value and item of the table; marked "
            "only when significant at %(level)s. Groups under %(floor)s respondents are not "
            "shown."
        )
        % {
            "min": numbers.count(table["min_n"]),
            "level": numbers.level(table["alpha"]),
            "floor": numbers.count(min_segment()),
        },
    }


def segment_banner(segment: dict | None, *, numbers: Numbers) -> str:
    """The sentence that says the figures are a segment's, or "" for everyone's."""
    if not segment:
        return ""
    return _("Showing only respondents with %(attribute)s = %(value)s (n = %(n)s).") % {
        "attribute": segment["attribute"],
        "value": segment["value"],
        "n": numbers.count(segment["n"]),
    }
