"""What a recommendation should move, and the rule that only a recommendation with an impact
result can be verified (enforced in the service, so the page, the API and the CLI obey it)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import translation

from sawt.core.access import Role
from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.gaps.choices import RecommendationStatus as S
from sawt.gaps.models import Recommendation, RecommendationEdit, RecommendationEvent
from sawt.gaps.services import (
    gap_create,
    recommendation_create,
    recommendation_transition,
    recommendation_update,
)
from sawt.metrics.tests.planted import (
    MEAN_3,
    MEAN_4,
    implemented_recommendation,
    journey_with_periods,
)
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def analyst():
    return f.user_with_role(Role.ANALYST, username="analyst")


def _evidence_gap(analyst):
    journey = f.JourneyFactory()
    stage = f.StageFactory(journey=journey, code="wait")
    category = f.GapCategoryFactory(journey=journey, code="delays")
    survey = f.SurveyFactory(journey=journey, period="2024-01")
    scored = f.QuestionFactory(survey=survey, code="q_wait", stage=stage)
    text = f.QuestionFactory(survey=survey, code="why", kind="text", scale_min=None, scale_max=None)
    gap = gap_create(
        journey=journey,
        period="2024-01",
        feedback_ar="انتظار طويل",
        stage=stage,
        category=category,
        questions=[scored, text],
        actor=analyst,
    )
    return journey, gap


def test_targets_are_prefilled_from_the_gaps_evidence(analyst):
    journey, gap = _evidence_gap(analyst)
    rec = recommendation_create(gap=gap, text_ar="توصية", owner=journey.agency, actor=analyst)
    # An open question cannot move a score: only scored items are targets.
    assert rec.targets == {"items": ["q_wait"], "stage": "wait", "category": "delays"}
    audit = AuditEvent.objects.get(action="recommendation.create")
    assert audit.data["targets"] == rec.targets


def test_targets_are_checked_against_the_journey(analyst):
    journey, gap = _evidence_gap(analyst)
    f.QuestionFactory(code="foreign")  # another journey's item
    for targets, message in (
        ({"items": ["foreign"]}, "No scored survey item"),
        ({"items": ["why"]}, "No scored survey item"),
        ({"stage": "nowhere"}, "has no stage"),
        ({"category": "nothing"}, "has no gap category"),
        ({"colour": "red"}, "Unknown targets"),
    ):
        with pytest.raises(ApplicationError, match=message):
            recommendation_create(
                gap=gap, text_ar="توصية", owner=journey.agency, targets=targets, actor=analyst
            )
    assert not Recommendation.objects.exists()


def test_editing_targets_is_an_audited_edit(analyst):
    journey, gap = _evidence_gap(analyst)
    rec = recommendation_create(gap=gap, text_ar="توصية", owner=journey.agency, actor=analyst)
    updated = recommendation_update(
        recommendation=rec,
        expected_version=rec.version,
        text_ar=rec.text_ar,
        owner=rec.owner,
        due_date=None,
        targets={"items": [], "stage": "wait", "category": ""},
        actor=analyst,
    )
    assert updated.targets == {"items": [], "stage": "wait", "category": None}
    assert updated.version == rec.version + 1
    edit = RecommendationEdit.objects.get()
    assert edit.changes == {
        "targets": [
            {"items": ["q_wait"], "stage": "wait", "category": "delays"},
            {"items": [], "stage": "wait", "category": None},
        ]
    }
    # Without targets, an edit leaves them as they are.
    again = recommendation_update(
        recommendation=updated,
        expected_version=updated.version,
        text_ar="نص آخر",
        owner=rec.owner,
        due_date=None,
        actor=analyst,
    )
    assert again.targets == updated.targets


def _verify(rec, analyst):
    return recommendation_transition(
        recommendation=rec, to_status=S.VERIFIED, expected_status=S.IMPLEMENTED, actor=analyst
    )


def test_verified_is_refused_without_an_impact_result(analyst):
    journey, _ = journey_with_periods({"q": {"2024-01": MEAN_3, "2024-04": MEAN_4}})
    # Implemented after the last period: nothing to compare yet.
    rec = implemented_recommendation(
        journey,
        period="2024-01",
        implemented_on=dt.date(2024, 7, 20),
        actor=analyst,
        targets={"items": ["q"]},
    )
    events = RecommendationEvent.objects.count()
    with pytest.raises(ApplicationError, match="verified only with its impact result") as caught:
        _verify(rec, analyst)
    assert caught.value.problems == ["impact"]
    stored = Recommendation.objects.get(pk=rec.pk)
    assert (stored.status, stored.version) == (S.IMPLEMENTED, rec.version)
    assert RecommendationEvent.objects.count() == events


def test_verified_is_refused_with_nothing_to_measure(analyst):
    journey, _ = journey_with_periods({"q": {"2024-01": MEAN_3, "2024-04": MEAN_4}})
    rec = implemented_recommendation(
        journey, period="2024-01", implemented_on=dt.date(2024, 2, 15), actor=analyst, targets={}
    )
    with pytest.raises(ApplicationError, match="verified only with its impact result"):
        _verify(rec, analyst)


def test_verified_is_accepted_with_the_result_stored_on_the_move(analyst):
    journey, _ = journey_with_periods({"q": {"2024-01": MEAN_3, "2024-04": MEAN_4}})
    rec = implemented_recommendation(
        journey,
        period="2024-01",
        implemented_on=dt.date(2024, 2, 15),
        actor=analyst,
        targets={"items": ["q"]},
    )
    verified = _verify(rec, analyst)
    assert verified.status == S.VERIFIED
    event = verified.events.order_by("-id").first()
    assert event.to_status == S.VERIFIED
    assert event.impact["verdict"] == "improved" and event.impact["id"] == rec.pk
    assert event.impact["measures"][0]["after"]["periods"] == ["2024-04"]
    # Only the move to verified carries a result.
    assert not verified.events.exclude(pk=event.pk).filter(impact__isnull=False).exists()
    audit = AuditEvent.objects.filter(action="recommendation.transition").order_by("-id").first()
    assert audit.data["verdict"] == "improved"


def test_existing_recommendations_get_targets_from_their_gap(analyst):
    journey, gap = _evidence_gap(analyst)
    rec = recommendation_create(gap=gap, text_ar="توصية", owner=journey.agency, actor=analyst)
    Recommendation.objects.filter(pk=rec.pk).update(targets={})
    migration = importlib.import_module("sawt.gaps.migrations.0004_recommendation_targets_impact")
    migration._targets(apps, None)
    rec.refresh_from_db()
    assert rec.targets == {"items": ["q_wait"], "stage": "wait", "category": "delays"}


def test_without_the_metrics_answering_nothing_is_verified(analyst):
    from sawt.gaps.services import impact_requested
    from sawt.metrics.impact import answer_impact_request

    journey, _ = journey_with_periods({"q": {"2024-01": MEAN_3, "2024-04": MEAN_4}})
    rec = implemented_recommendation(
        journey,
        period="2024-01",
        implemented_on=dt.date(2024, 2, 15),
        actor=analyst,
        targets={"items": ["q"]},
    )
    impact_requested.disconnect(dispatch_uid="sawt.metrics.impact")
    try:
        with pytest.raises(ApplicationError, match="verified only with its impact result"):
            _verify(rec, analyst)
    finally:
        impact_requested.connect(answer_impact_request, dispatch_uid="sawt.metrics.impact")
    assert _verify(rec, analyst).status == S.VERIFIED
