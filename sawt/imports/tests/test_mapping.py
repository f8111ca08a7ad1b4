"""Any table through a mapping profile, the built-in aliases, and files that are not tables
(issue 12, items 3 and 4)."""

import datetime as dt
import io
import json
import zipfile
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from sawt.complaints.models import Complaint
from sawt.complaints.services import complaints_import
from sawt.imports.mapping import MappingProfile, alias_key, load_mapping
from sawt.imports.problems import ImportFailed
from sawt.imports.tests.helpers import counts, snapshot, write_xlsx
from sawt.surveys.models import Response
from sawt.surveys.services import responses_import, survey_definition_import

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "docs" / "examples"
DEFINITION = ROOT / "sawt/surveys/tests/fixtures/definition/valid.yaml"
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def journey(db):
    with translation.override("en"):
        survey_definition_import(path=DEFINITION)  # journey permits, survey permits-2022-06
        yield


def stored() -> dict[str, tuple]:
    return {c.complaint_id: (c.received_at, c.channel, c.text) for c in Complaint.objects.all()}


def refused(call) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        call()
    return caught.value.lines()


def csv(tmp_path: Path, text: str, name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- The example: a ministry's export with a mapping ----------------------------------------


def test_the_ministry_export_imports_through_its_mapping():
    profile = load_mapping(EXAMPLES / "complaints-mapping.yaml")
    result = complaints_import(
        journey_slug="permits",
        path=EXAMPLES / "complaints-ministry-export.xlsx",
        mapping=profile,
    )
    assert (result.rows, result.created) == (6, 6)
    rows = stored()
    assert rows["BL-001"][:2] == (dt.datetime(2022, 7, 3, tzinfo=RIYADH), "balady-portal")
    assert rows["BL-002"][:2] == (dt.datetime(2022, 7, 15, tzinfo=RIYADH), "balady-portal")
    assert rows["BL-003"][:2] == (dt.datetime(2022, 7, 3, 14, 30, tzinfo=RIYADH), "call-centre")
    assert rows["BL-004"][:2] == (dt.datetime(2022, 7, 18, 9, 5, tzinfo=RIYADH), "balady-portal")
    assert rows["BL-005"][:2] == (dt.datetime(2022, 7, 28, tzinfo=RIYADH), "call-centre")
    assert rows["BL-006"][:2] == (dt.datetime(2022, 7, 19, 10, 15, tzinfo=RIYADH), "balady-app")
    with translation.override("en"):
        line = result.columns.line()
    assert line == (
        "Columns: رقم البلاغ → complaint_id, تاريخ الاستلام → received_at, نص البلاغ → text, "
        "قناة الورود → channel; dropped: اسم المستفيد, رقم الجوال; ignored: المنطقة."
    )
    again = complaints_import(
        journey_slug="permits",
        path=EXAMPLES / "complaints-ministry-export.xlsx",
        mapping=profile,
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)


def test_the_command_takes_a_mapping_and_prints_the_columns_line():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_complaints",
        "--journey",
        "permits",
        "--mapping",
        str(EXAMPLES / "complaints-mapping.yaml"),
        "--lang",
        "en",
        "--no-progress",
        str(EXAMPLES / "complaints-ministry-export.xlsx"),
        stdout=out,
        stderr=err,
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "Complaints for journey “permits”: 6 rows read: 6 created, 0 updated, 0 unchanged."
    )
    assert lines[1].startswith("Columns: رقم البلاغ → complaint_id")


def test_without_its_mapping_the_export_is_refused_not_misread():
    # The first sheet is a summary: no column there is a complaint_id.
    lines = refused(
        lambda: complaints_import(
            journey_slug="permits", path=EXAMPLES / "complaints-ministry-export.xlsx"
        )
    )
    assert lines[0].startswith("The file was not imported")
    assert Complaint.objects.count() == 0


# --- Built-in aliases ---------------------------------------------------------------------


def test_arabic_headers_are_read_without_a_mapping(tmp_path):
    path = csv(
        tmp_path,
        "رقم الشكوى,تاريخ الاستلام,نص الشكوى,القناة\n"
        "C-1,2022-06-03 09:15,تأخر الرد,\u200fbalady-portal\u200f\n"
        "C-2,٢٠٢٢-٠٦-٠٤,لا يوجد إشعار,balady-portal\n",
    )
    result = complaints_import(journey_slug="permits", path=path)
    assert result.created == 2
    # Direction marks never make another channel.
    assert {c.channel for c in Complaint.objects.all()} == {"balady-portal"}
    with translation.override("en"):
        assert result.columns.line() == (
            "Columns: رقم الشكوى → complaint_id, تاريخ الاستلام → received_at, "
            "نص الشكوى → text, القناة → channel."
        )


