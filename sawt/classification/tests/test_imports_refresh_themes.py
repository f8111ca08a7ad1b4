"""Stored candidate themes follow an import whichever door it came through: the command line
and the demo call the import services directly, as the imports page's background job does."""

from pathlib import Path

import pytest
from django.utils import timezone

from sawt.catalog.models import Journey
from sawt.classification.models import ThemeSet
from sawt.complaints.services import complaints_import
from sawt.jobs.models import Job
from sawt.surveys.services import responses_import, survey_definition_import

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
REFRESH = "classifier.themes_refresh"


@pytest.fixture
def journey() -> Journey:
    survey = survey_definition_import(
        path=EXAMPLES / "contractor-classification.yaml", actor=None
    ).survey
    # Themes were looked at once, so they are stored and must follow the data from now on.
    ThemeSet.objects.create(
        journey=survey.journey,
        period=survey.period,
        source="survey",
        fingerprint="before the import",
        computed_at=timezone.now(),
    )
    return survey.journey


def test_importing_responses_queues_a_refresh_of_the_stored_themes(journey):
    responses_import(survey_code="cc-2022-07", path=EXAMPLES / "responses.csv", actor=None)
    refresh = Job.objects.get(kind=REFRESH)
    assert refresh.payload == {"journey": journey.slug}


def test_importing_complaints_queues_a_refresh_of_the_stored_themes(journey):
    complaints_import(journey_slug=journey.slug, path=EXAMPLES / "complaints.csv", actor=None)
    assert Job.objects.filter(kind=REFRESH, payload={"journey": journey.slug}).count() == 1


def test_an_import_that_changes_nothing_queues_nothing(journey):
    responses_import(survey_code="cc-2022-07", path=EXAMPLES / "responses.csv", actor=None)
    Job.objects.all().delete()
    responses_import(survey_code="cc-2022-07", path=EXAMPLES / "responses.csv", actor=None)
    assert not Job.objects.filter(kind=REFRESH).exists()
