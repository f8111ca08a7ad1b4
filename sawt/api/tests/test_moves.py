"""POST /api/v1/recommendations/<id>/moves/: the gap page's service, rules, roles and conflicts,
for a token: its agency's recommendations only, progress moves only, the audit naming it."""

from __future__ import annotations

import pytest

from sawt.core.models import AuditEvent
from sawt.gaps.choices import RecommendationStatus as S
from sawt.gaps.models import Recommendation, RecommendationEvent
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def _url(rec: Recommendation) -> str:
    return f"/api/v1/recommendations/{rec.pk}/moves/"


def _at(status: str, **fields) -> Recommendation:
    return f.RecommendationFactory(status=status, **fields)


def _move(client, rec, to=S.IN_PROGRESS, expected=None, version=None, **extra):
    payload = {
        "to_status": to,
        "expected_status": expected or rec.status,
        "expected_version": version or rec.version,
        **extra,
    }
    return client.post(_url(rec), payload, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_a_write_token_reports_progress(token):
    rec = _at(S.APPROVED)
    client = token("write", agency=rec.owner)
    response = _move(client, rec, note="  Contract signed.  ")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] == rec.pk and body["status"] == S.IN_PROGRESS and body["version"] == 2
    assert (
        body["event"]["from_status"] == S.APPROVED and body["event"]["to_status"] == S.IN_PROGRESS
    )
    assert body["event"]["note"] == "Contract signed."
    assert body["event"]["by"] == f"token:{client.token.name}"
    rec.refresh_from_db()
    assert (rec.status, rec.version) == (S.IN_PROGRESS, 2)
    event = RecommendationEvent.objects.get(recommendation=rec)
    assert event.note == "Contract signed." and event.actor is None
    audit = AuditEvent.objects.get(action="recommendation.transition", object_id=str(rec.pk))
    assert audit.actor is None and audit.actor_label == f"token:{client.token.name}"
    # And on: the version it was given back is the one to send next.
    again = _move(client, rec, to=S.IMPLEMENTED, expected=S.IN_PROGRESS, version=2)
    assert again.status_code == 201 and again.json()["version"] == 3


def test_a_stale_version_is_a_409_and_nothing_changes(token):
    rec = _at(S.APPROVED, version=4)
    client = token("write", agency=rec.owner)
    response = _move(client, rec, version=3)
    assert response.status_code == 409
    assert set(response.json()) == {"message", "errors"}
    rec.refresh_from_db()
    assert (rec.status, rec.version) == (S.APPROVED, 4)
    assert not RecommendationEvent.objects.exists()


def test_a_stale_status_is_a_409(token):
    rec = _at(S.IN_PROGRESS)
    client = token("write", agency=rec.owner)
    response = _move(client, rec, to=S.IN_PROGRESS, expected=S.APPROVED)
    assert response.status_code == 409
    assert "someone else changed it" in response.json()["message"]


def test_a_move_the_pipeline_forbids_is_a_400_with_the_allowed_ones(token):
    rec = _at(S.APPROVED)
    client = token("write")
    response = _move(client, rec, to=S.VERIFIED)
    assert response.status_code == 400
    body = response.json()
    assert "may move to: in progress, rejected" in body["message"]
    assert body["errors"][0]["field"] == "to_status"
    assert Recommendation.objects.get(pk=rec.pk).status == S.APPROVED


def test_a_move_for_the_ministrys_people_is_a_403_even_for_all_agencies(token):
    rec = _at(S.PROPOSED)
    for client in (token("write"), token("write", agency=rec.owner)):
        response = _move(client, rec, to=S.APPROVED)
        assert response.status_code == 403, response.json()
    assert Recommendation.objects.get(pk=rec.pk).status == S.PROPOSED


def test_a_read_token_may_not_move(token):
    rec = _at(S.APPROVED)
    response = _move(token("read", agency=rec.owner), rec)
    assert response.status_code == 403
    assert "write scope" in response.json()["message"]
    assert Recommendation.objects.get(pk=rec.pk).status == S.APPROVED


