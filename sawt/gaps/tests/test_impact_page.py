"""The gap page shows what each recommendation should move and whether it worked; its targets
are edited there, and verifying from it obeys the service's rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from sawt.core.access import Role
from sawt.gaps.choices import RecommendationStatus as S
from sawt.gaps.models import Recommendation, RecommendationEdit
from sawt.metrics.tests.planted import (
    MEAN_3,
    MEAN_4,
    implemented_recommendation,
    journey_with_periods,
)
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    return f.user_with_role(Role.ANALYST, username="analyst")


def _client(user, lang="en"):
    client = Client()
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": lang, "next": "/"})
    return client


@pytest.fixture
def world(analyst):
    journey, _ = journey_with_periods(
        {
            "q_wait": {"2024-01": MEAN_3, "2024-04": MEAN_4, "2024-07": MEAN_4},
            "q_fee": {"2024-01": MEAN_3, "2024-04": MEAN_3, "2024-07": MEAN_3},
        }
    )
    f.StageFactory(journey=journey, code="wait", name_en="Waiting")
    f.GapCategoryFactory(journey=journey, code="delays", name_en="Delays")
    worked = implemented_recommendation(
        journey,
        period="2024-01",
        implemented_on=dt.date(2024, 2, 15),
        actor=analyst,
        targets={"items": ["q_wait"]},
    )
    early = implemented_recommendation(
        journey,
        period="2024-01",
        implemented_on=dt.date(2024, 7, 20),
        actor=analyst,
        targets={"items": ["q_fee"]},
    )
    return {"journey": journey, "worked": worked, "early": early}


def _move(client, rec, to):
    return client.post(
        f"/gaps/{rec.gap_id}/recommendations/{rec.pk}/move/",
        {"to_status": to, "expected_status": rec.status, "version": rec.version},
    )


def test_the_page_shows_targets_date_verdict_and_measures(world, analyst):
    rec = world["worked"]
    html = _client(analyst).get(f"/gaps/{rec.gap_id}/").content.decode()
    assert "What it should move:" in html and "q_wait" in html
    assert "2024-02-15" in html
    assert 'data-verdict="improved"' in html and ">improved<" in html
    assert "2024-04, 2024-07 · n = 400 · 4.00" in html and "+1.00" in html
    arabic = _client(analyst, "ar").get(f"/gaps/{rec.gap_id}/").content.decode()
    assert "تحسّن" in arabic and "ما ينبغي أن تغيّره" in arabic


def test_too_early_shows_no_difference(world, analyst):
    rec = world["early"]
    html = _client(analyst).get(f"/gaps/{rec.gap_id}/").content.decode()
    assert ">too early to tell<" in html and "no period yet" in html


def test_targets_are_edited_on_the_page_and_shown_in_the_history(world, analyst):
    rec = world["worked"]
    client = _client(analyst)
    prefix = f"r{rec.pk}"
    response = client.post(
        f"/gaps/{rec.gap_id}/recommendations/{rec.pk}/edit/",
        {
            f"{prefix}-text_ar": rec.text_ar,
            f"{prefix}-owner": rec.owner_id,
            f"{prefix}-target_items": ["q_wait", "q_fee"],
            f"{prefix}-target_stage": "wait",
            f"{prefix}-target_category": "",
            f"{prefix}-version": rec.version,
        },
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.targets == {"items": ["q_fee", "q_wait"], "stage": "wait", "category": None}
    assert set(RecommendationEdit.objects.get().changes) == {"targets"}
    html = client.get(f"/gaps/{rec.gap_id}/").content.decode()
    assert "what it should move: <bdi" in html and "items: q_fee, q_wait · stage: wait" in html
    # A code the journey does not have is not a choice.
    refused = client.post(
        f"/gaps/{rec.gap_id}/recommendations/{rec.pk}/edit/",
        {
            f"{prefix}-text_ar": rec.text_ar,
            f"{prefix}-owner": rec.owner_id,
            f"{prefix}-target_items": ["elsewhere"],
            f"{prefix}-version": rec.version,
        },
    )
    assert refused.status_code == 400


def test_verifying_from_the_page_needs_the_result(world, analyst):
    client = _client(analyst)
    early, worked = world["early"], world["worked"]
    refused = _move(client, early, S.VERIFIED)
    assert refused.status_code == 400
    assert "verified only with its impact result" in refused.content.decode()
    assert Recommendation.objects.get(pk=early.pk).status == S.IMPLEMENTED
    assert _move(client, worked, S.VERIFIED).status_code == 302
    html = client.get(f"/gaps/{worked.gap_id}/").content.decode()
    assert "Verified with the result: improved" in html
