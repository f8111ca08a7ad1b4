"""LimeSurvey responses (`--from limesurvey`): its CSV export and its survey archive (.lsa)."""

import datetime as dt
import io
import zipfile
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import call_command

from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.tests.helpers import snapshot
from sawt.surveys.models import Response
from sawt.surveys.services import responses_import
from sawt.surveys.sources import limesurvey
from sawt.testing.factories import QuestionFactory, SurveyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "responses-limesurvey.csv"
LIST = {f"AO0{n}": n for n in range(1, 6)}
ARRAY = {f"A{n}": n for n in range(1, 6)}


@pytest.fixture
def survey():
    survey = SurveyFactory(code="ls-2022-06")
    QuestionFactory(
        survey=survey, code="overall", kind="overall", choices=LIST, source_key="123456X12X345"
    )
    QuestionFactory(survey=survey, code="sat_sq001", choices=ARRAY, source_key="123456X12X346SQ001")
    QuestionFactory(survey=survey, code="sat_sq002", choices=ARRAY, source_key="123456X12X346SQ002")
    QuestionFactory(
        survey=survey,
        code="wait",
        kind="text",
        scale_min=None,
        scale_max=None,
        source_key="123456X12X347",
    )
    return survey


def run(path: Path):
    return responses_import(survey_code="ls-2022-06", path=path, source="limesurvey")


def stored() -> dict[str, tuple]:
    out = {}
    for r in Response.objects.prefetch_related("answers__question"):
        answers = {
            a.question.code: a.score if a.score is not None else a.text for a in r.answers.all()
        }
        out[r.respondent_id] = (r.submitted_at, r.attributes, answers)
    return out


def refused(path: Path) -> list[str]:
    before = snapshot()
    with pytest.raises(ImportFailed) as caught:
        run(path)
    assert snapshot() == before
    return caught.value.lines()[1:]


def test_the_example_csv_scores_answer_codes_and_keeps_no_meta_column(survey):
    result = run(EXAMPLE)
    assert (result.created, result.updated) == (3, 0)
    assert stored() == {
        "1": (
            dt.datetime(2022, 6, 15, 10, 4, 11, tzinfo=RIYADH),
            {"region": "الرياض"},
            {"overall": 4, "sat_sq001": 5, "sat_sq002": 4, "wait": "الانتظار كان أطول من المتوقع"},
        ),
        # An anonymised survey's 1980-01-01 is an unknown time.
        "2": (None, {"region": "جدة"}, {"overall": 5, "sat_sq001": 5, "sat_sq002": 5}),
        # Response 3 has no submit date: not completed, skipped.
        "4": (
            dt.datetime(2022, 6, 17, 8, 30, tzinfo=RIYADH),
            {"region": "الدمام"},
            {"overall": 1, "sat_sq001": 2, "sat_sq002": 1, "wait": "Nobody answered the phone"},
        ),
    }


def test_importing_the_same_export_twice_changes_nothing(survey):
    run(EXAMPLE)
    before = snapshot()
    result = run(EXAMPLE)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert snapshot() == before


def test_sgqa_headings_map_through_the_source_key(survey, tmp_path):
    path = tmp_path / "sgqa.csv"
    path.write_text(
        "id,token,submitdate,ipaddr,123456X12X345,123456X12X346SQ001,123456X12X345time\n"
        "17,abc,2022-06-15 10:00:00,10.0.0.1,AO03,A2,12.5\n",
        encoding="utf-8",
    )
    run(path)
    assert stored() == {
        "17": (dt.datetime(2022, 6, 15, 10, tzinfo=RIYADH), {}, {"overall": 3, "sat_sq001": 2})
    }


def test_an_unknown_answer_code_names_its_row_and_column(survey, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,submitdate,overall,SAT[SQ001]\n1,2022-06-15 10:00,AO09,A1\n2,2022-06-15 10:00,AO01,x\n",
        encoding="utf-8",
    )
    lines = refused(path)
    assert lines[0].startswith("row 2, column overall: “AO09” is neither one of this question's")
    assert "AO01, AO02" in lines[0]
    assert lines[1].startswith("row 3, column SAT[SQ001]: “x” is neither")


