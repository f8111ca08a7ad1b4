"""The API tokens pages: administrators only, the new token shown once and never again, and
revocation after a confirmation, by POST with CSRF."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from sawt.accounts.models import ApiToken
from sawt.accounts.tokens import PREFIX, token_authenticate, token_create
from sawt.core.access import Role
from sawt.core.models import AuditEvent
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
SECRET = re.compile(re.escape(PREFIX) + r"[A-Za-z0-9_-]{40,}")


@pytest.fixture
def admin(client):
    user = f.user_with_role(Role.ADMINISTRATOR)
    client.force_login(user)
    client.user = user
    # The language switch's cookie: the tests read the English texts.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _create(client, **fields):
    data = {"name": "balady", "agency": "*", "scope": "read", **fields}
    return client.post("/tokens/new/", data)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AGENCY_MEMBER, Role.VIEWER])
def test_only_administrators(client, role):
    agency = f.AgencyFactory() if role == Role.AGENCY_MEMBER else None
    client.force_login(f.user_with_role(role, agency=agency))
    token, _ = token_create(name="t", scope="read", all_agencies=True, actor=None)
    assert client.get("/tokens/").status_code == 403
    assert client.get("/tokens/new/").status_code == 403
    assert _create(client, name="mine").status_code == 403
    assert client.post(f"/tokens/{token.pk}/revoke/").status_code == 403
    assert list(ApiToken.objects.values_list("name", "revoked_at")) == [("t", None)]
    assert 'href="/tokens/"' not in client.get("/").content.decode()


def test_signed_out_people_are_sent_to_sign_in():
    response = Client().get("/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_new_token_is_shown_once_and_works(admin):
    agency = f.AgencyFactory(code="momrah")
    journey = f.JourneyFactory(agency=agency)
    f.JourneyFactory()
    page = admin.get("/tokens/new/")
    assert page.status_code == 200 and "momrah" in page.content.decode()
    response = _create(admin, agency="momrah", scope="write")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    raw = SECRET.findall(html)
    assert len(raw) == 1 and "shown this once" in html
    stored = ApiToken.objects.get(name="balady")
    assert stored.agency == agency and stored.scope == "write" and stored.created_by == admin.user
    client = token_authenticate(raw[0])
    assert client is not None and client.name == "balady"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw[0]}")
    assert [j["slug"] for j in api.get("/api/v1/journeys/").json()["results"]] == [journey.slug]
    # Never again: not in the list, nor anywhere the person can go back to.
    listing = admin.get("/tokens/").content.decode()
    assert raw[0] not in listing and stored.token_hash not in listing
    assert stored.prefix in listing and "balady" in listing
    assert raw[0] not in str(dict(admin.session))
    audit = AuditEvent.objects.get(action="token.create")
    assert audit.actor == admin.user


def test_the_list_shows_last_use_and_state(admin):
    token, raw = token_create(name="balady", scope="read", all_agencies=True, actor=None)
    token_create(name="idle", scope="write", all_agencies=True, actor=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api.get("/api/v1/journeys/", REMOTE_ADDR="10.9.8.7")
    html = admin.get("/tokens/").content.decode()
    assert "10.9.8.7" in html and "never" in html and "active" in html
    assert 'href="/tokens/"' in html  # in the menu
    assert f'href="/tokens/{token.pk}/revoke/"' in html


@pytest.mark.parametrize(
    "fields, says",
    [
        ({"name": ""}, "This field is required."),
        ({"agency": ""}, "This field is required."),
        ({"agency": "nope"}, "Select a valid choice."),
        ({"scope": "admin"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_nothing_made(admin, fields, says):
    f.AgencyFactory(code="momrah")
    response = _create(admin, **fields)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not SECRET.search(response.content.decode())
    assert not ApiToken.objects.exists()


def test_a_duplicate_name_is_refused(admin):
    token_create(name="balady", scope="read", all_agencies=True, actor=None)
    response = _create(admin)
    assert response.status_code == 400
    assert "A token named “balady” already exists." in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_revoking_asks_first_then_the_api_refuses_it(admin):
    token, raw = token_create(name="balady", scope="read", all_agencies=True, actor=None)
    confirm = admin.get(f"/tokens/{token.pk}/revoke/")
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # asking changed nothing
    response = admin.post(f"/tokens/{token.pk}/revoke/")
    assert response.status_code == 303 and response["Location"] == "/tokens/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/journeys/").status_code == 401
    listing = admin.get("/tokens/").content.decode()
    assert "revoked" in listing and f"/tokens/{token.pk}/revoke/" not in listing
    assert AuditEvent.objects.get(action="token.revoke").actor == admin.user


def test_revoking_needs_the_csrf_token(admin):
    token, _ = token_create(name="balady", scope="read", all_agencies=True, actor=None)
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(admin.user)
    assert checked.post(f"/tokens/{token.pk}/revoke/").status_code == 403
    assert (
        checked.post("/tokens/new/", {"name": "x", "agency": "*", "scope": "read"}).status_code
        == 403
    )
    token.refresh_from_db()
    assert token.revoked_at is None and ApiToken.objects.count() == 1


def test_an_unknown_token_is_a_404(admin):
    assert admin.get("/tokens/999999/revoke/").status_code == 404


def test_the_pages_are_arabic_first(admin):
    del admin.cookies[settings.LANGUAGE_COOKIE_NAME]
    token_create(name="balady", scope="read", all_agencies=True, actor=None)
    for url in ("/tokens/", "/tokens/new/"):
        html = admin.get(url).content.decode()
        assert 'dir="rtl"' in html, url
    assert "جميع الرموز، بما فيها الملغاة" in admin.get("/tokens/").content.decode()
    assert "يُعرض الرمز مرة واحدة" in admin.get("/tokens/new/").content.decode()
