"""`na_values`: an answer meaning "not applicable" is neither a score nor a blank."""

from __future__ import annotations

from pathlib import Path

import pytest

from sawt.imports.problems import ImportFailed
from sawt.metrics.selectors import journey_summary
from sawt.surveys.models import Answer, Question, ScoreCount
from sawt.surveys.services import responses_import, survey_definition_import
from sawt.surveys.tests.conftest import DEFINITIONS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
CODE = "permits-2022-06"


def _definition(tmp_path: Path, na: str) -> Path:
    text = (DEFINITIONS / "valid.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  - code: s1\n    kind: satisfaction\n    scale: [1, 5]\n",
        f"  - code: s1\n    kind: satisfaction\n    scale: [1, 5]\n    na_values: {na}\n",
    )
    path = tmp_path / "na.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _responses(tmp_path: Path) -> Path:
    path = tmp_path / "r.csv"
    path.write_text("respondent_id,overall,s1\nA,4,5\nB,3,0\nC,,0\nD,2,\n", encoding="utf-8")
    return path


def test_not_applicable_answers_are_counted_apart(tmp_path):
    survey_definition_import(path=_definition(tmp_path, "[0, '99']"))
    assert Question.objects.get(code="s1").na_values == ["0", "99"]
    result = responses_import(survey_code=CODE, path=_responses(tmp_path))
    assert result.created == 4
    s1 = Question.objects.get(code="s1")
    assert Answer.objects.filter(question=s1, not_applicable=True).count() == 2
    assert dict(
        ScoreCount.objects.filter(question=s1, count__gt=0).values_list("score", "count")
    ) == {5: 1}
    summary = journey_summary(journey_slug="permits", period="2022-06")
    item = next(i for s in summary["stages"] for i in s["items"] if i["code"] == "s1")
    assert (item["n"], item["not_applicable"], item["mean"]) == (1, 2, 5.0)
    # C answered only "not applicable": not a completed response.
    assert (summary["sample"]["responses"], summary["sample"]["completed"]) == (4, 3)
    again = responses_import(survey_code=CODE, path=_responses(tmp_path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_a_not_applicable_value_inside_the_scale_is_refused(tmp_path):
    with pytest.raises(ImportFailed) as refused:
        survey_definition_import(path=_definition(tmp_path, "[3]"))
    assert "outside" in str(refused.value.problems[0].message)
