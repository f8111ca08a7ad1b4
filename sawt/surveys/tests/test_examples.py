"""The files under docs/examples import cleanly, and a second run changes nothing."""

from pathlib import Path

import pytest

from sawt.complaints.models import Complaint
from sawt.complaints.services import complaints_import
from sawt.imports.tests.helpers import snapshot
from sawt.surveys.models import Answer, Response
from sawt.surveys.services import responses_import, survey_definition_import

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


def import_examples() -> tuple:
    imported = survey_definition_import(path=EXAMPLES / "contractor-classification.yaml")
    survey = imported.survey
    responses = responses_import(survey_code=survey.code, path=EXAMPLES / "responses.csv")
    complaints = complaints_import(
        journey_slug=survey.journey.slug, path=EXAMPLES / "complaints.csv"
    )
    return imported.result, responses, complaints


@pytest.mark.django_db
def test_the_examples_import_cleanly_and_idempotently():
    definition, responses, complaints = import_examples()
    assert responses.created == Response.objects.count() == 5
    assert complaints.created == Complaint.objects.count() == 5
    assert Answer.objects.filter(question__kind="text").count() == 2
    # The phone number in one example complaint is redacted on the way in.
    assert "0551234567" not in Complaint.objects.get(complaint_id="C-2022-0704").text
    before = snapshot()
    definition, responses, complaints = import_examples()
    assert (definition.created, definition.updated) == (0, 0)
    assert (responses.unchanged, complaints.unchanged) == (5, 5)
    assert snapshot() == before


@pytest.mark.django_db
def test_the_examples_import_beside_the_demo_as_its_next_month():
    from sawt.demo.loader import demo_load
    from sawt.metrics.selectors import journey_summary

    demo_load()
    june = journey_summary(journey_slug="contractor-classification", period="2022-06")
    import_examples()
    assert journey_summary(journey_slug="contractor-classification", period="2022-06") == june
    july = journey_summary(journey_slug="contractor-classification", period="2022-07")
    assert (july["sample"]["responses"], july["sample"]["complaints"]) == (5, 5)
