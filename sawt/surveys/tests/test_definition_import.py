from pathlib import Path

import pytest

from sawt.catalog.models import Agency, GapCategory, Journey, Stage
from sawt.core.models import AuditEvent
from sawt.imports.problems import ImportFailed
from sawt.imports.tests.helpers import counts, snapshot
from sawt.surveys.models import Question, Survey
from sawt.surveys.services import responses_import, survey_definition_import
from sawt.surveys.tests.conftest import DEFINITIONS
from sawt.testing.factories import GapFactory, InviteeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
EXAMPLE = (
    Path(__file__).resolve().parents[3] / "docs" / "examples" / "contractor-classification.yaml"
)


def refused(name: str) -> list[str]:
    before = snapshot()
    with pytest.raises(ImportFailed) as caught:
        survey_definition_import(path=DEFINITIONS / name)
    assert snapshot() == before, "a refused definition must change nothing"
    return caught.value.lines()


def test_the_documented_example_imports_cleanly():
    imported = survey_definition_import(path=EXAMPLE)
    survey = imported.survey
    assert (survey.code, survey.period, survey.sample_size) == (
        "cc-2022-07",
        "2022-07",
        3650,
    )
    journey = survey.journey
    assert [s.code for s in journey.stages.all()] == [
        "discovery",
        "application",
        "follow-up",
        "receiving",
    ]
    kinds = list(survey.questions.values_list("kind", flat=True))
    assert kinds.count("overall") == 1 and kinds.count("text") == 1
    assert len(kinds) == 12
    assert journey.gap_categories.count() == 8
    assert imported.result.created == 1 + 1 + 4 + 8 + 1 + 12


def test_first_import_creates_everything_in_file_order(survey):
    assert survey.journey.agency.code == "planning"
    assert list(survey.questions.values_list("code", "position")) == [
        ("overall", 0),
        ("s1", 1),
        ("e1", 2),
        ("n1", 3),
        ("t1", 4),
    ]
    e1 = survey.questions.get(code="e1")
    assert (e1.kind, e1.scale_min, e1.scale_max, e1.stage.code) == ("effort", 1, 7, "receive")
    t1 = survey.questions.get(code="t1")
    assert (t1.scale_min, t1.scale_max) == (None, None)
    assert survey.population_size == 4000
    assert AuditEvent.objects.filter(action="survey.definition_import").count() == 1


def test_importing_the_same_definition_again_changes_nothing(survey):
    before = snapshot()
    again = survey_definition_import(path=DEFINITIONS / "valid.yaml")
    assert again.survey.pk == survey.pk
    assert (again.result.created, again.result.updated) == (0, 0)
    assert again.result.unchanged == again.result.rows == 12
    assert snapshot() == before


def test_reimport_updates_names_texts_and_order_in_place(survey):
    ids = dict(Question.objects.values_list("code", "id"))
    stage_id = Stage.objects.get(code="apply").pk
    result = survey_definition_import(path=DEFINITIONS / "renamed.yaml").result
    # journey, stage "apply", survey, and four questions whose position moved
    assert (result.created, result.updated) == (1, 7)
    assert Journey.objects.get().name_en == "Building permits (new)"
    stage = Stage.objects.get(code="apply")
    assert (stage.pk, stage.name_ar) == (stage_id, "تقديم الطلب")
    assert Survey.objects.get().sample_size == 520
    questions = dict(Question.objects.values_list("code", "id"))
    assert {code: questions[code] for code in ids} == ids  # same rows, updated in place
    assert list(Question.objects.values_list("code", flat=True)) == [
        "overall",
        "e1",
        "n1",
        "s1",
        "s2",
        "t1",
    ]


def test_reimport_removes_unused_items_it_no_longer_lists(survey):
    result = survey_definition_import(path=DEFINITIONS / "drops_unused.yaml").result
    assert result.removed == 2
    assert list(Stage.objects.values_list("code", flat=True)) == ["apply"]
    assert list(GapCategory.objects.values_list("code", flat=True)) == ["slow"]


