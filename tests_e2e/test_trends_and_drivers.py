"""The trend and key-driver charts on the journey page, as a reader sees them: in Arabic and
English, on a desktop and on a 360 px phone. Each chart is drawn, its figures sit beside it as
text, and nothing makes the phone scroll sideways."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests_e2e.conftest import ARTIFACTS, DESKTOP, login, shot

pytestmark = pytest.mark.e2e

# The demo's December wave: three periods of the seed journey, after the June register's fixes.
JOURNEY = "/journeys/contractor-classification/2022-12/"
MONTHS = {
    "ar": ("مارس 2022", "يونيو 2022", "ديسمبر 2022"),
    "en": ("March 2022", "June 2022", "December 2022"),
}
NARROW = {"width": 360, "height": 780}


def _fits(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("width", ["desktop", "360"])
def test_trend_and_driver_charts(new_page, lang, width):
    page = login(new_page(lang=lang, viewport=DESKTOP if width == "desktop" else NARROW), "analyst")
    assert page.goto(JOURNEY).status == 200
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")

    trends = page.locator("section.trends")
    trends.scroll_into_view_if_needed()
    assert trends.locator("svg").first.is_visible()
    box = trends.locator("svg").first.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 40, box
    # The periods and figures are text beside the chart, oldest to newest.
    headers = trends.locator("table.trend-items thead th").all_inner_texts()
    assert [h for h in headers if h in MONTHS[lang]] == list(MONTHS[lang]), headers
    trends.screenshot(path=str(_artifact(f"trends-{lang}-{width}")))

    drivers = page.locator("section.drivers")
    drivers.scroll_into_view_if_needed()
    assert drivers.locator("svg").first.is_visible()
    rows = drivers.locator("table.drivers-table tbody tr")
    assert rows.count() >= 3
    # Every point of the matrix is numbered in the table beside it, most important first.
    first = rows.first.inner_text()
    assert "1" in first
    drivers.screenshot(path=str(_artifact(f"drivers-{lang}-{width}")))

    shot(page, f"journey-trends-{lang}-{width}")
    assert _fits(page) <= 1, f"the journey page is wider than the {width} screen"


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
