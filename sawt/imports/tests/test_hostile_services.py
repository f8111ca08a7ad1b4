"""The import services, which the command line, the imports page and background work all call,
refuse hostile files with an ApplicationError (a message, never a RecursionError or a 500)."""

from pathlib import Path

import pytest
from django.utils import translation

from sawt.complaints.services import complaints_import
from sawt.core.exceptions import ApplicationError
from sawt.imports.tests.helpers import counts
from sawt.imports.tests.hostile import JOURNEY, SURVEY, hostile_files
from sawt.surveys.services import responses_import, survey_definition_import

DEFINITION = Path(__file__).resolve().parents[2] / "surveys/tests/fixtures/definition/valid.yaml"
SHAPES = [
    "laughs.yaml",
    "deep_flow.yaml",
    "deep_block.yaml",
    "wide_flow.yaml",
    "same_row.csv",
    "complaints_bad_dates.csv",
    "bomb_bad_rows.xlsx",
    "noisy_bad_rows.xlsx",
    "far_row.xlsx",
    "xml_entities.xlsx",
]
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hostile")
    return {case.name: case for case in hostile_files(directory, only=SHAPES)}


@pytest.mark.parametrize("name", SHAPES)
def test_a_hostile_file_is_refused_by_the_service_with_a_message(cases, name):
    survey_definition_import(path=DEFINITION)
    case = cases[name]
    path = Path(case.command[-1])
    before = counts()
    with translation.override("en"), pytest.raises(ApplicationError) as caught:
        if case.command[0] == "import_survey":
            survey_definition_import(path=path)
        elif case.command[0] == "import_responses":
            responses_import(survey_code=SURVEY, path=path)
        else:
            complaints_import(journey_slug=JOURNEY, path=path)
    assert case.expect in " ".join(caught.value.lines())  # type: ignore[attr-defined]
    assert counts() == before
