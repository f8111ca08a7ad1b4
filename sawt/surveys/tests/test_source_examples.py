"""docs/examples' Qualtrics exports (current and legacy form) hold the five responses of
responses.csv (sawt's own format): imported into the example's plain YAML definition (no
choices: Qualtrics' numeric recodes are the scores), each gives the same answers, times and
summary. (The Kobo and ODK examples, exports of the XLSForm example, are checked by
test_source_roundtrip.py.)"""

import pytest

from sawt.metrics.selectors import journey_summary
from sawt.surveys.models import Response
from sawt.surveys.services import responses_import, survey_definition_import
from sawt.surveys.tests.sources_helpers import CODE, EXAMPLES, stored

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


@pytest.mark.parametrize("name", ["responses-qualtrics.csv", "responses-qualtrics-legacy.csv"])
def test_each_qualtrics_example_gives_what_sawts_own_file_gives(name):
    survey_definition_import(path=EXAMPLES / "contractor-classification.yaml")
    expected = imported("responses.csv", "sawt")
    assert imported(name, "qualtrics") == expected
