"""The demo's journey report as a PDF: the seed's figures and labels, A4 pages, fonts, digits.

Each PDF is rendered once for the module; the tests read its text back with pypdfium2 and
pypdf, and leave PNGs of key pages under SAWT_HOME/test-artifacts for a person to look at."""

from __future__ import annotations

import re
import time
from collections import Counter
from io import BytesIO, StringIO

import pypdf
import pypdfium2 as pdfium
import pytest
from django.conf import settings
from django.core.management import call_command

from sawt.reports.pdf import report_pdf
from sawt.reports.selectors import report_get
from sawt.reports.tests.pdftext import Page, page_with, pages_of, save_png

pytestmark = pytest.mark.django_db

CC = "contractor-classification"
SEED_FIGURES = ("3,800", "256", "569", "3.9")
SEED_ITEMS = ("3.4", "3.4", "3.4", "3.7", "3.7", "3.8", "3.8", "3.3", "3.7", "4.1")
ARABIC_TITLES = (
    "عينة القياس",
    "صوت العميل العام",
    "مراحل الرحلة الأساسية",
    "فجوات وتوصيات الرحلات من منظور العميل",
)
ENGLISH_TITLES = (
    "Measurement sample",
    "General voice of the customer",
    "The journey's stages",
    "Journey gaps and recommendations from the customer's perspective",
)
ARTIFACTS = settings.SAWT_HOME / "test-artifacts"
A4 = (595.28, 841.89)  # points


@pytest.fixture(scope="module")
def rendered(demo, django_db_blocker) -> dict:
    """The contractor-classification report in each edition the tests read, with timings."""
    out = {}
    with django_db_blocker.unblock():
        for lang, digits in (("ar", "latin"), ("en", "latin"), ("ar", "arabic")):
            started = time.monotonic()
            report = report_get(period="2022-06", journey_slug=CC)
            pdf = report_pdf(report, lang=lang, digits=digits)
            out[lang, digits] = (pdf, pages_of(pdf), time.monotonic() - started)
    return out


@pytest.fixture(scope="module")
def arabic(rendered) -> list[Page]:
    return rendered["ar", "latin"][1]


@pytest.fixture(scope="module")
def english(rendered) -> list[Page]:
    return rendered["en", "latin"][1]


@pytest.fixture(scope="module")
def portfolio(demo, django_db_blocker, tmp_path_factory) -> tuple:
    """The portfolio of 2022-06 written by `sawt report`, as a person would run it."""
    path = tmp_path_factory.mktemp("report") / "portfolio-2022-06.pdf"
    stdout = StringIO()
    with django_db_blocker.unblock():
        call_command("report", "--period", "2022-06", "--out", str(path), stdout=stdout)
    return path, stdout.getvalue(), pages_of(path.read_bytes())


def _scores(text: str) -> Counter:
    return Counter(re.findall(r"(?<![\d.])\d\.\d(?![\d])", text))


def test_the_seed_figures_are_in_the_pdf(arabic):
    method = arabic[page_with(arabic, "عينة القياس")]
    for figure in SEED_FIGURES:
        assert figure in method, figure


def test_the_ten_item_scores_are_on_the_journey_map(arabic):
    journey_map = arabic[page_with(arabic, "مراحل الرحلة الأساسية")]
    assert Counter(SEED_ITEMS) - _scores(journey_map.pdfium) == Counter()
    assert "ن = 247" in journey_map and "3.26–3.52" in journey_map.pypdf
    assert journey_map.pdfium.count("دون المستهدف") == 9
    assert journey_map.pdfium.count("يحقق المستهدف") == 1  # the inspectors' 4.1


def test_the_arabic_labels_are_in_logical_order(arabic):
    for label in (*ARABIC_TITLES, "تم التنفيذ", "تصنيف المقاولين", "شكراً لكم"):
        assert any(label in page for page in arabic), label
    assert "الإدارة العامة لتجربة العميل" in arabic[0]
    assert "وكالة الوزارة لتنظيم مشغلي المدن" in arabic[page_with(arabic, ARABIC_TITLES[3])]


