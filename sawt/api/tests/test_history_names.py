"""A recommendation's history names whoever moved it, a token included (an event's user link
is empty for anyone who is not a user)."""

from __future__ import annotations

import pytest

from sawt.gaps.choices import RecommendationStatus as S
from sawt.gaps.services import recommendation_transition
from sawt.metrics.tests.planted import impact_stub
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def test_the_history_names_a_token_a_person_and_the_system(token, monkeypatch):
    # Verifying needs an impact result (sawt/metrics/impact.py); not this test's subject.
    monkeypatch.setattr("sawt.metrics.impact.recommendation_impact", impact_stub)
    rec = f.RecommendationFactory(status=S.APPROVED)
    writer = token("write", agency=rec.owner)
    moved = writer.post(
        f"/api/v1/recommendations/{rec.pk}/moves/",
        {"to_status": S.IN_PROGRESS, "expected_status": S.APPROVED, "expected_version": 1},
        format="json",
    )
    assert moved.status_code == 201, moved.json()
    analyst = f.user_with_role("analyst", username="mona")
    rec.refresh_from_db()
    recommendation_transition(
        recommendation=rec,
        to_status=S.IMPLEMENTED,
        expected_status=S.IN_PROGRESS,
        actor=analyst,
        expected_version=rec.version,
    )
    rec.refresh_from_db()
    recommendation_transition(
        recommendation=rec,
        to_status=S.VERIFIED,
        expected_status=S.IMPLEMENTED,
        actor=None,
        expected_version=rec.version,
    )
    history = token("read").get(f"/api/v1/recommendations/{rec.pk}/").json()["history"]
    assert [h["actor"] for h in history[-3:]] == [f"token:{writer.token.name}", "mona", "system"]


def test_a_recommendation_shows_its_targets_and_the_result_it_was_verified_on(token, monkeypatch):
    monkeypatch.setattr("sawt.metrics.impact.recommendation_impact", impact_stub)
    rec = f.RecommendationFactory(status=S.IMPLEMENTED)
    recommendation_transition(
        recommendation=rec,
        to_status=S.VERIFIED,
        expected_status=S.IMPLEMENTED,
        actor=None,
        expected_version=rec.version,
    )
    body = token("read").get(f"/api/v1/recommendations/{rec.pk}/").json()
    assert set(body["targets"]) == {"items", "stage", "category"}
    verified = body["history"][-1]
    assert verified["to_status"] == S.VERIFIED
    assert verified["impact"]["verdict"] in ("improved", "no_change", "worse")
    assert all(h["impact"] is None for h in body["history"][:-1])
