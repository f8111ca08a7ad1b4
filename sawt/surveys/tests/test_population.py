"""A population smaller than the responses is refused at every door, and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from sawt.core.exceptions import ApplicationError
from sawt.imports.problems import ImportFailed
from sawt.surveys.models import Response, Survey
from sawt.surveys.services import responses_import, survey_definition_import
from sawt.surveys.tests.conftest import DEFINITIONS, RESPONSES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
CODE = "permits-2022-06"


def _definition(tmp_path: Path, population: int) -> Path:
    text = (DEFINITIONS / "valid.yaml").read_text(encoding="utf-8")
    path = tmp_path / "small.yaml"
    path.write_text(
        text.replace("population_size: 4000", f"population_size: {population}"), "utf-8"
    )
    return path


def test_a_definition_cannot_set_a_population_below_the_responses(survey, tmp_path):
    responses_import(survey_code=CODE, path=RESPONSES / "valid.csv")  # 3 responses
    with pytest.raises(ImportFailed) as refused:
        survey_definition_import(path=_definition(tmp_path, 2))
    message = str(refused.value.problems[0].message)
    assert CODE in message and "3 responses" in message and "population of 2" in message
    assert Survey.objects.get(code=CODE).population_size == 4000
    survey_definition_import(path=_definition(tmp_path, 3))  # a census is fine
    assert Survey.objects.get(code=CODE).population_size == 3


def test_an_import_cannot_push_the_responses_past_the_population(survey):
    Survey.objects.filter(code=CODE).update(population_size=2)
    with pytest.raises(ApplicationError, match="population of 2"):
        responses_import(survey_code=CODE, path=RESPONSES / "valid.csv")
    assert Response.objects.count() == 0