def test_a_csv_without_id_is_refused(survey, tmp_path):
    path = tmp_path / "noid.csv"
    path.write_text("submitdate,overall\n2022-06-15 10:00,AO01\n", encoding="utf-8")
    assert "row 1: The column “id” (LimeSurvey's response id) is missing" in refused(path)[0]


# --- the survey archive ---------------------------------------------------------------------


def _row(**values: str) -> str:
    return "<row>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in values.items()) + "</row>"


LSS = (
    '<?xml version="1.0" encoding="UTF-8"?><document><LimeSurveyDocType>Survey'
    "</LimeSurveyDocType><DBVersion>366</DBVersion><questions><rows>"
    + _row(qid="345", parent_qid="0", sid="123456", gid="12", type="L", title="overall")
    + _row(qid="346", parent_qid="0", sid="123456", gid="12", type="F", title="SAT")
    + _row(qid="347", parent_qid="0", sid="123456", gid="12", type="T", title="wait")
    + "</rows></questions><subquestions><rows>"
    + _row(qid="350", parent_qid="346", sid="123456", gid="12", title="SQ001")
    + _row(qid="351", parent_qid="346", sid="123456", gid="12", title="SQ002")
    + "</rows></subquestions></document>"
)
FIELDS = [
    "id",
    "token",
    "submitdate",
    "lastpage",
    "startlanguage",
    "ipaddr",
    "123456X12X345",
    "123456X12X346SQ001",
    "123456X12X346SQ002",
    "123456X12X347",
]


def lsr(rows: list[list[str]]) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?><document><LimeSurveyDocType>Responses'
        "</LimeSurveyDocType><responses><fields>"
    ]
    out += [f"<fieldname>{f}</fieldname>" for f in FIELDS]
    out.append("</fields><rows>")
    for cells in rows:
        tags = ["_" + f if f[0].isdigit() else f for f in FIELDS]
        out.append(_row(**{t: c for t, c in zip(tags, cells, strict=True) if c}))
    out.append("</rows></responses></document>")
    return "".join(out)


ROWS = [
    ["1", "tok-a", "2022-06-15 10:04:11", "3", "ar", "10.1.2.3", "AO04", "A5", "A4", "طويل"],
    ["2", "", "1980-01-01 00:00:00", "3", "ar", "", "AO05", "A5", "A5", ""],
    ["3", "", "", "1", "en", "", "AO02", "", "", ""],
]


def archive(tmp_path: Path, lsr_text: str, lss_text: str = LSS, name: str = "survey") -> Path:
    path = tmp_path / f"{name}.lsa"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("survey_123456.lss", lss_text)
        z.writestr("survey_123456_responses.lsr", lsr_text)
        z.writestr("survey_123456_tokens.lst", "<document/>")
    return path


def test_an_archive_reads_its_responses_by_source_key(survey, tmp_path):
    result = run(archive(tmp_path, lsr(ROWS)))
    assert result.created == 2
    assert stored() == {
        "1": (
            dt.datetime(2022, 6, 15, 10, 4, 11, tzinfo=RIYADH),
            {},
            {"overall": 4, "sat_sq001": 5, "sat_sq002": 4, "wait": "طويل"},
        ),
        "2": (None, {}, {"overall": 5, "sat_sq001": 5, "sat_sq002": 5}),
    }
    assert not any("tok-a" in str(v) or "10.1.2.3" in str(v) for v in snapshot().values())
    assert run(archive(tmp_path, lsr(ROWS))).unchanged == 2


def test_an_archive_maps_sgqa_to_codes_through_its_lss_without_source_keys(survey, tmp_path):
    survey.questions.update(source_key="")
    run(archive(tmp_path, lsr(ROWS)))
    assert stored()["1"][2] == {"overall": 4, "sat_sq001": 5, "sat_sq002": 4, "wait": "طويل"}


