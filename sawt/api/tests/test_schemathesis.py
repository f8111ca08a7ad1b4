"""schemathesis against the live schema of the whole API, in process through the WSGI app.

Every operation the schema holds when the test runs (reads, pushes, moves: whatever is routed
then) is called with generated requests, valid ones and invalid ones, carrying a write token
for all agencies, over seeded data; and once more with its path pointing at objects that exist.
No answer may be a server error, and every answer must be one the schema documents: its
status, its content type and its body. Examples are few and derandomised, so the run is short
and the same every time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sawt.accounts.tokens import token_create
from sawt.gaps.models import RecommendationEvent
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
PERIOD = "2022-06"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# The read endpoints must be among those tested, or the run proves nothing about them.
READS = {
    "GET /api/v1/journeys/",
    "GET /api/v1/journeys/{slug}/",
    "GET /api/v1/surveys/",
    "GET /api/v1/surveys/{code}/",
    "GET /api/v1/journeys/{slug}/periods/{period}/summary/",
    "GET /api/v1/complaints/",
    "GET /api/v1/gaps/",
    "GET /api/v1/gaps/{id}/",
    "GET /api/v1/recommendations/",
    "GET /api/v1/recommendations/{id}/",
}
SETTINGS = hypothesis.settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@pytest.fixture
def seeded() -> dict[str, Any]:
    """An agency's journey with stages and reasons, a survey with answers, complaints, a gap
    and a recommendation with its history: what real path parameters point at."""
    tz = timezone.get_default_timezone()
    agency = f.AgencyFactory(code="balady")
    journey = f.JourneyFactory(agency=agency, slug="permits")
    stage = f.StageFactory(journey=journey, code="apply", position=1)
    f.StageFactory(journey=journey, code="receive", position=2)
    late = f.GapCategoryFactory(journey=journey, code="late")
    survey = f.SurveyFactory(journey=journey, period=PERIOD, code="permits-2022-06")
    overall = f.QuestionFactory(survey=survey, code="overall", kind="overall", position=0)
    item = f.QuestionFactory(survey=survey, code="q1", stage=stage, position=1)
    f.QuestionFactory(
        survey=survey, code="why", kind="text", scale_min=None, scale_max=None, position=2
    )
    for i in range(3):
        response = f.ResponseFactory(survey=survey, respondent_id=f"r{i}")
        f.AnswerFactory(response=response, question=overall, score=3 + i % 3)
        f.AnswerFactory(response=response, question=item, score=2 + i)
    for i in range(3):
        f.ComplaintFactory(
            journey=journey,
            complaint_id=f"C-{i}",
            received_at=dt.datetime(2022, 6, 5 + i, 10, 0, tzinfo=tz),
            category=late if i else None,
            category_source="import" if i else "",
        )
    gap = f.GapFactory(journey=journey, period=PERIOD, stage=stage, category=late)
    recommendation = f.RecommendationFactory(gap=gap)
    RecommendationEvent.objects.create(
        recommendation=recommendation,
        from_status="",
        to_status="proposed",
        at=dt.datetime(2022, 7, 1, 9, 0, tzinfo=tz),
    )
    _token, raw = token_create(
        name="schemathesis", scope="write", all_agencies=True, agency_code=None, actor=None
    )
    return {
        "token": raw,
        "slug": journey.slug,
        "code": survey.code,
        "period": PERIOD,
        "gap": gap.pk,
        "recommendation": recommendation.pk,
    }


@pytest.fixture
def wsgi_app() -> Any:
    """The project's WSGI application, which the test's transaction sees. Like Django's test
    client, it must not close the database connection around requests: that would end the
    transaction holding the seeded data (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _existing(path: str, seeded: dict[str, Any]) -> dict[str, Any]:
    """The path parameters of `path` filled with seeded objects."""
    known = {"slug": seeded["slug"], "code": seeded["code"], "period": seeded["period"]}
    known["id"] = seeded["gap"] if path.startswith("/api/v1/gaps/") else seeded["recommendation"]
    return {name: value for name, value in known.items() if "{" + name + "}" in path}


def _run(strategy: Any, headers: dict[str, str], statuses: set[int]) -> None:
    @SETTINGS
    @given(case=strategy)
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        statuses.add(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        check()
    except hypothesis.errors.Unsatisfiable:
        # Nothing invalid can be made for it (an operation with no parameters and no body).
        pass


@override_settings(SAWT_API_RATE_LIMIT=None)
def test_every_operation_of_the_live_schema_holds_to_it(seeded, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    statuses: dict[str, set[int]] = {}
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        name = f"{operation.method.upper()} {operation.path}"
        seen = statuses.setdefault(name, set())
        strategies = [
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        ]
        existing = _existing(operation.path, seeded)
        if existing:
            strategies.append(operation.as_strategy(path_parameters=existing))
        try:
            for strategy in strategies:
                _run(strategy, headers, seen)
        except (
            Exception,
            BaseExceptionGroup,
        ) as exc:  # every operation's failures at once, not the first only
            failures[name] = str(exc)
    assert not failures, "\n\n".join(f"{name}:\n{text}" for name, text in failures.items())
    assert READS <= set(statuses), READS - set(statuses)
    # The token was accepted and real objects were read: not a run of 401s and 404s.
    assert all(200 in statuses[read] for read in READS), statuses
