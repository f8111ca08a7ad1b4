"""Bodies no endpoint could store are refused at the parser with a 400 naming where, on every
POST: too deep to decode, a NUL (PostgreSQL keeps none) or a lone surrogate (not UTF-8)."""

from __future__ import annotations

import pytest

from sawt.api.parsers import unstorable_paths
from sawt.testing.factories import RecommendationFactory

pytestmark = pytest.mark.django_db
POSTS = ["/api/v1/transactions/", "/api/v1/complaints/", "/api/v1/recommendations/{rec}/moves/"]


@pytest.fixture
def post(token):
    """POST a raw body with a write token to an endpoint that exists (a real recommendation)."""
    client = token("write")
    rec = RecommendationFactory().pk

    def send(url, body, **extra):
        url = url.format(rec=rec)
        return client.post(url, data=body, content_type="application/json", **extra)

    return send


@pytest.mark.parametrize("url", POSTS)
def test_a_body_nested_too_deep_is_a_400(post, url):
    response = post(url, b"[" * 100_000)
    assert response.status_code == 400
    assert set(response.json()) == {"message", "errors"}


@pytest.mark.parametrize("url", POSTS)
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"journey": "\\u0000"}', "journey"),
        (b'[{"journey": "a"}, {"attributes": {"x": "\\ud800"}}]', "1.attributes.x"),
        (b'[{"journey": "a", "\\u0000key": 1}]', "0"),
    ],
)
def test_unstorable_text_is_a_400_naming_the_field(post, url, body, field):
    response = post(url, body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert "NUL" in errors[0]["message"]


def test_malformed_json_is_a_400_in_the_requested_language(post):
    arabic = post("/api/v1/transactions/", b"{")
    assert arabic.status_code == 400
    assert any("\u0600" <= c <= "\u06ff" for c in arabic.json()["message"])


def test_paths_are_in_document_order_and_bounded():
    data = {"a": ["ok", "\x00", {"b": "\ud800"}], "c": "\x00"}
    assert unstorable_paths(data) == ["a.1", "a.2.b", "c"]
    assert len(unstorable_paths(["\x00"] * 1000)) == 20
    assert unstorable_paths("\x00") == [""]
