"""ODK Central CSV (--from odk): KEY, SubmissionDate with Z, `-` group paths, meta dropped."""

import datetime as dt
import zipfile
import zoneinfo
from pathlib import Path

import pytest

from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.tests.helpers import counts
from sawt.surveys.services import responses_import
from sawt.surveys.sources import odk
from sawt.surveys.tests.sources_helpers import (
    CODE,
    contractors_survey,
    everything_stored,
    stored,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")

HEADER = (
    "SubmissionDate,start,end,today,deviceid,overall,discovery-reach_effort,"
    "application-apply_effort,application-levels_clarity,main_reason,region,"
    "location-Latitude,location-Longitude,meta-instanceID,KEY,SubmitterID,SubmitterName,"
    "AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion"
)
META = "5,Enumerator Sami,0,0,,,collect:Xy12,0,2022071501"
ROWS = [
    "2022-07-03T06:15:00.000Z,2022-07-03T09:01:00.000+03:00,2022-07-03T09:14:00.000+03:00,"
    "2022-07-03,collect:Xy12,satisfied,low,very_low,satisfied,,الرياض,24.7136,46.6753,"
    f"uuid:0001,uuid:0001,{META}",
    "2022-07-04T21:30:00.000Z,2022-07-05T00:20:00.000+03:00,2022-07-05T00:29:00.000+03:00,"
    "2022-07-05,collect:Xy12,dissatisfied,very_high,high,neutral,الموقع بطيء,جدة,21.5,39.2,"
    f"uuid:0002,uuid:0002,{META}",
]


def write(path: Path, rows=ROWS, header=HEADER, encoding="utf-8") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    return path


def run(path: Path):
    return responses_import(survey_code=CODE, path=path, source="odk")


@pytest.fixture
def survey(db):
    return contractors_survey()


def test_rows_ids_times_and_scores(survey, tmp_path):
    result = run(write(tmp_path / "odk.csv"))
    assert (result.rows, result.created) == (2, 2)
    assert stored() == {
        "uuid:0001": {
            "submitted_at": dt.datetime(2022, 7, 3, 9, 15, tzinfo=RIYADH),
            "attributes": {"region": "الرياض"},
            "answers": {"overall": 4, "reach_effort": 4, "apply_effort": 5, "levels_clarity": 4},
        },
        "uuid:0002": {
            "submitted_at": dt.datetime(2022, 7, 5, 0, 30, tzinfo=RIYADH),
            "attributes": {"region": "جدة"},
            "answers": {
                "overall": 2,
                "reach_effort": 1,
                "apply_effort": 2,
                "levels_clarity": 3,
                "main_reason": "الموقع بطيء",
            },
        },
    }


def test_meta_and_location_are_never_stored(survey, tmp_path):
    run(write(tmp_path / "odk.csv"))
    text = everything_stored()
    for leak in ("Sami", "collect:Xy12", "24.7136", "46.6753", "2022071501"):
        assert leak not in text


def test_meta_instance_id_is_the_id_without_key(survey, tmp_path):
    header = HEADER.replace(",KEY,", ",")
    rows = [
        r.replace("uuid:0001,uuid:0001", "uuid:0001").replace("uuid:0002,uuid:0002", "uuid:0002")
        for r in ROWS
    ]
    run(write(tmp_path / "odk.csv", rows, header))
    assert set(stored()) == {"uuid:0001", "uuid:0002"}


def test_windows_1256(survey, tmp_path):
    run(write(tmp_path / "odk.csv", encoding="cp1256"))
    assert stored()["uuid:0002"]["answers"]["main_reason"] == "الموقع بطيء"


def test_an_unknown_choice_names_the_source_row_and_column(survey, tmp_path):
    rows = [ROWS[0], ROWS[1].replace("very_high", "huge")]
    before = counts()
    with pytest.raises(ImportFailed) as refused:
        run(write(tmp_path / "odk.csv", rows))
    (problem,) = refused.value.problems
    assert (problem.row, problem.column) == (3, "discovery-reach_effort")
    assert "“huge” is not one of this question's choices" in problem.message
    assert counts() == before


def test_a_time_that_is_not_a_time_names_its_row(survey, tmp_path):
    rows = [ROWS[0].replace("2022-07-03T06:15:00.000Z", "03/07/2022 06:15"), ROWS[1]]
    with pytest.raises(ImportFailed) as refused:
        run(write(tmp_path / "odk.csv", rows))
    (problem,) = refused.value.problems
    assert (problem.row, problem.column) == (2, "SubmissionDate")


def test_looks_like():
    assert odk.looks_like([h.lower() for h in HEADER.split(",")])
    assert not odk.looks_like(["respondent_id", "overall"])


def test_centrals_zip_download_reads_its_main_table(survey, tmp_path):
    path = tmp_path / "contractors.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("contractors_2022_07.csv", "\n".join([HEADER, *ROWS]) + "\n")
        archive.writestr("contractors_2022_07-visits.csv", "visit_note,PARENT_KEY,KEY\n")
        archive.writestr("media/photo.jpg", b"\xff\xd8")
    with odk.open_source(path, survey, ProblemCollector(), False) as table:
        assert [number for number, _cells in table.rows()] == [2, 3]
        assert any("contractors_2022_07-visits.csv" in line for line in table.notes.lines())
    assert run(path).created == 2


def test_a_zip_bomb_is_refused_before_it_is_unpacked(survey, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("form.csv", HEADER + "\n" + "0" * (20 * 1024 * 1024))
    with pytest.raises(ImportFailed) as refused:
        run(path)
    assert "zip bombs" in refused.value.problems[0].message
    assert counts()["surveys.Response"] == 0
