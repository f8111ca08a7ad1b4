"""The importance × performance matrix, the segment table, and both on the journey page and in
the report, with a segment chosen or refused."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.utils import translation

from sawt.core.numbers import Numbers
from sawt.demo.loader import demo_load
from sawt.reports.matrix_chart import (
    MatrixPoint,
    drivers_context,
    matrix_svg,
    segment_banner,
    segments_context,
)

CC = "contractor-classification"
PAGE = f"/journeys/{CC}/2022-06/"
REPORT = f"/reports/{CC}/2022-06/"
RIYADH = "region=%D8%A7%D9%84%D8%B1%D9%8A%D8%A7%D8%B6"  # region=الرياض


def _drivers() -> list[dict]:
    figures = [("a", 0.40, 3.0), ("b", 0.30, 4.5), ("c", 0.20, 2.5), ("d", 0.10, 4.0)]
    return [
        {
            "code": code,
            "importance": imp,
            "importance_ci95": [imp - 0.05, imp + 0.05],
            "mean": mean,
            "scale": (1, 5),
            "text": {"ar": f"البند {code}", "en": f"Item {code}"},
        }
        for code, imp, mean in figures
    ]


def test_the_matrix_is_shapes_only_with_one_numbered_mark_per_point():
    points = [MatrixPoint(1, 0.4, 0.2, True), MatrixPoint(12, 0.1, 0.9, False)]
    svg = str(matrix_svg(points, importance_split=0.25, performance_split=0.5, rtl=False))
    assert "<text" not in svg and "<svg" in svg
    assert svg.count("<circle") == 2
    assert svg.count("<path") == 2
    assert "#b42318" in svg  # the priority mark
    assert str(matrix_svg([], importance_split=0.5, performance_split=0.5, rtl=False)) == ""


def _circle_x(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]


def test_importance_grows_from_the_inline_start_side():
    points = [MatrixPoint(1, 0.4, 0.5, False), MatrixPoint(2, 0.1, 0.5, False)]
    ltr = _circle_x(
        str(matrix_svg(points, importance_split=0.25, performance_split=0.5, rtl=False))
    )
    rtl = _circle_x(str(matrix_svg(points, importance_split=0.25, performance_split=0.5, rtl=True)))
    # Drawn least important first: the first circle is point 2.
    assert ltr[0] < ltr[1]
    assert rtl[0] > rtl[1]
    assert ltr[0] + rtl[0] == pytest.approx(1000)


def test_the_table_beside_the_chart_names_each_point_and_its_quadrant():
    with translation.override("en"):
        ctx = drivers_context(_drivers(), numbers=Numbers("latin"), rtl=False)
    assert ctx is not None
    rows = ctx["rows"]
    assert [r["number"] for r in rows] == ["1", "2", "3", "4"]
    assert [r["text"] for r in rows] == ["Item a", "Item b", "Item c", "Item d"]
    # Average importance 25 %, median score 3.5: a (40 %, 3.0) is a priority, b a strength, c
    # (20 %, 2.5) secondary, d (10 %, 4.0) to maintain.
    assert [r["quadrant"] for r in rows] == ["priority", "strength", "secondary", "maintain"]
    assert rows[0]["importance"] == "\u206640.0%\u2069"
    assert "35.0%" in rows[0]["ci"] and "45.0%" in rows[0]["ci"]
    assert rows[0]["ci"].index("35.0%") < rows[0]["ci"].index("45.0%")
    assert rows[0]["mean"] == "3.0"
    assert drivers_context(None, numbers=Numbers("latin"), rtl=False) is None


def test_arabic_digits_in_the_table_and_as_strokes_in_the_chart():
    with translation.override("ar"):
        ctx = drivers_context(_drivers(), numbers=Numbers("arabic"), rtl=True)
    assert ctx is not None
    assert ctx["rows"][0]["number"] == "١"
    assert ctx["rows"][0]["mean"] == "٣٫٠"
    latin = drivers_context(_drivers(), numbers=Numbers("latin"), rtl=True)
    assert latin is not None
    assert str(ctx["svg"]) != str(latin["svg"])  # other digit shapes, same positions
    assert _circle_x(str(ctx["svg"])) == _circle_x(str(latin["svg"]))


def _cell(code, mean, rest, significant=False, low_base=False):
    difference = mean - rest
    direction = ("higher" if difference > 0 else "lower") if significant else None
    return {
        "code": code,
        "n": 40,
        "mean": mean,
        "rest_n": 100,
        "rest_mean": rest,
        "difference": difference,
        "p": 0.001,
        "p_adjusted": 0.01 if significant else 0.5,
        "significant": significant,
        "direction": direction,
        "low_base": low_base,
    }


def test_the_segment_table_marks_significant_differences_only():
    table = {
        "attribute": "region",
        "alpha": 0.05,
        "min_n": 30,
        "hidden": 2,
        "items": ["overall", "wait"],
        "segments": [
            {
                "value": "الرياض",
                "n": 40,
                "overall": _cell("overall", 4.2, 3.6, significant=True),
                "items": [_cell("wait", 3.1, 3.9, significant=True), _cell("fee", 3.5, 3.4)],
            }
        ],
    }
    with translation.override("en"):
        ctx = segments_context(table, {"wait": "Waiting time"}, numbers=Numbers("latin"))
        banner = segment_banner(
            {"attribute": "region", "value": "الرياض", "n": 84}, numbers=Numbers("latin")
        )
    assert ctx is not None
    row = ctx["rows"][0]
    assert row["overall"] == "4.2" and row["rest"] == "3.6"
    assert row["significant"] and row["direction"] == "higher"
    assert row["difference"] == "higher by 0.6"
    assert [i["text"] for i in row["items"]] == ["Waiting time"]
    assert row["items"][0]["figures"] == "3.1 against 3.9, lower by 0.8"
    assert ctx["hidden"] == "2 smaller groups are hidden to protect their respondents."
    assert banner == "Showing only respondents with region = الرياض (n = 84)."


# On the demo: the journey page and the report.


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        demo_load()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _login(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="analyst"))
    return client


@pytest.mark.django_db
def test_the_journey_page_shows_the_drivers_and_the_segment_picker(demo, client):
    html = _login(client).get(PAGE).content.decode()  # in Arabic, the default
    assert 'class="matrix"' in html
    assert html.count('<tr class="q-') == 10  # one row per driver item
    assert 'name="segment"' in html and f'value="{"region=الرياض"}"' in html
    # Regions under 10 respondents are neither offered nor named.
    assert "region=تبوك" not in html
    assert "region: عدد المجموعات الأصغر المحجوبة 3." in html
    assert "segment-banner" not in html


@pytest.mark.django_db
def test_a_segment_filters_the_page_and_says_so(demo, client):
    client = _login(client)
    html = client.get(f"{PAGE}?segment={RIYADH}&compare=region").content.decode()
    assert "segment-banner" in html
    assert "(ن = 84)" in html  # the group's size, in the page's language
    assert f'href="{PAGE}"' in html  # the way back to everyone
    assert 'class="segments-table"' in html
    assert f"{REPORT}?segment=" in html  # the report link keeps the segment
    assert '<dd class="value">84</dd>' in html  # the responses tile is the segment's
    # A segment under the minimum, a malformed one or an unknown attribute is refused.
    for bad in ("region=تبوك", "region", "grade=5"):
        assert client.get(PAGE, {"segment": bad}).status_code == 404
    assert client.get(PAGE, {"compare": "grade"}).status_code == 404


@pytest.mark.django_db
def test_the_report_takes_the_segment_too(demo, client):
    client = _login(client)
    html = client.get(f"{REPORT}?segment={RIYADH}&lang=en").content.decode()
    assert "Showing only respondents with region" in html
    assert "segments-table" in html  # the segment's attribute is compared
    assert "&amp;segment=" in html  # the PDF link keeps it
    assert client.get(REPORT, {"segment": "region=تبوك"}).status_code == 404
    plain = client.get(f"{REPORT}?lang=en").content.decode()
    assert "Key drivers of overall satisfaction" in plain
    assert "Showing only respondents" not in plain
