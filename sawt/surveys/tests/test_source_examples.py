"""docs/examples' Kobo, ODK and Qualtrics exports hold the same five responses as
responses.csv (sawt's own format): imported, each gives the same answers, times and summary."""

import pytest

from sawt.metrics.selectors import journey_summary
from sawt.surveys.models import Response
from sawt.surveys.services import responses_import
from sawt.surveys.tests.sources_helpers import CODE, EXAMPLES, contractors_survey, stored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def imported(name: str, source: str) -> tuple[list, dict]:
    """What a file stored, without its ids (each tool has its own), and the summary."""
    Response.objects.all().delete()
    result = responses_import(survey_code=CODE, path=EXAMPLES / name, source=source)
    assert result.created == 5
    found = sorted(
        ((r["submitted_at"], sorted(r["answers"].items())) for r in stored().values()),
        key=repr,
    )
    return found, journey_summary(journey_slug="contractor-classification", period="2022-07")


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("responses-kobo.csv", "kobo"),
        ("responses-odk.csv", "odk"),
        ("responses-qualtrics.csv", "qualtrics"),
        ("responses-qualtrics-legacy.csv", "qualtrics"),
    ],
)
def test_each_example_export_gives_what_sawts_own_file_gives(name, source):
    contractors_survey()
    expected = imported("responses.csv", "sawt")
    assert imported(name, source) == expected