def test_a_gap_category_in_use_is_not_removed(survey):
    GapFactory(journey=survey.journey, category=GapCategory.objects.get(code="unclear"))
    lines = refused("drops_unused.yaml")
    assert lines[1] == (
        "line 10, gap_categories: The gap category “unclear” is no longer in the file but "
        "cannot be removed, because it is still used by: gaps (1). Put it back in the file."
    )


def answer_s1(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("respondent_id,s1\nA,4\n", encoding="utf-8")
    responses_import(survey_code="permits-2022-06", path=path)


def test_a_question_with_answers_is_not_removed(survey, tmp_path):
    answer_s1(tmp_path)
    assert refused("err_drops_answered_question.yaml")[1] == (
        "line 22, questions: The question “s1” is no longer in the file but cannot be removed, "
        "because it is still used by: answers (1). Put it back in the file."
    )


def test_a_question_with_answers_keeps_its_kind_and_scale(survey, tmp_path):
    answer_s1(tmp_path)
    assert refused("err_kind_change.yaml")[1] == (
        "line 30, questions[2].kind: Question “s1” already has answers, so its kind and scale "
        "cannot change; give the new version a new code."
    )


def test_survey_code_of_another_period(survey):
    assert refused("err_survey_code_taken.yaml")[1] == (
        "line 18, survey.code: The survey code “permits-2022-06” already belongs to journey "
        "“permits”, 2022-06."
    )


def test_second_survey_for_the_same_journey_and_period(survey):
    assert refused("err_period_taken.yaml")[1] == (
        "line 19, survey.period: This journey already has a survey for 2022-06, with the code "
        "“permits-2022-06”."
    )


@pytest.mark.parametrize(
    ("name", "problems"),
    [
        ("err_missing_key.yaml", ["line 17, survey.period: This key is missing."]),
        (
            "err_unknown_key.yaml",
            [
                "line 22, survey.sent_by: This key is not known here; the keys allowed are: "
                "code, period, sample_size, population_size, invitations."
            ],
        ),
        ("err_duplicate_key.yaml", ["line 20, survey.period: This key appears more than once."]),
        (
            "err_not_a_list.yaml",
            [
                "line 7, stages: This must be a list (one item per line starting with “-”).",
                "line 28, questions[2].stage: No stage has the code “apply”; the file defines "
                "no stages.",
                "line 35, questions[3].stage: No stage has the code “receive”; the file defines "
                "no stages.",
                "line 47, questions[5].stage: No stage has the code “receive”; the file defines "
                "no stages.",
            ],
        ),
        ("err_name_missing_arabic.yaml", ["line 9, stages[1].name.ar: This key is missing."]),
        (
            "err_invalid_code.yaml",
            [
                "line 29, questions[2].code: A code must be Latin letters, digits, “-” or “_”, "
                "without spaces (for example q1 or search-discovery)."
            ],
        ),
        (
            "err_period.yaml",
            [
                "line 19, survey.period: The period must be a month written YYYY-MM, for "
                "example 2022-06."
            ],
        ),
        (
            "err_sample_size.yaml",
            [
                "line 20, survey.sample_size: This must be a whole number above zero, such as "
                "3800, without commas."
            ],
        ),
        (
            "err_kind.yaml",
            [
                "line 30, questions[2].kind: The kind must be one of: overall, satisfaction, "
                "effort, nps, text."
            ],
        ),
        (
            "err_scale_missing.yaml",
            ["line 36, questions[3].scale: A scored question needs a scale, for example [1, 5]."],
        ),
        (
            "err_scale_invalid.yaml",
            [
                "line 38, questions[3].scale: The scale must be two whole numbers [lowest, "
                "highest] with 0 ≤ lowest < highest ≤ 10, for example [1, 5]."
            ],
        ),
        (
            "err_text_with_scale.yaml",
            ["line 51, questions[5].scale: An open-text question has no scale; remove this key."],
        ),
        (
            "err_overall_with_stage.yaml",
            ["line 26, questions[1].stage: An overall question stands apart from the stages."],
        ),
        (
            "err_unknown_stage.yaml",
            [
                "line 39, questions[3].stage: No stage has the code “delivery”; the stages are: "
                "apply, receive."
            ],
        ),
        (
            "err_duplicate_code.yaml",
            ["line 36, questions[3].code: The code “S1” is already used at questions[2].code."],
        ),
        (
            "err_reserved_code.yaml",
            [
                "line 49, questions[5].code: “respondent_id” names a column of the responses "
                "file; choose another code."
            ],
        ),
        (
            "err_form_field_code.yaml",
            [
                "line 49, questions[5].code: “comments__why” names a field of the public survey "
                "form; choose another code."
            ],
        ),
        ("err_no_questions.yaml", ["line 22, questions: A survey needs at least one question."]),
        (
            "err_syntax.yaml",
            [
                # libyaml's own wording (sawt reads YAML with libyaml where it is installed).
                "line 14: This line is not valid YAML (did not find expected '-' indicator); "
                "check its indentation, colons and brackets, and those of the line before."
            ],
        ),
    ],
)
def test_each_documented_definition_error(name, problems):
    before = counts()
    lines = refused(name)
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    assert lines == [
        f"The file was not imported because of {count} {noun}; nothing was saved.",
        *problems,
    ]
    assert counts() == before
    assert Agency.objects.count() == 0


def test_missing_file_is_named():
    with pytest.raises(ImportFailed) as caught:
        survey_definition_import(path=DEFINITIONS / "absent.yaml")
    assert caught.value.lines()[1] == "The file “absent.yaml” was not found."


def _without_sample_size(tmp_path: Path) -> Path:
    text = (DEFINITIONS / "valid.yaml").read_text(encoding="utf-8")
    assert "  sample_size: 500\n" in text
    path = tmp_path / "no-sample-size.yaml"
    path.write_text(text.replace("  sample_size: 500\n", ""), encoding="utf-8")
    return path


def test_a_sample_size_in_the_file_is_set_by_hand(survey):
    assert (survey.sample_size, survey.sample_size_by_hand) == (500, True)


def test_without_a_sample_size_the_survey_waits_for_its_invitations(db, tmp_path):
    survey = survey_definition_import(path=_without_sample_size(tmp_path)).survey
    survey.refresh_from_db()
    assert (survey.sample_size, survey.sample_size_by_hand) == (None, False)


def test_a_reimport_keeps_the_number_invitations_set(db, tmp_path):
    path = _without_sample_size(tmp_path)
    survey = survey_definition_import(path=path).survey
    # What sawt.distribution writes once people are invited.
    InviteeFactory.create_batch(37, survey=survey)
    Survey.objects.filter(pk=survey.pk).update(sample_size=37)
    before = snapshot()
    again = survey_definition_import(path=path).result
    assert (again.created, again.updated) == (0, 0) and snapshot() == before
    survey.refresh_from_db()
    assert (survey.sample_size, survey.sample_size_by_hand) == (37, False)


def test_a_number_set_by_hand_then_dropped_gives_way_to_the_invitations(survey, tmp_path):
    InviteeFactory.create_batch(3, survey=survey)
    survey_definition_import(path=_without_sample_size(tmp_path))
    survey.refresh_from_db()
    assert (survey.sample_size, survey.sample_size_by_hand) == (3, False)


def test_a_number_set_by_hand_then_dropped_no_longer_holds(survey, tmp_path):
    survey_definition_import(path=_without_sample_size(tmp_path))
    survey.refresh_from_db()
    assert (survey.sample_size, survey.sample_size_by_hand) == (None, False)
    # And given again, it is set by hand again.
    survey_definition_import(path=DEFINITIONS / "valid.yaml")
    survey.refresh_from_db()
    assert (survey.sample_size, survey.sample_size_by_hand) == (500, True)
