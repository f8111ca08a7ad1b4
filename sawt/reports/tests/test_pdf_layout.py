"""The PDF's sample section as a reader meets it: tiles in reading order, no figure twice.

WeasyPrint lays a CSS grid out left to right whatever the direction; the tiles must still run
right to left in Arabic. Positions are read from the PDF's own text layer (pypdfium2)."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from sawt.reports.pdf import report_pdf
from sawt.reports.selectors import report_get
from sawt.reports.tests.pdftext import page_with, pages_of

pytestmark = pytest.mark.django_db

CC = "contractor-classification"
# The four tiles' values in the order of the template: sent, responses, complaints, overall.
TILE_VALUES = ("3,800", "256", "569", "3.9")


@pytest.fixture(scope="module")
def pdfs(demo, django_db_blocker) -> dict[str, bytes]:
    with django_db_blocker.unblock():
        report = report_get(period="2022-06", journey_slug=CC)
        return {lang: report_pdf(report, lang=lang, digits="latin") for lang in ("ar", "en")}


def _tile_x(pdf: bytes, index: int, value: str) -> float:
    """The horizontal middle of a tile's big figure: the tallest occurrence of `value`."""
    document = pdfium.PdfDocument(pdf)
    try:
        text = document[index].get_textpage()
        found = []
        searcher = text.search(value, match_whole_word=True)
        while (hit := searcher.get_next()) is not None:
            start, count = hit
            boxes = [text.get_charbox(i) for i in range(start, start + count)]
            left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
            height = max(b[3] - b[1] for b in boxes)
            found.append((height, (left + right) / 2))
    finally:
        document.close()
    assert found, value
    return max(found)[1]


@pytest.mark.parametrize(("lang", "rtl"), [("ar", True), ("en", False)])
def test_sample_tiles_follow_the_reading_direction(pdfs, lang, rtl):
    pdf = pdfs[lang]
    pages = pages_of(pdf)
    index = page_with(pages, "عينة القياس" if lang == "ar" else "Measurement sample")
    xs = [_tile_x(pdf, index, value) for value in TILE_VALUES]
    # Arabic reads right to left: the first tile is the rightmost one.
    assert xs == sorted(xs, reverse=rtl), xs


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("en", ("Survey sent to", "Responses", "Complaints")),
        ("ar", ("العينة المرسل لها", "عدد ردود الاستجابة", "الشكاوى")),
    ],
)
def test_the_method_does_not_repeat_the_sample_figures(pdfs, lang, labels):
    pages = pages_of(pdfs[lang])
    page = pages[page_with(pages, "عينة القياس" if lang == "ar" else "Measurement sample")]
    # The sample's figures appear once each on the page (in their tiles), not again above them.
    assert page.pdfium.count("569") == 1
    assert page.pdfium.count(labels[0]) == 1
    assert "Complaints analysed" not in page.pdfium
    assert "±0.14" in page  # the margin of error stays in the method
