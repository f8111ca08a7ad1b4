"""One helper formats every figure; charts hold shapes only and escape what they are given."""

from __future__ import annotations

import pytest
from django.utils import translation

from sawt.core.numbers import Numbers
from sawt.reports.charts import Bar, bar_svg, ranked_chart, score_svg

LRI, RLI, PDI, WJ, LRM = "\u2066", "\u2067", "\u2069", "\u2060", "\u200e"
DASH = f"{LRM}{WJ}–{WJ}{LRM}"  # the interval's dash, held left to right


def test_latin_figures():
    n = Numbers("latin")
    assert (n.score(3.890625), n.count(3800), n.score(None)) == ("3.9", "3,800", "—")
    assert n.pct(256 / 3800) == f"{LRI}6.7%{PDI}"
    assert n.ci((3.7492, 4.0321)) == f"{LRI}3.75{DASH}4.03{PDI}"
    assert n.margin(0.1414) == f"{LRI}±0.14{PDI}"


def test_arabic_indic_figures_use_arabic_separators():
    n = Numbers("arabic")
    assert (n.score(3.890625), n.count(3800)) == ("٣٫٩", "٣٬٨٠٠")
    assert n.pct(256 / 3800) == f"{RLI}٦٫٧٪{PDI}"
    assert n.ci((3.7492, 4.0321)) == f"{RLI}٣٫٧٥{DASH}٤٫٠٣{PDI}"


@pytest.mark.parametrize(("lang", "expected"), [("ar", "يونيو ٢٠٢٢"), ("en", "June ٢٠٢٢")])
def test_the_period_is_the_month_name(lang, expected):
    with translation.override(lang):
        assert Numbers("arabic").period("2022-06") == expected


def test_unknown_digits_are_refused():
    with pytest.raises(ValueError):
        Numbers("roman")


def test_bars_grow_from_the_inline_start_side():
    assert 'x="0.0" y="0" width="250.0"' in bar_svg(0.25, rtl=False)
    assert 'x="750.0" y="0" width="250.0"' in bar_svg(0.25, rtl=True)


def test_the_ranked_chart_escapes_labels_and_keeps_text_out_of_the_svg():
    html = ranked_chart(
        [Bar("<script>alert(1)</script>", "164", "28.8%", 164.0), Bar("ب", "82", "14.4%", 82.0)],
        rtl=True,
        caption="الشكاوى",
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'x="500.0" y="0" width="500.0"' in html  # half the largest, from the right
    for svg in html.split("<svg")[1:]:
        assert "<text" not in svg.split("</svg>")[0]


def test_the_score_bar_mirrors_in_arabic():
    ltr = score_svg(4.0, (3.5, 4.5), scale=(1, 5), target=4.0, meets=True, rtl=False)
    rtl = score_svg(4.0, (3.5, 4.5), scale=(1, 5), target=4.0, meets=True, rtl=True)
    assert 'x="625.0" y="4" width="250.0"' in ltr  # the interval 3.5–4.5 on a 1–5 scale
    assert 'x="125.0" y="4" width="250.0"' in rtl
    assert score_svg(None, None, scale=(1, 5), target=4.0, meets=None, rtl=True) == ""
