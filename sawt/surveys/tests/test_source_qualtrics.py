"""Qualtrics CSV (--from qualtrics): three header rows (or the legacy two), previews and
unfinished responses skipped, Qualtrics' personal columns never stored."""

import csv
import datetime as dt
import io
import zoneinfo
from pathlib import Path

import pytest

from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.tests.helpers import counts
from sawt.surveys.models import Question
from sawt.surveys.services import responses_import
from sawt.surveys.sources import qualtrics
from sawt.surveys.tests.sources_helpers import (
    CODE,
    contractors_survey,
    everything_stored,
    stored,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")
DENVER = zoneinfo.ZoneInfo("America/Denver")
LABELS = {"غير راضٍ إطلاقاً": 1, "غير راضٍ": 2, "محايد": 3, "راضٍ": 4, "راضٍ جداً": 5}
KEYS = {
    "overall": "QID1",
    "main_reason": "QID3_TEXT",
    "reach_effort": "QID2_1",
    "navigate_effort": "QID2_2",
    "apply_effort": "QID2_3",
}

META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"America/Denver"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"America/Denver"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"America/Denver"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]
QUESTIONS = [
    ("Q1", "بشكل عام، ما مدى رضاك؟", '{"ImportId":"QID1"}'),
    ("Q2_1", "الجهد - الوصول", '{"ImportId":"QID2_1"}'),
    ("Q2_2", "الجهد - التنقل", '{"ImportId":"QID2_2"}'),
    ("Q2_3", "الجهد - التقديم", '{"ImportId":"QID2_3"}'),
    ("Q3", "السبب الرئيسي", '{"ImportId":"QID3_TEXT"}'),
    ("Q9", "هل توافق على التواصل؟", '{"ImportId":"QID9"}'),
    ("region", "region", '{"ImportId":"region"}'),
]


def response(rid, recorded, answers, channel="anonymous", finished="1", status="IP Address"):
    meta = [
        "2022-07-02 23:50:00",
        recorded,
        status,
        "198.51.100.23",
        "100" if finished == "1" else "40",
        "600",
        finished,
        recorded,
        rid,
        "العتيبي",
        "سارة",
        "sara@example.com",
        "EXT-77",
        "24.71360",
        "46.67530",
        channel,
        "AR",
    ]
    return meta + answers


RESPONSES = [
    response("R_1aBcD", "2022-07-03 00:15:00", ["4", "4", "3", "5", "", "1", "riyadh"]),
    response("R_2eFgH", "2022-07-04 12:30:00", ["1", "1", "", "2", "بطيء جداً", "2", "jeddah"]),
    response("R_3pReV", "2022-07-04 13:00:00", ["5", "5", "5", "5", "", "1", ""], "preview"),
    response("R_4uNfI", "2022-07-04 14:00:00", ["2", "", "", "", "", "", ""], finished="0"),
]


