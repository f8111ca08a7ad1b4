"""Definitions from an XLSForm (KoboToolbox, ODK): `sawt import-survey --from xlsform`."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sawt.catalog.models import GapCategory, Journey
from sawt.imports.problems import ImportFailed
from sawt.imports.tests.helpers import snapshot
from sawt.surveys.importers.tools import ToolTarget
from sawt.surveys.models import Question
from sawt.surveys.services import survey_definition_import
from sawt.surveys.tests.test_commands import sawt
from sawt.surveys.tests.xlsform_helpers import (
    CHOICES,
    CHOICES_HEADER,
    CONTRACTORS,
    SURVEY,
    SURVEY_HEADER,
    write_xlsform,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
EXAMPLE = EXAMPLES / "xlsform-contractors.xlsx"
YAML_EXAMPLE = EXAMPLES / "contractor-classification.yaml"
TARGET = ToolTarget(journey="contractors", period="2022-07", survey="cx-2022-07", agency="mc")
SATISFACTION = ["very_dissatisfied", "dissatisfied", "neutral", "satisfied", "very_satisfied"]


def imported(path: Path = EXAMPLE, **changes: object):
    target = ToolTarget(**{**TARGET.__dict__, **changes})  # type: ignore[arg-type]
    return survey_definition_import(path=path, source="xlsform", target=target)


def refused(path: Path, **changes: object) -> list[str]:
    before = snapshot()
    with pytest.raises(ImportFailed) as caught:
        imported(path, **changes)
    assert snapshot() == before, "a refused definition must change nothing"
    return caught.value.lines()


def form(tmp_path: Path, survey=None, choices=None, settings=None, header=None) -> Path:
    rows = copy.deepcopy(SURVEY if survey is None else survey)
    return write_xlsform(
        tmp_path / "form.xlsx",
        [header or SURVEY_HEADER, *rows],
        [CHOICES_HEADER, *(CHOICES if choices is None else choices)],
        settings,
    )


def questions() -> dict[str, Question]:
    return {q.code: q for q in Question.objects.select_related("stage")}


def test_the_committed_example_is_the_helpers_form(tmp_path):
    from tqdm import tqdm

    from sawt.imports.xlsx import sheet_names, sheet_rows

    written = write_xlsform(tmp_path / "again.xlsx", *CONTRACTORS)

    def cells(path: Path) -> dict[str, list[list[object]]]:
        out = {}
        for name in sheet_names(path):
            with tqdm(disable=True) as bar, sheet_rows(path, bar, name) as rows:
                out[name] = [row for _n, row in rows]
        return out

    assert cells(EXAMPLE) == cells(written)


def test_the_example_imports_into_stages_items_scales_choices_and_labels():
    result = imported()
    survey = result.survey
    journey = survey.journey
    assert (journey.slug, journey.name_ar, journey.agency.code) == (
        "contractors",
        "استبيان تصنيف المقاولين",
        "mc",
    )
    # Groups are stages in the form's order; the nested group "evaluation" is part of
    # "application"; a group left without items (none here) would be no stage.
    assert [(s.code, s.name_ar, s.name_en) for s in journey.stages.all()] == [
        ("discovery", "البحث والاكتشاف", "Search and discovery"),
        ("application", "التقديم", "Application"),
        ("receiving", "الحصول على الخدمة", "Receiving the service"),
    ]
    found = questions()
    assert list(found) == [
        "overall",
        "reach_effort",
        "navigate_effort",
        "levels_clarity",
        "credit_evaluation",
        "technical_evaluation",
        "time_to_service",
        "main_reason",
    ]
    summary = {
        code: (q.kind, q.scale_min, q.scale_max, q.stage.code if q.stage else None)
        for code, q in found.items()
    }
    assert summary == {
        "overall": ("satisfaction", 1, 5, None),
        "reach_effort": ("satisfaction", 1, 5, "discovery"),
        "navigate_effort": ("satisfaction", 1, 5, "discovery"),
        "levels_clarity": ("satisfaction", 1, 5, "application"),
        "credit_evaluation": ("satisfaction", 1, 5, "application"),
        "technical_evaluation": ("satisfaction", 1, 5, "application"),
        "time_to_service": ("satisfaction", 1, 5, "receiving"),
        "main_reason": ("text", None, None, None),
    }
    assert found["overall"].choices == dict(zip(SATISFACTION, [1, 2, 3, 4, 5], strict=True))
    assert found["reach_effort"].choices == {
        "very_high": 1,
        "high": 2,
        "moderate": 3,
        "low": 4,
        "very_low": 5,
    }
    assert found["technical_evaluation"].choices == {} == found["main_reason"].choices
    assert {q.source_key for q in found.values()} == set(found)
    assert found["overall"].text_ar == "بشكل عام، ما مدى رضاك عن خدمة تصنيف المقاولين؟"
    assert found["overall"].text_en.startswith("Overall, how satisfied")
    # Metadata, notes, calculations, repeats and unscorable types are left out, and said so.
    assert result.skipped == (
        "row 23: the repeat “visits” and its questions (asked many times)",
        "row 27: “office_location” (geopoint)",
    )


def test_a_second_import_changes_nothing():
    imported()
    before = snapshot()
    again = imported()
    assert (again.result.created, again.result.updated, again.result.removed) == (0, 0, 0)
    assert snapshot() == before


def test_best_first_scores_the_first_choice_highest():
    imported(best="first")
    overall = questions()["overall"]
    assert overall.choices == dict(zip(SATISFACTION, [5, 4, 3, 2, 1], strict=True))
    assert (overall.scale_min, overall.scale_max) == (1, 5)


def test_eleven_choices_are_a_0_to_10_scale(tmp_path):
    choices = [["nps", str(n), str(n), str(n)] for n in range(11)]
    survey = [["select_one nps", "recommend", "هل توصي بنا؟", "Would you recommend us?"]]
    imported(form(tmp_path, survey, choices))
    recommend = questions()["recommend"]
    assert (recommend.scale_min, recommend.scale_max) == (0, 10)
    assert recommend.choices == {str(n): n for n in range(11)}


def test_the_overlay_sets_kinds_and_stages_by_code(tmp_path):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        "questions:\n"
        "  overall: {kind: overall}\n"
        "  reach_effort: {kind: effort}\n"
        "  navigate_effort: {kind: effort, stage: application}\n"
        "  levels_clarity: {kind: overall}\n"  # overall stands apart, whatever group held it
        "  main_reason: {stage: follow-up}\n"
        "stages:\n"
        "  - code: follow-up\n"
        "    name: {ar: المتابعة, en: Follow-up}\n",
        encoding="utf-8",
    )
    imported(overlay=overlay)
    found = questions()
    assert [
        (found[c].kind, found[c].stage.code if found[c].stage else None)
        for c in ("overall", "reach_effort", "navigate_effort", "levels_clarity", "main_reason")
    ] == [
        ("overall", None),
        ("effort", "discovery"),
        ("effort", "application"),
        ("overall", None),
        ("text", "follow-up"),
    ]
    assert [s.code for s in Journey.objects.get().stages.all()] == [
        "discovery",
        "application",
        "receiving",
        "follow-up",
    ]


def test_a_bad_overlay_is_refused_with_its_lines(tmp_path):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        "questions:\n"
        "  nowhere: {kind: effort}\n"
        "  main_reason: {kind: satisfaction}\n"
        "  overall: {kind: happy, stage: nowhere}\n",
        encoding="utf-8",
    )
    lines = refused(EXAMPLE, overlay=overlay)
    assert lines[1].startswith("line 2, questions.nowhere: No question has the code “nowhere”")
    assert lines[2] == (
        "line 3, questions.main_reason.kind: “main_reason” is a text question in the form; "
        "it stays one."
    )
    assert lines[3].startswith("line 4, questions.overall.kind: The kind must be one of")
    assert lines[4].startswith("line 4, questions.overall.stage: No stage has the code")


def test_an_existing_journey_keeps_its_names_categories_and_other_stages():
    survey_definition_import(path=YAML_EXAMPLE)
    journey = Journey.objects.get()
    names = (journey.name_ar, journey.name_en, journey.agency.code)
    categories = list(GapCategory.objects.values_list("code", flat=True))
    imported(journey=journey.slug, agency=None, survey="cx-2022-08", period="2022-08")
    journey.refresh_from_db()
    assert (journey.name_ar, journey.name_en, journey.agency.code) == names
    assert list(GapCategory.objects.values_list("code", flat=True)) == categories
    # The form's groups first, then the journey's stages the form does not name.
    assert [s.code for s in journey.stages.all()] == [
        "discovery",
        "application",
        "receiving",
        "follow-up",
    ]


def test_a_new_journey_needs_an_agency():
    lines = refused(EXAMPLE, agency=None)
    assert lines[1] == (
        "column --agency: The journey “contractors” is new: say which agency it belongs to "
        "with --agency CODE."
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda s, c: ([*s[:5], ["select_one moods", "mood", "المزاج", "Mood"], *s[5:]], c),
            "row 7, column type in sheet survey: The choice list “moods” is not in sheet "
            "choices; its lists are: effort, satisfaction.",
        ),
        (
            lambda s, c: (
                [*s, ["select_one single", "one", "واحد", "One"]],
                [*c, ["single", "x", "س", "X"]],
            ),
            "row 28, column type in sheet survey: The list “single” (row 12 of sheet choices): "
            "A scored question needs at least two answers in order; this one has 1.",
        ),
        (
            lambda s, c: ([*s, ["range", "speed", "السرعة", "Speed", None, None, "step=1"]], c),
            "row 28, column parameters in sheet survey: A range scores only with its bounds "
            "written out, such as “start=1 end=5 step=1”.",
        ),
        (
            lambda s, c: ([*s, ["integer", "count", "العدد", "Count", None, ". > 0"]], c),
            "row 28, column constraint in sheet survey: An integer question scores only with "
            "both bounds in its constraint, written like “. >= 1 and . <= 5”.",
        ),
        (
            lambda s, c: ([*s, ["integer", "big", "كبير", "Big", None, ". >= 1 and . <= 20"]], c),
            "row 28, column constraint in sheet survey: The bounds 1–20 are not a scale sawt "
            "can hold: 0 ≤ lowest < highest ≤ 10.",
        ),
        (
            lambda s, c: ([*s, ["begin_group", "open", "مفتوحة", "Open"]], c),
            "row 28, column type in sheet survey: This group is never closed: add an "
            "“end_group” row after its questions.",
        ),
        (
            lambda s, c: ([*s, ["end_group"]], c),
            "row 28, column type in sheet survey: This “end_group” closes no open group.",
        ),
        (
            lambda s, c: ([*s, ["text", "respondent_id", "المعرف", "Id"]], c),
            "row 28, column name in sheet survey: “respondent_id” names a column of the "
            "responses file; choose another code.",
        ),
        (
            lambda s, c: ([*s, ["text", "overall", "مكرر", "Again"]], c),
            "row 28, column name in sheet survey: The name “overall” makes the code “overall”, "
            "which row 7 already gives a question.",
        ),
        (
            lambda s, c: ([*s, ["text", "no_label"]], c),
            "row 28, column label in sheet survey: This question has no label in any language.",
        ),
    ],
)
def test_a_bad_row_is_a_problem_naming_its_sheet_row_and_column(tmp_path, change, expected):
    survey, choices = change(copy.deepcopy(SURVEY), copy.deepcopy(CHOICES))
    lines = refused(form(tmp_path, survey, choices))
    assert expected in lines[1:], lines


def test_a_missing_sheet_or_column_is_named(tmp_path):
    path = write_xlsform(tmp_path / "f.xlsx", [SURVEY_HEADER, *SURVEY], None)
    assert refused(path)[1] == (
        "The workbook has no sheet “choices”, which an XLSForm needs; its sheets are: survey."
    )
    header = ["kind", *SURVEY_HEADER[1:]]
    assert refused(form(tmp_path, header=header))[1] == (
        "row 1, column type in sheet survey: The column “type” is missing from the first row "
        "of sheet survey."
    )


def test_a_file_that_is_no_workbook_is_refused_clearly(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_text("type,name\ntext,q1\n", encoding="utf-8")
    assert refused(path)[1] == (
        "An XLSForm is an XLSX workbook (sheets survey and choices); this file is not one."
    )


def test_given_without_from_it_says_to_use_from_xlsform():
    before = snapshot()
    with pytest.raises(ImportFailed) as caught:
        survey_definition_import(path=EXAMPLE)
    assert snapshot() == before
    assert caught.value.lines()[1] == (
        "This looks like an XLSForm (KoboToolbox, ODK), not a journey definition (YAML): use "
        "`sawt import-survey --from xlsform FILE --journey SLUG --period YYYY-MM --survey CODE`."
    )


def test_the_command_takes_the_options_and_says_what_it_left_out():
    status, out, err = sawt(
        "import_survey",
        "--from",
        "xlsform",
        str(EXAMPLE),
        "--journey",
        "contractors",
        "--period",
        "2022-07",
        "--survey",
        "cx-2022-07",
        "--agency",
        "mc",
        "--best",
        "last",
    )
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "Survey “cx-2022-07” (2022-07): 14 items read: 14 created, 0 updated, 0 unchanged, "
        "0 removed.",
        "Left out (sawt cannot score or read them): row 23: the repeat “visits” and its "
        "questions (asked many times); row 27: “office_location” (geopoint)",
    ]


def test_the_command_refuses_options_that_do_not_fit():
    status, _out, err = sawt("import_survey", "--from", "xlsform", str(EXAMPLE))
    assert status == 1
    assert "--from xlsform needs --journey, --period, --survey" in err
    status, _out, err = sawt("import_survey", str(YAML_EXAMPLE), "--journey", "x")
    assert status == 1
    assert "--journey go with --from xlsform or --from limesurvey" in err
    status, _out, err = sawt(
        "import_survey",
        "--from",
        "xlsform",
        str(EXAMPLE),
        "--journey",
        "has space",
        "--period",
        "July",
        "--survey",
        "s",
    )
    assert status == 1
    assert "column --journey: A code must be Latin letters" in err
    assert "column --period: The period must be a month written YYYY-MM" in err


def test_labels_from_a_plain_column_or_short_language_names(tmp_path):
    header = ["type", "name", "label", "label::ar", "label::en-GB"]
    survey = [
        ["text", "plain_english", "What went well?"],
        ["text", "plain_arabic", "ما الذي أعجبك؟"],
        ["text", "short_names", None, "نص عربي", "English text"],
    ]
    imported(form(tmp_path, survey, header=header))
    found = questions()
    assert (found["plain_english"].text_ar, found["plain_english"].text_en) == (
        "What went well?",
        "What went well?",
    )
    assert (found["plain_arabic"].text_ar, found["plain_arabic"].text_en) == ("ما الذي أعجبك؟", "")
    assert (found["short_names"].text_ar, found["short_names"].text_en) == (
        "نص عربي",
        "English text",
    )


def test_a_plain_label_is_in_the_settings_default_language(tmp_path):
    settings = [["form_title", "default_language"], ["Contractors", "English (en)"]]
    survey = [["text", "q1", "Anything else?"]]
    imported(form(tmp_path, survey, settings=settings, header=["type", "name", "label"]))
    assert Journey.objects.get().name_ar == "Contractors"
    assert (questions()["q1"].text_ar, questions()["q1"].text_en) == ("Anything else?",) * 2


def test_twelve_choices_are_too_many_for_a_scale(tmp_path):
    choices = [["twelve", f"c{n}", str(n), str(n)] for n in range(12)]
    survey = [["select_one twelve", "many", "كثير", "Many"]]
    lines = refused(form(tmp_path, survey, choices))
    assert lines[1] == (
        "row 2, column type in sheet survey: The list “twelve” (row 2 of sheet choices): A "
        "scored question has at most 11 answers (a 0–10 scale); this one has 12. Leave it out "
        "of the form, or make it a text question."
    )


def test_a_name_that_makes_no_code_and_a_form_with_nothing_to_use(tmp_path):
    survey = [["text", "سؤال", "سؤال", "Question"]]
    assert refused(form(tmp_path, survey))[1] == (
        "row 2, column name in sheet survey: The name “سؤال” has no Latin letters or digits, so "
        "it makes no question code; rename it in the form."
    )
    survey = [["start", "start"], ["select_multiple effort", "which", "أي", "Which"]]
    assert refused(form(tmp_path, survey))[1] == (
        "The form has no question sawt can use (scored choices, numbers or text)."
    )
