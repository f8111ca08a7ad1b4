"""KoboToolbox exports (--from kobo): XML headers and values, groups, meta dropped, UTC times."""

import datetime as dt
import zoneinfo
from pathlib import Path

import openpyxl
import pytest

from sawt.imports.problems import ImportFailed
from sawt.imports.tests.helpers import counts
from sawt.surveys.models import Question
from sawt.surveys.services import responses_import
from sawt.surveys.sources import kobo
from sawt.surveys.tests.sources_helpers import (
    CODE,
    contractors_survey,
    everything_stored,
    stored,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")

HEADER = [
    "start",
    "end",
    "overall",
    "discovery/reach_effort",
    "discovery/navigate_effort",
    "application/apply_effort",
    "application/levels_clarity",
    "main_reason",
    "region",
    "contact_phone",
    "deviceid",
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
]


def row(uuid, overall, reach, navigate, apply, levels, reason, region, when, index):
    return [
        "2022-07-03T09:01:00.000+03:00",
        "2022-07-03T09:14:00.000+03:00",
        overall,
        reach,
        navigate,
        apply,
        levels,
        reason,
        region,
        "0551234567",
        "collect:abc123",
        f"uuid:{uuid}",
        str(300 + index),
        uuid,
        when,
        "",
        "",
        "submitted_via_web",
        "",
        "vKzq3n",
        "",
        str(index),
    ]


ROWS = [
    row(
        "a1b2c3d4-0001",
        "satisfied",
        "low",
        "moderate",
        "very_low",
        "satisfied",
        "",
        "riyadh",
        "2022-07-03T06:15:00",
        1,
    ),
    row(
        "a1b2c3d4-0002",
        "very_dissatisfied",
        "very_high",
        "",
        "high",
        "dissatisfied",
        "لم يرد أحد على بريدي someone@example.com",
        "makkah",
        "2022-07-04T21:30:00",
        2,
    ),
]


def write_csv(path: Path, rows, header=HEADER, encoding="utf-8", delimiter=";") -> Path:
    def quoted(cells):
        return delimiter.join('"' + str(c).replace('"', '""') + '"' for c in cells)

    path.write_text("\n".join(quoted(r) for r in [header, *rows]) + "\n", encoding=encoding)
    return path


def run(path: Path):
    return responses_import(survey_code=CODE, path=path, source="kobo")


EXPECTED = {
    "a1b2c3d4-0001": {
        "submitted_at": dt.datetime(2022, 7, 3, 9, 15, tzinfo=RIYADH),
        "attributes": {"region": "riyadh"},
        "answers": {
            "overall": 4,
            "reach_effort": 4,
            "navigate_effort": 3,
            "apply_effort": 5,
            "levels_clarity": 4,
        },
    },
    "a1b2c3d4-0002": {
        "submitted_at": dt.datetime(2022, 7, 5, 0, 30, tzinfo=RIYADH),
        "attributes": {"region": "makkah"},
        "answers": {
            "overall": 1,
            "reach_effort": 1,
            "apply_effort": 2,
            "levels_clarity": 2,
            "main_reason": "لم يرد أحد على بريدي [بريد_إلكتروني]",
        },
    },
}


@pytest.fixture
def survey(db):
    return contractors_survey()


def test_csv_with_semicolons_groups_and_choice_names(survey, tmp_path):
    result = run(write_csv(tmp_path / "kobo.csv", ROWS))
    assert (result.rows, result.created) == (2, 2)
    assert stored() == EXPECTED


def test_meta_and_personal_columns_are_never_stored(survey, tmp_path):
    run(write_csv(tmp_path / "kobo.csv", ROWS))
    text = everything_stored()
    for leak in ("0551234567", "collect:abc123", "submitted_via_web", "vKzq3n", "someone@"):
        assert leak not in text


def test_xlsx_reads_the_main_sheet_and_skips_repeat_groups(survey, tmp_path):
    book = openpyxl.Workbook()
    main = book.active
    main.title = "Contractors survey"
    for cells in [HEADER, *ROWS]:
        main.append(cells)
    repeat = book.create_sheet("visits")
    repeat.append(["visits/visit_date", "_index", "_parent_index", "_submission__uuid"])
    repeat.append(["2022-06-01", "1", "1", "a1b2c3d4-0001"])
    repeat.append(["2022-06-09", "2", "1", "a1b2c3d4-0001"])
    path = tmp_path / "kobo.xlsx"
    book.save(path)
    with kobo.open_source(path, survey, _collector(), False) as table:
        rows = list(table.rows())
        notes = table.notes.lines()
    assert [number for number, _cells in rows] == [2, 3]
    assert any("visits" in line for line in notes)
    assert run(path).created == 2


def test_windows_1256_csv_with_arabic(survey, tmp_path):
    rows = [r[:] for r in ROWS]
    rows[0][8] = "الرياض"
    rows[1][7] = "الطلب متأخر"
    run(write_csv(tmp_path / "kobo.csv", rows, encoding="cp1256", delimiter=","))
    found = stored()
    assert found["a1b2c3d4-0001"]["attributes"] == {"region": "الرياض"}
    assert found["a1b2c3d4-0002"]["answers"]["main_reason"] == "الطلب متأخر"


def test_an_unknown_choice_names_the_source_row_and_column(survey, tmp_path):
    rows = [r[:] for r in ROWS]
    rows[1][3] = "quite_high"
    before = counts()
    with pytest.raises(ImportFailed) as refused:
        run(write_csv(tmp_path / "kobo.csv", rows))
    (problem,) = refused.value.problems
    assert (problem.row, problem.column) == (3, "discovery/reach_effort")
    assert "“quite_high” is not one of this question's choices" in problem.message
    assert counts() == before


def test_a_respondent_twice_names_the_uuid_column(survey, tmp_path):
    rows = [ROWS[0], [*ROWS[1][:13], ROWS[0][13], *ROWS[1][14:]]]
    with pytest.raises(ImportFailed) as refused:
        run(write_csv(tmp_path / "kobo.csv", rows))
    (problem,) = refused.value.problems
    assert (problem.row, problem.column) == (3, "_uuid")
    assert "already appears on row 2" in problem.message


def test_source_key_maps_a_column_named_otherwise(db, tmp_path):
    contractors_survey(source_keys={"overall": "q_overall"})
    header = [("grp/q_overall" if h == "overall" else h) for h in HEADER]
    run(write_csv(tmp_path / "kobo.csv", ROWS, header=header))
    assert stored()["a1b2c3d4-0001"]["answers"]["overall"] == 4


def test_a_file_without_uuid_is_refused_naming_the_column(survey, tmp_path):
    header = [h for h in HEADER if h not in ("_uuid", "meta/instanceID")]
    rows = [[c for h, c in zip(HEADER, r, strict=True) if h in header] for r in ROWS]
    with pytest.raises(ImportFailed) as refused:
        run(write_csv(tmp_path / "kobo.csv", rows, header=header))
    assert "“_uuid”" in refused.value.problems[0].message
    assert counts()["surveys.Response"] == 0


def test_looks_like():
    assert kobo.looks_like([h.lower() for h in HEADER])
    assert not kobo.looks_like(["respondent_id", "overall"])


def _collector():
    from sawt.imports.problems import ProblemCollector

    return ProblemCollector()


def test_an_export_with_labels_says_to_export_xml_values_and_headers(survey, tmp_path):
    # Labels as headers: no column carries a question's name.
    header = [h if kobo.is_meta(h.lower()) else f"السؤال {i}" for i, h in enumerate(HEADER)]
    with pytest.raises(ImportFailed) as refused:
        run(write_csv(tmp_path / "kobo.csv", ROWS, header=header))
    assert "“XML values and headers”" in refused.value.problems[0].message
    assert counts()["surveys.Response"] == 0


def test_choice_names_for_a_definition_without_choices_say_where_choices_come_from(db, tmp_path):
    contractors_survey(choices={})
    Question.objects.update(choices={})
    with pytest.raises(ImportFailed) as refused:
        run(write_csv(tmp_path / "kobo.csv", ROWS))
    problem = refused.value.problems[0]
    assert (problem.row, problem.column) == (2, "overall")
    assert "no choices in its definition" in problem.message
    assert "--from xlsform" in problem.message