def write(path: Path, rows, header_rows=None, encoding="utf-8-sig") -> Path:
    if header_rows is None:
        columns = META + QUESTIONS
        header_rows = [[c[i] for c in columns] for i in range(3)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([*header_rows, *rows])
    path.write_text(out.getvalue(), encoding=encoding)
    return path


def run(path: Path):
    return responses_import(survey_code=CODE, path=path, source="qualtrics")


@pytest.fixture
def survey(db):
    return contractors_survey(choices={"*": LABELS}, source_keys=KEYS)


def test_rows_ids_times_and_numeric_recodes(survey, tmp_path):
    result = run(write(tmp_path / "q.csv", RESPONSES))
    assert (result.rows, result.created) == (2, 2)
    assert stored() == {
        "R_1aBcD": {
            # Recorded in the account's zone, which the import-id row names.
            "submitted_at": dt.datetime(2022, 7, 3, 0, 15, tzinfo=DENVER),
            "attributes": {"region": "riyadh"},
            "answers": {"overall": 4, "reach_effort": 4, "navigate_effort": 3, "apply_effort": 5},
        },
        "R_2eFgH": {
            "submitted_at": dt.datetime(2022, 7, 4, 12, 30, tzinfo=DENVER),
            "attributes": {"region": "jeddah"},
            "answers": {
                "overall": 1,
                "reach_effort": 1,
                "apply_effort": 2,
                "main_reason": "بطيء جداً",
            },
        },
    }


def test_previews_and_unfinished_are_skipped_and_counted(survey, tmp_path):
    path = write(tmp_path / "q.csv", RESPONSES)
    with qualtrics.open_source(path, survey, ProblemCollector(), False) as table:
        numbers = [number for number, _cells in table.rows()]
        lines = table.notes.lines()
    assert numbers == [4, 5]
    assert "Rows skipped (previews): 1." in lines
    assert "Rows skipped (unfinished responses): 1." in lines


def test_qualtrics_personal_columns_are_never_stored(survey, tmp_path):
    run(write(tmp_path / "q.csv", RESPONSES))
    text = everything_stored()
    for leak in ("198.51.100.23", "sara@", "سارة", "العتيبي", "EXT-77", "24.7136", "46.6753"):
        assert leak not in text


def test_choice_texts_in_arabic_are_scored(survey, tmp_path):
    rows = [response("R_1aBcD", "2022-07-03 00:15:00", ["راضٍ", "راضٍ جداً", "محايد", "", "", "", ""])]
    run(write(tmp_path / "q.csv", rows))
    assert stored()["R_1aBcD"]["answers"] == {
        "overall": 4,
        "reach_effort": 5,
        "navigate_effort": 3,
    }


def test_windows_1256(survey, tmp_path):
    run(write(tmp_path / "q.csv", RESPONSES, encoding="cp1256"))
    assert stored()["R_2eFgH"]["answers"]["main_reason"] == "بطيء جداً"


def test_a_text_only_file_imports_no_header_rows(db, tmp_path):
    survey = contractors_survey(choices={"*": LABELS})
    Question.objects.filter(survey=survey).exclude(kind="text").update(source_key="unused")
    columns = [*META, ("main_reason", "السبب الرئيسي", '{"ImportId":"QID3_TEXT"}')]
    header_rows = [[c[i] for c in columns] for i in range(3)]
    rows = [response("R_1aBcD", "2022-07-03 00:15:00", ["بطيء"])]
    result = run(write(tmp_path / "q.csv", rows, header_rows))
    assert (result.rows, result.created) == (1, 1)
    assert set(stored()) == {"R_1aBcD"}


def test_legacy_two_header_rows(survey, tmp_path):
    names = [
        "ResponseID",
        "ResponseSet",
        "Name",
        "ExternalDataReference",
        "EmailAddress",
        "IPAddress",
        "Status",
        "StartDate",
        "EndDate",
        "Finished",
    ]
    header_rows = [
        [f"V{i}" for i in range(1, 11)] + ["Q1", "Q2_1", "Q3", "LocationLatitude"],
        [*names, "بشكل عام", "الوصول", "السبب", "LocationLatitude"],
    ]
    rows = [
        ["R_9x", "Default Response Set", "Sami", "", "sami@example.com", "203.0.113.9", "0",
         "2022-07-04 10:20:00", "2022-07-04 10:22:11", "1", "5", "4", "", "24.1"],
        ["R_9y", "Default Response Set", "", "", "", "203.0.113.9", "1",
         "2022-07-04 11:20:00", "2022-07-04 11:22:11", "1", "1", "1", "", "24.1"],
        ["R_9z", "Default Response Set", "", "", "", "203.0.113.9", "0",
         "2022-07-04 12:20:00", "2022-07-04 12:22:11", "0", "1", "", "", ""],
    ]  # fmt: skip
    # No import ids in the legacy form: its question ids are the keys.
    survey.questions.filter(code="overall").update(source_key="Q1")
    survey.questions.filter(code="reach_effort").update(source_key="Q2_1")
    result = run(write(tmp_path / "legacy.csv", rows, header_rows))
    assert (result.rows, result.created) == (1, 1)
    assert stored() == {
        "R_9x": {
            "submitted_at": dt.datetime(2022, 7, 4, 10, 22, 11, tzinfo=RIYADH),
            "attributes": {},
            "answers": {"overall": 5, "reach_effort": 4},
        }
    }
    assert "203.0.113.9" not in everything_stored()


def test_an_unknown_choice_names_the_source_row_and_column(survey, tmp_path):
    rows = [
        *RESPONSES[:1],
        response("R_2eFgH", "2022-07-04 12:30:00", ["ممتاز", "", "", "", "", "", ""]),
    ]
    before = counts()
    with pytest.raises(ImportFailed) as refused:
        run(write(tmp_path / "q.csv", rows))
    (problem,) = refused.value.problems
    assert (problem.row, problem.column) == (5, "Q1")
    assert "“ممتاز” is not one of this question's choices" in problem.message
    assert counts() == before


def test_a_score_outside_the_scale_is_refused(survey, tmp_path):
    rows = [response("R_1aBcD", "2022-07-03 00:15:00", ["7", "", "", "", "", "", ""])]
    with pytest.raises(ImportFailed) as refused:
        run(write(tmp_path / "q.csv", rows))
    (problem,) = refused.value.problems
    # Named as the file names it, not by sawt's question code.
    assert (problem.row, problem.column) == (4, "Q1")
    assert counts()["surveys.Response"] == 0


def test_looks_like():
    assert qualtrics.looks_like([c[0].lower() for c in META + QUESTIONS])
    assert qualtrics.looks_like(["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10"])
    assert not qualtrics.looks_like(["respondent_id", "overall"])


def test_a_hostile_import_id_row_is_no_import_id(survey, tmp_path):
    columns = META + QUESTIONS
    header_rows = [[c[0] for c in columns], [c[1] for c in columns], [c[2] for c in columns]]
    header_rows[2][-1] = '{"ImportId":' + "[" * 50_000 + "]" * 50_000 + "}"
    result = run(write(tmp_path / "q.csv", RESPONSES, header_rows))
    assert result.created == 2