def test_english_headers_and_the_other_arabic_spellings(tmp_path):
    path = csv(tmp_path, "Ticket Number,Date Received,Description\nT-9,2022-06-03,slow\n")
    assert complaints_import(journey_slug="permits", path=path).created == 1
    assert alias_key("رقم البلاغ") == alias_key(" رقم_البلاغ ")
    assert alias_key("رقم الشكوى") == alias_key("رقم الشكوي")


def test_two_columns_for_one_sawt_column_are_refused(tmp_path):
    path = csv(
        tmp_path,
        "complaint_id,رقم البلاغ,received_at,text\nC-1,B-1,2022-06-03,slow\n",
    )
    before = snapshot()
    with translation.override("en"):
        lines = refused(lambda: complaints_import(journey_slug="permits", path=path))
    assert lines[1] == (
        "row 1: The columns “complaint_id”, “رقم البلاغ” can each be complaint_id; say which "
        "in a mapping (columns:), or drop the others (drop:)."
    )
    assert snapshot() == before


# --- Profiles -----------------------------------------------------------------------------


def test_a_profile_column_missing_from_the_file_names_row_and_column(tmp_path):
    path = csv(tmp_path, "title\n\nid,when,what\nC-1,03/06/2022,slow\n")
    profile = MappingProfile(
        header_row=3,
        columns={"complaint_id": "id", "received_at": "when", "text": "the text"},
        date_format="dd/mm/yyyy",
    )
    with translation.override("en"):
        lines = refused(
            lambda: complaints_import(journey_slug="permits", path=path, mapping=profile)
        )
    assert lines[1:] == [
        "row 3, column the text: This column is not in row 3; the columns are: id, when, what.",
        "row 3: No column of row 3 is text: name one so, or say which in a mapping (columns:). "
        "The columns are: id, when, what.",
    ]
    assert Complaint.objects.count() == 0


def test_a_csv_with_title_lines_and_day_first_dates(tmp_path):
    path = csv(tmp_path, "تقرير\n\nid,when,what\nC-1,03/06/2022,slow\nC-2,٢١/٠٦/٢٠٢٢ ١٣:٠٥,late\n")
    profile = MappingProfile(
        header_row=3,
        columns={"complaint_id": "id", "received_at": "when", "text": "what"},
        date_format="dd/mm/yyyy",
    )
    complaints_import(journey_slug="permits", path=path, mapping=profile)
    assert stored()["C-1"][0] == dt.datetime(2022, 6, 3, tzinfo=RIYADH)
    assert stored()["C-2"][0] == dt.datetime(2022, 6, 21, 13, 5, tzinfo=RIYADH)


def test_a_bad_date_under_a_profile_names_row_column_and_format(tmp_path):
    path = csv(tmp_path, "id,when,what\nC-1,2022/31/12,slow\n")
    profile = MappingProfile(
        columns={"complaint_id": "id", "received_at": "when", "text": "what"},
        date_format="dd/mm/yyyy",
    )
    with translation.override("en"):
        lines = refused(
            lambda: complaints_import(journey_slug="permits", path=path, mapping=profile)
        )
    assert lines[1] == "row 2, column received_at: “2022/31/12” is not a real date or time."
    assert Complaint.objects.count() == 0