def test_another_agencys_recommendation_is_a_404(token):
    rec = _at(S.APPROVED)
    client = token("write", agency=f.AgencyFactory())
    assert _move(client, rec).status_code == 404
    assert (
        client.post("/api/v1/recommendations/999999/moves/", {}, format="json").status_code == 404
    )
    assert Recommendation.objects.get(pk=rec.pk).status == S.APPROVED


def test_a_scoped_writer_moves_only_what_its_agency_owns(token):
    """On its own journey's gap it sees another agency's recommendation, but may not move it;
    it may move its own on another agency's journey."""
    mine, theirs = f.AgencyFactory(), f.AgencyFactory()
    on_my_journey = f.GapFactory(journey=f.JourneyFactory(agency=mine))
    assigned_to_them = _at(S.APPROVED, gap=on_my_journey, owner=theirs)
    assigned_to_me = _at(
        S.APPROVED, gap=f.GapFactory(journey=f.JourneyFactory(agency=theirs)), owner=mine
    )
    client = token("write", agency=mine)
    assert _move(client, assigned_to_them).status_code == 403
    assert Recommendation.objects.get(pk=assigned_to_them.pk).status == S.APPROVED
    assert _move(client, assigned_to_me).status_code == 201


def test_an_all_agency_writer_moves_any_agencys(token):
    client = token("write")
    for rec in (_at(S.APPROVED), _at(S.APPROVED)):
        assert _move(client, rec).status_code == 201


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "to_status"),
        ({"to_status": "done", "expected_status": "approved", "expected_version": 1}, "to_status"),
        ({"to_status": "in_progress", "expected_status": "approved"}, "expected_version"),
        (
            {"to_status": "in_progress", "expected_status": "approved", "expected_version": 0},
            "expected_version",
        ),
        (
            {"to_status": "in_progress", "expected_status": "approved", "expected_version": 2**40},
            "expected_version",
        ),
        (
            {
                "to_status": "in_progress",
                "expected_status": "approved",
                "expected_version": 1,
                "note": "x" * 2001,
            },
            "note",
        ),
        (
            {
                "to_status": "in_progress",
                "expected_status": "approved",
                "expected_version": 1,
                "note": "a\x00b",
            },
            "note",
        ),
        (
            {"to_status": ["in_progress"], "expected_status": None, "expected_version": "one"},
            "to_status",
        ),
    ],
)
def test_bad_bodies_are_400_with_the_field(token, payload, field):
    rec = _at(S.APPROVED)
    response = token("write").post(_url(rec), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert Recommendation.objects.get(pk=rec.pk).status == S.APPROVED


def test_a_body_that_is_not_an_object_is_a_400(token):
    rec = _at(S.APPROVED)
    for raw in ("[1, 2]", '"x"', "{", "null", '{"note": "\\ud800"}', "\xff"):
        response = token("write").post(_url(rec), raw, content_type="application/json")
        assert response.status_code == 400, (raw, response.content)


def test_an_enormous_id_is_a_404(token):
    response = token("write").post(
        "/api/v1/recommendations/99999999999999999999999/moves/", {}, format="json"
    )
    assert response.status_code == 404


def test_the_schema_documents_the_move(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/recommendations/{id}/moves/"]["post"]
    assert set(operation["responses"]) >= {"201", "400", "403", "404", "409"}
    body = schema["components"]["schemas"]["MoveRequestRequest"]
    assert set(body["required"]) == {"to_status", "expected_status", "expected_version"}


def test_a_lone_surrogate_in_the_note_is_a_400_on_the_note(token):
    rec = _at(S.APPROVED)
    raw = (
        '{"to_status": "in_progress", "expected_status": "approved", "expected_version": 1, '
        '"note": "\\ud800"}'
    )
    response = token("write").post(_url(rec), raw, content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["note"]
