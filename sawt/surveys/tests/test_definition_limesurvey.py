"""Definitions from LimeSurvey (`.lss`, or the `.lss` in a `.lsa`): `--from limesurvey`."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sawt.imports.problems import ImportFailed
from sawt.imports.tests.helpers import snapshot
from sawt.surveys.importers.tools import ToolTarget
from sawt.surveys.models import Question
from sawt.surveys.services import survey_definition_import

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "limesurvey-contractors.lss"
TARGET = ToolTarget(journey="contractors", period="2022-06", survey="ls-2022-06", agency="mc")

# LimeSurvey 2–3 wrote every text into its row, one row per language.
OLD_LAYOUT = """<?xml version="1.0" encoding="UTF-8"?>
<document>
 <LimeSurveyDocType>Survey</LimeSurveyDocType>
 <DBVersion>355</DBVersion>
 <languages><language>en</language></languages>
 <answers><rows>
  <row><qid>10</qid><code>B</code><answer>Bad</answer><sortorder>2</sortorder>
   <language>en</language><scale_id>0</scale_id></row>
  <row><qid>10</qid><code>W</code><answer>Worst</answer><sortorder>1</sortorder>
   <language>en</language><scale_id>0</scale_id></row>
  <row><qid>10</qid><code>G</code><answer>Good</answer><sortorder>3</sortorder>
   <language>en</language><scale_id>0</scale_id></row>
 </rows></answers>
 <groups><rows>
  <row><gid>5</gid><sid>777</sid><group_name>Visiting the office</group_name>
   <group_order>0</group_order><language>en</language></row>
 </rows></groups>
 <questions><rows>
  <row><qid>10</qid><parent_qid>0</parent_qid><sid>777</sid><gid>5</gid><type>!</type>
   <title>q1</title><question>&lt;b&gt;How was it?&lt;/b&gt;</question>
   <question_order>1</question_order><language>en</language><scale_id>0</scale_id></row>
  <row><qid>11</qid><parent_qid>0</parent_qid><sid>777</sid><gid>5</gid><type>S</type>
   <title>q2</title><question>Anything else?</question>
   <question_order>2</question_order><language>en</language><scale_id>0</scale_id></row>
 </rows></questions>
 <surveys><rows><row><sid>777</sid><language>en</language></row></rows></surveys>