def test_the_method_states_the_response_rate_and_the_margin_of_error(arabic):
    method = arabic[page_with(arabic, "المنهجية")]
    assert "نسبة الاستجابة 6.7%" in method.pypdf or "6.7%" in method.pdfium
    assert "±0.14" in method


def test_no_demo_item_is_a_low_base(arabic):
    assert not any("قاعدة صغيرة" in page for page in arabic)


def test_pages_are_a4_with_a_running_header_and_page_numbers(rendered, arabic):
    document = pdfium.PdfDocument(rendered["ar", "latin"][0])
    sizes = {tuple(round(x, 2) for x in page.get_size()) for page in document}
    document.close()
    assert sizes == {A4}
    total = len(arabic)
    for number, page in enumerate(arabic[1:-1], 2):  # the cover and the closing page have none
        assert f"صفحة {number} من {total}" in page.pdfium
    journey_map = arabic[page_with(arabic, "مراحل الرحلة الأساسية")]
    assert "تصنيف المقاولين · يونيو 2022" in journey_map.pdfium


def test_only_the_bundled_fonts_are_used(rendered):
    # A glyph missing from the bundled fonts would fall back to a system font and show here.
    reader = pypdf.PdfReader(BytesIO(rendered["ar", "latin"][0]))
    fonts = {
        font.get_object()["/BaseFont"].split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts <= {"Sawt-Arabic", "Sawt-Arabic-Bold", "Sawt-Latin", "Sawt-Latin-Bold"}
    assert "Sawt-Arabic" in fonts


def test_the_english_edition_is_a_full_translation(english):
    text = " ".join(page.pdfium + page.pypdf for page in english)
    for label in (*ENGLISH_TITLES, "Implemented", "Contractor classification", "Thank you"):
        assert label in text, label
    assert "General Administration of Customer Experience" in english[0]
    assert not [title for title in ARABIC_TITLES if title in text]
    assert "n = 247" in text and "Page 3 of" in text
    for figure in SEED_FIGURES:
        assert figure in text


def test_arabic_digits_replace_latin_ones(rendered):
    pages = rendered["ar", "arabic"][1]
    text = " ".join(page.pdfium + page.pypdf for page in pages)
    assert "٣٫٩" in text and "٣٬٨٠٠" in text and "٥٦٩" in text
    assert "3.9" not in text and "3,800" not in text
    assert "صفحة ٣ من" in text


def test_the_journey_pdf_is_fast(rendered):
    # The brief asks for < 3 s; the margin is for slower CI machines.
    assert rendered["ar", "latin"][2] < 6


def test_the_command_writes_the_portfolio_and_prints_its_path(portfolio):
    path, stdout, _ = portfolio
    assert stdout.strip() == str(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert not list(path.parent.glob(".sawt-report-*"))  # no temporary file left behind


def test_the_contents_page_lists_each_journey_with_its_page(portfolio):
    _, _, pages = portfolio
    contents = pages[page_with(pages, "جدول المحتويات")]
    for name in ("تصنيف المقاولين", "إصدار رخص البناء"):
        match = re.search(re.escape(name) + r"[^.]*(?:\. ?){5,}(\d+)", contents.pdfium)
        assert match, name
        start = pages[int(match.group(1)) - 1]
        assert name in start and "رحلة الخدمة" in start and "عينة القياس" in start


def test_page_images_are_kept_for_a_person_to_look_at(rendered, portfolio):
    written = []
    for (lang, digits), (pdf, pages, _) in rendered.items():
        title = "مراحل الرحلة الأساسية" if lang == "ar" else "The journey's stages"
        gaps = ARABIC_TITLES[3] if lang == "ar" else ENGLISH_TITLES[3]
        for name, index in (
            ("page1", 0),
            ("journey-map", page_with(pages, title)),
            ("gaps", page_with(pages, gaps)),
        ):
            path = ARTIFACTS / f"report-{CC}-{lang}-{digits}-{name}.png"
            written.append(save_png(pdf, index, path))
    path, _, pages = portfolio
    contents = page_with(pages, "جدول المحتويات")
    written.append(
        save_png(path.read_bytes(), contents, ARTIFACTS / "report-portfolio-contents.png")
    )
    assert all(p.stat().st_size > 10_000 for p in written)
