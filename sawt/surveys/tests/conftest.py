from pathlib import Path

import pytest
from django.utils import translation

from sawt.surveys.services import survey_definition_import

FIXTURES = Path(__file__).parent / "fixtures"
DEFINITIONS = FIXTURES / "definition"
RESPONSES = FIXTURES / "responses"


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def survey(db):
    """The small survey of fixtures/definition/valid.yaml (permits-2022-06)."""
    return survey_definition_import(path=DEFINITIONS / "valid.yaml").survey