</document>
"""


def imported(path: Path = EXAMPLE, **changes: object):
    target = ToolTarget(**{**TARGET.__dict__, **changes})  # type: ignore[arg-type]
    return survey_definition_import(path=path, source="limesurvey", target=target)


def refused(path: Path, **changes: object) -> list[str]:
    before = snapshot()
    with pytest.raises(ImportFailed) as caught:
        imported(path, **changes)
    assert snapshot() == before, "a refused definition must change nothing"
    return caught.value.lines()


def questions() -> dict[str, Question]:
    return {q.code: q for q in Question.objects.select_related("stage")}


def archive(tmp_path: Path, lss: bytes, name: str = "survey_123456.lss") -> Path:
    path = tmp_path / "survey_archive_123456.lsa"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr(name, lss)
        packed.writestr("survey_123456_responses.lsr", "<document/>")
    return path


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "survey.lss"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_imports_groups_lists_arrays_and_texts_in_both_languages():
    result = imported()
    journey = result.survey.journey
    assert journey.name_ar == "استبيان تصنيف المقاولين"
    assert [(s.code, s.name_ar, s.name_en) for s in journey.stages.all()] == [
        ("application", "التقديم", "Application"),
        ("receiving-the-service", "الحصول على الخدمة", "Receiving the service"),
    ]
    found = questions()
    assert {
        code: (
            q.kind,
            q.scale_min,
            q.scale_max,
            q.stage.code if q.stage else None,
            q.source_key,
        )
        for code, q in found.items()
    } == {
        "overall": ("satisfaction", 1, 5, "application", "123456X12X345"),
        "SAT_SQ001": ("satisfaction", 1, 5, "application", "123456X12X346SQ001"),
        "SAT_SQ002": ("satisfaction", 1, 5, "application", "123456X12X346SQ002"),
        "wait": ("text", None, None, "application", "123456X12X347"),
        "staff": ("satisfaction", 1, 5, "receiving-the-service", "123456X13X348"),
    }
    assert found["overall"].choices == {"AO01": 1, "AO02": 2, "AO03": 3, "AO04": 4, "AO05": 5}
    assert found["SAT_SQ001"].choices == {"A1": 1, "A2": 2, "A3": 3, "A4": 4, "A5": 5}
    assert found["staff"].choices == {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
    # HTML is taken out of texts; array rows take their own texts.
    assert found["overall"].text_ar == "بشكل عام، ما مدى رضاك عن خدمة تصنيف المقاولين؟"
    assert found["overall"].text_en.startswith("Overall, how satisfied")
    assert (found["SAT_SQ002"].text_ar, found["SAT_SQ002"].text_en) == (
        "سرعة معالجة الطلب",
        "Speed of processing the request",
    )
    assert result.skipped == ("question channels (LimeSurvey type M)",)
    before = snapshot()
    again = imported()
    assert (again.result.created, again.result.updated) == (0, 0)
    assert snapshot() == before


def test_best_first_and_the_overlay(tmp_path):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        "questions:\n  overall: {kind: overall}\n  SAT_SQ002: {kind: effort}\n", encoding="utf-8"
    )
    imported(best="first", overlay=overlay)
    found = questions()
    assert found["overall"].choices == {"AO01": 5, "AO02": 4, "AO03": 3, "AO04": 2, "AO05": 1}
    assert (found["overall"].kind, found["overall"].stage) == ("overall", None)
    assert (found["SAT_SQ002"].kind, found["SAT_SQ002"].stage.code) == ("effort", "application")


def test_an_archive_is_read_through_its_lss(tmp_path):
    imported(archive(tmp_path, EXAMPLE.read_bytes()))
    assert len(questions()) == 5


def test_the_old_layout_with_texts_in_rows(tmp_path):
    imported(written(tmp_path, OLD_LAYOUT))
    found = questions()
    assert found["q1"].choices == {"W": 1, "B": 2, "G": 3}  # by sortorder, not file order
    assert (found["q1"].text_ar, found["q1"].text_en) == ("How was it?", "How was it?")
    assert found["q1"].stage.code == "visiting-the-office"
    assert found["q2"].kind == "text"


def test_given_without_from_it_says_to_use_from_limesurvey(tmp_path):
    for path in (EXAMPLE, archive(tmp_path, EXAMPLE.read_bytes())):
        with pytest.raises(ImportFailed) as caught:
            survey_definition_import(path=path)
        assert (
            "not a journey definition (YAML): use `sawt import-survey --from limesurvey"
            in (caught.value.lines()[1])
        )


def test_an_archive_bomb_is_refused_before_it_is_unpacked(tmp_path):
    bomb = b"<document>" + b" " * (30 * 1024 * 1024) + b"</document>"
    assert "over 100 times its packed size" in refused(archive(tmp_path, bomb[: 5 * 1024**2]))[1]
    assert "a LimeSurvey survey is far smaller" in refused(archive(tmp_path, bomb))[1]


def test_an_archive_without_one_lss_is_refused(tmp_path):
    path = tmp_path / "a.lsa"
    with zipfile.ZipFile(path, "w") as packed:
        packed.writestr("responses.lsr", "<document/>")
    assert refused(path)[1] == (
        "A LimeSurvey archive (.lsa) holds one survey structure (.lss); this ZIP file holds 0."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<document><LimeSurveyDocType>Survey", "The XML is not well-formed at line 1"),
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><document>&a;</document>',
            "The XML declares a document type or entities",
        ),
        ("<document><LimeSurveyDocType>Question</LimeSurveyDocType></document>", "is not a Lime"),
    ],
)
def test_bad_xml_is_refused_clearly(tmp_path, text, expected):
    assert expected in refused(written(tmp_path, text))[1]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda t: t.replace(
                "<qid><![CDATA[345]]></qid>\n    <code>", "<qid><![CDATA[999]]></qid>\n    <code>"
            ),
            "column question overall: A scored question needs at least two answers in order; "
            "this one has 0.",
        ),
        (
            lambda t: t.replace("<title><![CDATA[wait]]>", "<title><![CDATA[overall]]>"),
            "column question overall: The name “overall” makes the code “overall”, which "
            "question overall already gives a question.",
        ),
        (
            lambda t: t.replace("<title><![CDATA[wait]]>", "<title><![CDATA[submitted_at]]>"),
            "column question submitted_at: “submitted_at” names a column of the responses "
            "file; choose another code.",
        ),
    ],
)
def test_a_bad_question_is_a_problem_naming_it(tmp_path, change, expected):
    lines = refused(written(tmp_path, change(EXAMPLE.read_text(encoding="utf-8"))))
    assert expected in lines[1:], lines
