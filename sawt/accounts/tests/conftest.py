"""Two agencies, each with a journey, a survey, a complaint, a gap and its recommendation."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from sawt.testing import factories as f


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _agency_world(code: str, slug: str) -> SimpleNamespace:
    agency = f.AgencyFactory(code=code)
    journey = f.JourneyFactory(slug=slug, agency=agency)
    survey = f.SurveyFactory(journey=journey, period="2022-06", sample_size=10)
    overall = f.QuestionFactory(survey=survey, code="overall", kind="overall")
    f.AnswerFactory(response=f.ResponseFactory(survey=survey), question=overall, score=4)
    complaint = f.ComplaintFactory(journey=journey)
    gap = f.GapFactory(journey=journey)
    recommendation = f.RecommendationFactory(gap=gap)
    return SimpleNamespace(
        agency=agency,
        journey=journey,
        survey=survey,
        complaint=complaint,
        gap=gap,
        recommendation=recommendation,
    )


@pytest.fixture
def ours(db) -> SimpleNamespace:
    return _agency_world("city-operators", "contractor-classification")


@pytest.fixture
def theirs(db) -> SimpleNamespace:
    return _agency_world("urban-planning", "building-permits")
