"""Charts drawn on the server as SVG, for the web page and the PDF alike.

The SVG holds only shapes. Every word and figure sits beside it in HTML, because WeasyPrint
draws SVG <text> code point by code point, with no shaping and no bidi reordering: Arabic
letters would come out unjoined and mirrored (Kozea/WeasyPrint#2909). HTML text is shaped by
Pango/HarfBuzz in the PDF and by the browser on the page, and stays searchable in both.
Bars grow from the inline-start side, so from the right in Arabic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Drawing units across a bar; the SVG stretches to the width CSS gives it.
WIDTH = 1000
# Colours are presentation attributes, not CSS: WeasyPrint does not apply the page's style
# sheet to inline SVG. The bands are pale enough for the black mean mark to stand out on them.
INK, TRACK, TARGET, BRAND = "#1b1f23", "#e3e7eb", "#6e7781", "#0b6e4f"
BAND = {"meets": "#8cbfa8", "below": "#e3a7a3", "none": "#c9ced4"}


@dataclass(frozen=True)
class Bar:
    """One row of a ranked chart: the label and the figures are shown as they are given."""

    label: str
    count: str
    share: str
    value: float


def _span(start: float, length: float, *, rtl: bool) -> tuple[float, float]:
    """x and width of a span measured from the inline-start edge."""
    return (WIDTH - start - length, length) if rtl else (start, length)


def bar_svg(fraction: float, *, rtl: bool, css_class: str = "bar") -> SafeString:
    """A horizontal bar filled to `fraction` (0–1) of its track."""
    fraction = min(max(fraction, 0.0), 1.0)
    x, width = _span(0, fraction * WIDTH, rtl=rtl)
    return format_html(
        '<svg class="{}" viewBox="0 0 {} 10" preserveAspectRatio="none" aria-hidden="true">'
        '<rect x="0" y="0" width="{}" height="10" fill="{}"/>'
        '<rect x="{}" y="0" width="{}" height="10" fill="{}"/></svg>',
        css_class,
        WIDTH,
        WIDTH,
        TRACK,
        f"{x:.1f}",
        f"{width:.1f}",
        BRAND,
    )


def ranked_chart(bars: Sequence[Bar], *, rtl: bool, caption: str) -> SafeString:
    """Categories largest first: label, count and share as text, a bar scaled to the largest."""
    if not bars:
        return format_html('<p class="chart-empty">{}</p>', caption)
    top = max(b.value for b in bars) or 1
    rows = format_html_join(
        "",
        '<li><div class="row"><span class="rank">{}</span><span class="label" dir="auto">{}</span>'
        '<span class="figures"><b>{}</b> · {}</span></div><div class="barbox">{}</div></li>',
        (
            (i, b.label, b.count, b.share, bar_svg(b.value / top, rtl=rtl))
            for i, b in enumerate(bars, 1)
        ),
    )
    return format_html('<ol class="chart" aria-label="{}">{}</ol>', caption, rows)


def score_svg(
    mean: float | None,
    ci: tuple[float, float] | None,
    *,
    scale: tuple[int, int],
    target: float,
    meets: bool | None,
    rtl: bool,
) -> SafeString:
    """An item's score on its scale: the 95 % interval as a band, the mean as a mark, and the
    target as a tick, so a reader sees at once whether the interval clears the target."""
    lo, hi = scale
    if mean is None or hi <= lo:
        return SafeString("")

    def pos(value: float) -> float:
        return (min(max(value, lo), hi) - lo) / (hi - lo) * WIDTH

    band_x, band_w = _span(pos(ci[0]), pos(ci[1]) - pos(ci[0]), rtl=rtl) if ci else (0.0, 0.0)
    mark_x, _ = _span(pos(mean) - 8, 16, rtl=rtl)
    tick_x, _ = _span(pos(target) - 3, 6, rtl=rtl)
    state = "none" if meets is None else "meets" if meets else "below"
    return format_html(
        '<svg class="scorebar" viewBox="0 0 {} 24" preserveAspectRatio="none" '
        'aria-hidden="true"><rect x="0" y="8" width="{}" height="8" fill="{}"/>'
        '<rect x="{}" y="4" width="{}" height="16" fill="{}"/>'
        '<rect x="{}" y="0" width="6" height="24" fill="{}"/>'
        '<rect x="{}" y="2" width="16" height="20" fill="{}"/></svg>',
        WIDTH,
        WIDTH,
        TRACK,
        f"{band_x:.1f}",
        f"{band_w:.1f}",
        BAND[state],
        f"{tick_x:.1f}",
        TARGET,
        f"{mark_x:.1f}",
        INK,
    )