def test_archive_problems_are_numbered_as_the_csv_export_numbers_rows(survey, tmp_path):
    rows = [ROWS[0], ["2", "", "2022-06-15 11:00:00", "3", "ar", "", "AO07", "A5", "A5", ""]]
    lines = refused(archive(tmp_path, lsr(rows)))
    assert lines[0].startswith("row 3, column 123456X12X345: “AO07” is neither")


def test_malformed_xml_is_refused_with_its_line(survey, tmp_path):
    lines = refused(archive(tmp_path, lsr(ROWS).replace("</rows>", "</row>")))
    assert "survey_123456_responses.lsr" in lines[0]
    assert "is not well-formed XML (line 1" in lines[0]


def test_entity_expansion_is_refused(survey, tmp_path):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><document>&b;</document>'
    )
    lines = refused(archive(tmp_path, bomb))
    assert "declares XML entities or a document type" in lines[0]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(survey, tmp_path):
    path = tmp_path / "bomb.lsa"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("survey_123456_responses.lsr", b"<" * (20 * 1024 * 1024))
    lines = refused(path)
    assert "unpacks to over 100 times its packed size, as zip bombs do" in lines[0]


def test_an_archive_without_responses_is_refused(survey, tmp_path):
    path = tmp_path / "nolsr.lsa"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("survey_123456.lss", LSS)
    assert "The archive holds no responses (.lsr file)" in refused(path)[0]


def test_looks_like_a_limesurvey_header():
    assert limesurvey.looks_like(["id", "submitdate", "lastpage", "startlanguage", "q1"])
    assert limesurvey.looks_like(["id", "submitdate", "123456x12x345"])
    assert not limesurvey.looks_like(["respondent_id", "submitted_at", "q1"])


def test_the_report_says_what_each_column_became_and_which_rows_were_skipped(survey):
    problems = ProblemCollector()
    with limesurvey.open_source(EXAMPLE, survey, problems) as table:
        list(table.rows())
        notes = table.notes
    assert notes.read_as["id"] == "respondent_id"
    assert notes.read_as["SAT[SQ001]"] == "sat_sq001"
    assert notes.attributes == ["region"]
    assert {"token", "ipaddr", "seed", "lastpage", "refurl"} <= set(notes.dropped)
    assert "Rows skipped (incomplete responses, without a submit date): 1." in notes.lines()


def test_an_archive_of_far_more_elements_than_its_size_is_refused(survey, tmp_path, monkeypatch):
    monkeypatch.setattr(limesurvey, "ELEMENTS_FLOOR", 50)
    monkeypatch.setattr(limesurvey, "MAX_ELEMENTS_PER_BYTE", 0)
    lines = refused(archive(tmp_path, lsr(ROWS * 5)))
    assert "holds far more XML elements than an archive of this size holds" in lines[0]


def test_a_definition_imported_from_the_lss_example_reads_the_csv_and_an_archive(tmp_path):
    # The definition comes from LimeSurvey's own file (import-survey --from limesurvey): its
    # source keys (SGQA), codes (SAT_SQ001) and answer codes are the ones these responses use.
    lss = EXAMPLE.with_name("limesurvey-contractors.lss")
    call_command(
        "import_survey",
        "--from",
        "limesurvey",
        str(lss),
        "--journey",
        "permits",
        "--period",
        "2022-06",
        "--survey",
        "ls-2022-06",
        "--agency",
        "momra",
        stdout=io.StringIO(),
    )
    run(EXAMPLE)
    from_csv = stored()
    assert from_csv["4"][2] == {
        "overall": 1,
        "SAT_SQ001": 2,
        "SAT_SQ002": 1,
        "wait": "Nobody answered the phone",
    }
    Response.objects.all().delete()
    run(archive(tmp_path, lsr(ROWS), lss.read_text(encoding="utf-8")))
    assert stored()["1"][2] == {"overall": 4, "SAT_SQ001": 5, "SAT_SQ002": 4, "wait": "طويل"}
