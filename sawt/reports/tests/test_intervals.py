"""One interval, every renderer: the page filter, the report (web and PDF), the terminal table
and the XLSX all give the bounds lower first, and a reader sees the lower bound on the left.

Before, the pages isolated "3.75–4.03" while the terminal and Arabic-Indic digits let the
bidi algorithm turn it into "4.03–3.75" on screen."""

from __future__ import annotations

import io
import re

import openpyxl
import pypdfium2 as pdfium
import pytest
from django.utils import translation

from sawt.core.numbers import Numbers, interval_text
from sawt.metrics.render import _width, summary_table
from sawt.metrics.selectors import journey_summary
from sawt.reports.pdf import report_pdf
from sawt.reports.selectors import report_get
from sawt.reports.tests.pdftext import page_with, pages_of
from sawt.reports.xlsx import report_xlsx
from sawt.web.templatetags.sawt_format import ci as ci_filter

CC = "contractor-classification"
BOUNDS = (3.7492, 4.0321)
CANONICAL = interval_text("3.75", "4.03")
# Isolates and markup around a figure differ by renderer; the interval inside must not.
_WRAPPERS = re.compile(r"[\u2066\u2067\u2069]|<bdi[^>]*>|</bdi>")


def _core(text: str) -> str:
    return _WRAPPERS.sub("", str(text))


def test_the_interval_holds_its_direction_between_the_bounds():
    assert CANONICAL == "3.75\u200e\u2060–\u2060\u200e4.03"


def test_every_text_renderer_writes_the_same_interval():
    rendered = {
        "report": Numbers("latin").ci(BOUNDS),
        "page filter": ci_filter(list(BOUNDS)),
        "terminal": _terminal_ci(BOUNDS),
    }
    assert {name: _core(text) for name, text in rendered.items()} == dict.fromkeys(
        rendered, CANONICAL
    )
    arabic = Numbers("arabic")
    assert _core(arabic.ci(BOUNDS)) == interval_text(arabic.text("3.75"), arabic.text("4.03"))


def _terminal_ci(bounds: tuple[float, float]) -> str:
    from sawt.metrics.render import _Fmt

    return _Fmt("latin").ci(list(bounds))


def test_the_terminal_counts_no_column_for_the_direction_marks():
    assert _width(_terminal_ci(BOUNDS)) == len("3.75–4.03")


@pytest.fixture(scope="module")
def report(demo, django_db_blocker):
    with django_db_blocker.unblock():
        return report_get(period="2022-06", journey_slug=CC)


@pytest.mark.django_db
def test_the_summary_table_writes_the_overall_interval_like_the_pages(demo):
    summary = journey_summary(journey_slug=CC, period="2022-06")
    low, high = summary["overall"]["ci95"]
    with translation.override("ar"):
        table = summary_table(summary)
    assert interval_text(f"{low:.2f}", f"{high:.2f}") in table


@pytest.mark.django_db
def test_the_workbook_puts_the_lower_bound_first(report):
    sheet = openpyxl.load_workbook(io.BytesIO(report_xlsx(report, lang="en")))["Summary"]
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    labels = [row[0] for row in sheet.iter_rows(values_only=True)]
    low, high = "Overall satisfaction: 95% CI, low", "Overall satisfaction: 95% CI, high"
    assert labels.index(low) + 1 == labels.index(high)
    assert values[low] < values[high]


def _x(document: pdfium.PdfDocument, index: int, needle: str) -> float:
    """The left edge of the first occurrence of `needle` on a page."""
    text = document[index].get_textpage()
    hit = text.search(needle).get_next()
    assert hit is not None, needle
    return min(text.get_charbox(i)[0] for i in range(hit[0], hit[0] + hit[1]))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "digits", "low", "high"),
    [
        ("ar", "latin", "3.75", "4.03"),
        ("ar", "arabic", "٣٫٧٥", "٤٫٠٣"),
        ("en", "latin", "3.75", "4.03"),
    ],
)
def test_the_pdf_shows_the_lower_bound_on_the_left(report, lang, digits, low, high):
    pdf = report_pdf(report, lang=lang, digits=digits)
    pages = pages_of(pdf)
    index = page_with(pages, low)
    document = pdfium.PdfDocument(pdf)
    try:
        assert _x(document, index, low) < _x(document, index, high)
    finally:
        document.close()