def test_a_profile_file_with_problems_names_lines(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text(
        "sheet: 0\ncolumns:\n  complaint_id: رقم\ndates:\n  format: dd/yyyy\n"
        "  calendar: julian\nunknown: 1\n",
        encoding="utf-8",
    )
    with translation.override("en"):
        lines = refused(lambda: load_mapping(path))
    assert lines[1:] == [
        "line 7, unknown: This key is not known here; the keys allowed are: sheet, header_row, "
        "columns, dates, values, drop.",
        "line 1, sheet: A sheet is counted from 1 (the first sheet is 1).",
        "line 5, dates.format: “dd/yyyy” is not a date format sawt reads; write the day, the "
        "month and the year, like dd/mm/yyyy, yyyy-mm-dd HH:MM or %d/%m/%Y %H:%M.",
        "line 6, dates.calendar: The calendar is gregorian or hijri (Umm al-Qura), not “julian”.",
    ]


def test_a_sheet_that_is_not_there_is_named_with_the_sheets(tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", [["complaint_id", "received_at", "text"]])
    with translation.override("en"):
        lines = refused(
            lambda: complaints_import(
                journey_slug="permits", path=path, mapping=MappingProfile(sheet="Data")
            )
        )
    assert lines[1] == "The workbook has no sheet “Data”; its sheets are: Sheet."


# --- Responses ------------------------------------------------------------------------------


def test_responses_aliases_question_texts_and_attributes_are_reported(tmp_path):
    path = csv(
        tmp_path,
        "رقم المستفيد,تاريخ الرد,overall,المنطقة\nP-1,2022-06-03,4,\u200fالرياض\u200f\n",
    )
    result = responses_import(survey_code="permits-2022-06", path=path)
    assert result.created == 1
    response = Response.objects.get()
    assert (response.respondent_id, response.attributes) == ("P-1", {"المنطقة": "الرياض"})
    with translation.override("en"):
        assert result.columns.line() == (
            "Columns: رقم المستفيد → respondent_id, تاريخ الرد → submitted_at, overall; "
            "attributes: المنطقة."
        )


def test_a_column_named_almost_like_a_question_is_refused(tmp_path):
    path = csv(tmp_path, "respondent_id,Over_all,s1\nP-1,4,5\n")
    before = counts()
    with translation.override("en"):
        lines = refused(lambda: responses_import(survey_code="permits-2022-06", path=path))
    assert lines[1] == (
        "row 1, column Over_all: “Over_all” is not a question code of this survey, but looks "
        "like “overall”: rename the column, or say what it is in a mapping."
    )
    assert counts() == before


def test_a_mapping_maps_question_columns_and_drops_personal_ones(tmp_path):
    path = csv(tmp_path, "الرقم,السؤال الأول,الجوال\nP-1,5,0501234567\n")
    profile = MappingProfile(
        columns={"respondent_id": "الرقم", "overall": "السؤال الأول"}, drop=("الجوال",)
    )
    result = responses_import(survey_code="permits-2022-06", path=path, mapping=profile)
    assert result.created == 1
    assert Response.objects.get().attributes == {}
    with translation.override("en"):
        assert result.columns.line() == (
            "Columns: الرقم → respondent_id, السؤال الأول → overall; dropped: الجوال."
        )


# --- Files that are not tables ------------------------------------------------------------


def test_a_limesurvey_archive_is_named_not_called_a_damaged_workbook(tmp_path):
    path = tmp_path / "survey_123456.lsa"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("survey_123456.lss", "<document/>")
        archive.writestr("survey_123456_responses.lsr", "<document/>")
    with translation.override("en"):
        lines = refused(lambda: complaints_import(journey_slug="permits", path=path))
    assert "LimeSurvey archive (.lsa)" in lines[1]
    assert "--from limesurvey" in lines[1]


def test_json_and_xml_documents_are_named(tmp_path):
    kobo = tmp_path / "data.json"
    kobo.write_text(json.dumps([{"_uuid": "a", "q1": "5"}]), encoding="utf-8")
    xml = tmp_path / "data.csv"
    xml.write_text('<?xml version="1.0"?><root/>', encoding="utf-8")
    with translation.override("en"):
        kobo_lines = refused(lambda: responses_import(survey_code="permits-2022-06", path=kobo))
        xml_lines = refused(lambda: complaints_import(journey_slug="permits", path=xml))
    assert "KoboToolbox export in JSON" in kobo_lines[1]
    assert xml_lines[1].startswith("This is an XML document, not a table")


def test_another_tools_export_without_from_is_named(tmp_path):
    path = csv(
        tmp_path,
        "start,end,overall,_id,_uuid,_submission_time\n"
        "2022-06-03T09:00:00,2022-06-03T09:05:00,4,1,abc,2022-06-03T06:05:00\n",
    )
    with translation.override("en"):
        lines = refused(lambda: responses_import(survey_code="permits-2022-06", path=path))
    assert lines[1] == "row 1: This looks like a KoboToolbox export: use `--from kobo`."


def test_title_lines_without_a_delimiter_do_not_hide_a_semicolon_header(tmp_path):
    path = csv(
        tmp_path,
        "تقرير البلاغات\nشهر يونيو\nرقم البلاغ;تاريخ الاستلام;نص البلاغ\nB-1;03/06/2022;بطء\n",
    )
    profile = MappingProfile(header_row=3, date_format="dd/mm/yyyy")
    assert complaints_import(journey_slug="permits", path=path, mapping=profile).created == 1
    assert stored()["B-1"][0] == dt.datetime(2022, 6, 3, tzinfo=RIYADH)
