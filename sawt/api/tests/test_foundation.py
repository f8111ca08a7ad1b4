"""What every endpoint shares: the bearer token, its scope and agency, the error shape, the
language of messages, the rate limit, and the schema."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from sawt.accounts.models import ApiToken
from sawt.accounts.tokens import token_create, token_revoke
from sawt.core.models import AuditEvent
from sawt.testing.factories import AgencyFactory, JourneyFactory, StageFactory

pytestmark = pytest.mark.django_db


def _errors(response) -> list[dict]:
    body = response.json()
    assert set(body) == {"message", "errors"}, body
    return body["errors"]


def test_no_token_is_401_with_a_bearer_challenge():
    response = APIClient().get("/api/v1/journeys/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _errors(response)[0]["field"] is None


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer sawt_nope", "Bearer a b", "Bearer sawt_" + "x" * 500, "Bearer \u0628"],
)
def test_malformed_or_unknown_tokens_are_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/journeys/").status_code == 401


def test_a_revoked_token_is_refused_from_the_next_request(token):
    client = token("read")
    assert client.get("/api/v1/journeys/").status_code == 200
    token_revoke(name=client.token.name, actor=None)
    assert client.get("/api/v1/journeys/").status_code == 401


def test_the_token_is_stored_hashed_and_its_use_recorded(token):
    client = token("read")
    stored = ApiToken.objects.get(pk=client.token.pk)
    assert client.raw_token not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert len(client.raw_token) >= len("sawt_") + 43  # 256 random bits
    assert stored.last_used_at is None
    client.get("/api/v1/journeys/", REMOTE_ADDR="10.1.2.3")
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    assert stored.last_used_from == "10.1.2.3"
    assert AuditEvent.objects.filter(action="token.create", object_id=str(stored.pk)).exists()


def test_a_token_of_one_agency_sees_only_that_agencys_journeys(token):
    mine, theirs = AgencyFactory(), AgencyFactory()
    own = JourneyFactory(agency=mine)
    StageFactory(journey=own, code="apply", position=1)
    other = JourneyFactory(agency=theirs)
    client = token("read", agency=mine)
    listed = client.get("/api/v1/journeys/").json()
    assert [j["slug"] for j in listed["results"]] == [own.slug]
    assert listed["results"][0]["stages"][0]["code"] == "apply"
    assert client.get(f"/api/v1/journeys/{own.slug}/").status_code == 200
    assert client.get(f"/api/v1/journeys/{other.slug}/").status_code == 404
    everyone = token("read")
    assert {j["slug"] for j in everyone.get("/api/v1/journeys/").json()["results"]} == {
        own.slug,
        other.slug,
    }


def test_messages_follow_accept_language_arabic_by_default():
    arabic = APIClient().get("/api/v1/journeys/")
    english = APIClient().get("/api/v1/journeys/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert english.json()["message"].isascii()
    assert any("\u0600" <= c <= "\u06ff" for c in arabic.json()["message"])
    assert english["Content-Language"] == "en" and arabic["Content-Language"] == "ar"


def test_an_unknown_address_under_the_api_is_a_json_404(token):
    response = token("read").get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert _errors(response)


@override_settings(SAWT_API_RATE_LIMIT=(3, 60))
def test_each_token_has_its_own_rate_limit(token):
    first, second = token("read"), token("read")
    codes = [first.get("/api/v1/journeys/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = first.get("/api/v1/journeys/")
    assert int(limited["Retry-After"]) >= 1
    assert _errors(limited)
    assert second.get("/api/v1/journeys/").status_code == 200


def test_a_body_over_the_limit_is_a_json_413(token):
    client = token("write")
    response = client.post(
        "/api/v1/journeys/",
        data=b"[" + b"1," * 2_000_000 + b"1]",
        content_type="application/json",
    )
    assert response.status_code == 413
    assert _errors(response)


def test_the_schema_is_openapi_3_and_documents_the_bearer_token():
    response = APIClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    journeys = schema["paths"]["/api/v1/journeys/"]["get"]
    assert {"401", "404", "429"} <= set(journeys["responses"])


def test_the_docs_page_loads_nothing_from_elsewhere():
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert "cdn" not in html.lower() and "https://" not in html
    # Swagger UI needs inline styles and data: icons; scripts stay our own files only.
    policy = response["Content-Security-Policy"]
    assert "script-src" not in policy and "default-src 'self'" in policy
    assert "style-src 'self' 'unsafe-inline'" in policy


def test_a_token_cannot_be_made_for_both_one_agency_and_all():
    agency = AgencyFactory()
    from sawt.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        token_create(name="x", scope="read", agency_code=agency.code, all_agencies=True, actor=None)
    with pytest.raises(ApplicationError):
        token_create(name="x", scope="admin", all_agencies=True, actor=None)
    assert not ApiToken.objects.exists()
