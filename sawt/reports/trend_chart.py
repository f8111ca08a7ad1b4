"""A series over periods drawn as SVG shapes only: the line of means, the 95 % interval of each
point as a band, a marker per point and a mark for a significant change.

As for every chart (charts.py, decision 0003), no word or figure is inside the SVG: the scale's
ends, the periods and the figures are HTML beside and under it. The time axis runs in reading
order, so in Arabic the oldest period is on the right; the periods' HTML row follows `dir` the
same way, one equal slot per period, and each point sits in the middle of its slot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from sawt.reports.charts import INK, TRACK

# Drawing units; the SVG keeps this aspect ratio and scales to the width CSS gives it.
WIDTH, HEIGHT, COMPACT_HEIGHT = 600, 160, 90
# Room above the scale's top and below its bottom for a marker and a change mark.
PAD = 14
# Colours as presentation attributes (WeasyPrint does not style inline SVG from the sheet).
BAND, LINE, UP, DOWN, PAPER = "#b9d9ca", "#0b6e4f", "#0b6e4f", "#a4262c", "#ffffff"


@dataclass(frozen=True)
class TrendPoint:
    """One period of a series: its mean (None: no answers), its interval (None: no band, e.g.
    a low base), whether it is a low base, and the direction of a significant change into it."""

    mean: float | None
    ci: tuple[float, float] | None
    low_base: bool = False
    direction: str | None = None  # "up" or "down" only when the change is significant


def slot_x(index: int, count: int, *, rtl: bool) -> float:
    """The middle of a period's slot: equal slots in reading order, the first on the right in
    Arabic, as the HTML row of periods under the chart lays them out."""
    x = (index + 0.5) * WIDTH / count
    return WIDTH - x if rtl else x


def _gridlines(scale: tuple[int, int], y: Callable[[float], float]) -> list[float]:
    lo, hi = scale
    step = 1 if hi - lo <= 6 else 2
    return [y(v) for v in range(lo, hi + 1, step)] + ([y(hi)] if (hi - lo) % step else [])


def trend_svg(
    points: Sequence[TrendPoint], *, scale: tuple[int, int], rtl: bool, compact: bool = False
) -> SafeString:
    """The series on its own scale (lowest point at the bottom, highest at the top, not 0 to
    the maximum): light lines at the scale's points, a band per interval, the line of means, a
    marker per mean (hollow for a low base) and a triangle where a change is significant."""
    lo, hi = scale
    if hi <= lo or not points or all(p.mean is None for p in points):
        return SafeString("")
    height = COMPACT_HEIGHT if compact else HEIGHT
    band_w = min(36.0, WIDTH / len(points) / 3)
    radius = 5 if compact else 6.5

    def y(value: float) -> float:
        value = min(max(value, lo), hi)
        return PAD + (hi - value) / (hi - lo) * (height - 2 * PAD)

    grid = format_html_join(
        "",
        '<line x1="0" y1="{0}" x2="{1}" y2="{0}" stroke="{2}" stroke-width="1"/>',
        ((f"{g:.1f}", WIDTH, TRACK) for g in _gridlines(scale, y)),
    )
    placed = [
        (slot_x(i, len(points), rtl=rtl), p) for i, p in enumerate(points) if p.mean is not None
    ]
    bands = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" rx="3"/>',
        (
            (
                f"{x - band_w / 2:.1f}",
                f"{y(p.ci[1]):.1f}",
                f"{band_w:.1f}",
                f"{max(y(p.ci[0]) - y(p.ci[1]), 1.0):.1f}",
                BAND,
            )
            for x, p in placed
            if p.ci
        ),
    )
    line = (
        format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="{}" '
            'stroke-linejoin="round"/>',
            " ".join(f"{x:.1f},{y(p.mean):.1f}" for x, p in placed if p.mean is not None),
            LINE,
            2 if compact else 3,
        )
        if len(placed) > 1
        else SafeString("")
    )
    markers = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="{}" stroke-width="2"/>',
        (
            (
                f"{x:.1f}",
                f"{y(p.mean):.1f}",
                radius,
                PAPER if p.low_base else INK,
                INK,
            )
            for x, p in placed
            if p.mean is not None
        ),
    )
    marks = format_html_join(
        "",
        '<polygon points="{}" fill="{}"/>',
        (
            _triangle(x, y(p.mean), p.direction, radius, rtl=rtl)
            for x, p in placed
            if p.direction and p.mean is not None
        ),
    )
    return format_html(
        '<svg class="trend-svg{}" viewBox="0 0 {} {}" aria-hidden="true" focusable="false">'
        "{}{}{}{}{}</svg>",
        " compact" if compact else "",
        WIDTH,
        height,
        grid,
        bands,
        line,
        markers,
        marks,
    )


def _triangle(
    x: float, cy: float, direction: str | None, radius: float, *, rtl: bool
) -> tuple[str, str]:
    """A triangle pointing the way the mean moved, just after its marker in reading order, so
    it never leaves the drawing at the scale's ends (colour is not alone: the table under the
    chart says "significant" in words)."""
    size = radius * 1.5
    cx = x + (radius + size + 3) * (-1 if rtl else 1)
    tip, base = (cy - size, cy + size * 0.8) if direction == "up" else (cy + size, cy - size * 0.8)
    points = f"{cx:.1f},{tip:.1f} {cx - size:.1f},{base:.1f} {cx + size:.1f},{base:.1f}"
    return points, UP if direction == "up" else DOWN
