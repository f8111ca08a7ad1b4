"""A write that waited in vain for the database (an import holding SQLite's write lock) is a
503 page carrying what the person typed, ready to send again: never a 500, nothing lost.

The lock is simulated here by the error SQLite raises once the busy timeout has passed; the
real race (an import of 100,000 rows and twenty comment saves) is in
sawt/imports/tests/test_concurrent_writers.py."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from sawt.gaps import services
from sawt.gaps.models import GapComment
from sawt.testing.factories import GapFactory, user_with_role

pytestmark = pytest.mark.django_db
TEXT = "التأخير سببه نقص في المراجعين، لا في النظام"


def locked(*args, **kwargs):
    raise OperationalError("database is locked")


@pytest.fixture
def analyst_client():
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user_with_role("analyst"))
    client.cookies["django_language"] = "en"
    return client


def post_comment(client: Client, gap_id: int) -> tuple[int, str, dict]:
    page = client.get(f"/gaps/{gap_id}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/gaps/{gap_id}/comments/", {"text": TEXT, "csrfmiddlewaretoken": token}
    )
    return response.status_code, response.content.decode(), response.headers


def test_a_comment_save_that_finds_the_database_busy_keeps_the_text(analyst_client, monkeypatch):
    gap = GapFactory()
    monkeypatch.setattr(services.GapComment.objects, "create", locked)
    status, page, headers = post_comment(analyst_client, gap.pk)
    assert (status, headers["Retry-After"]) == (503, "30")
    assert "The database is busy with an import" in page
    # The text comes back in the form that sends it again, with a fresh CSRF token.
    assert f'<textarea name="text" dir="auto" rows="4" cols="60">{TEXT}</textarea>' in page
    assert f'action="/gaps/{gap.pk}/comments/"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert GapComment.objects.count() == 0


def test_sending_it_again_once_the_import_is_done_saves_it(analyst_client, monkeypatch):
    gap = GapFactory()
    with monkeypatch.context() as patched:
        patched.setattr(services.GapComment.objects, "create", locked)
        _, page, _ = post_comment(analyst_client, gap.pk)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    text = re.search(r'<textarea name="text"[^>]*>([^<]*)</textarea>', page).group(1)
    response = analyst_client.post(
        f"/gaps/{gap.pk}/comments/", {"text": text, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert list(GapComment.objects.values_list("text", flat=True)) == [TEXT]


def test_a_session_saved_after_the_view_while_busy_is_a_503_not_a_500(monkeypatch):
    user = user_with_role("analyst", username="mona")
    user.set_password("a long enough passphrase")
    user.save()
    saved = SessionStore.save

    def save_on_the_way_out(self, must_create=False):
        # The login view creates the session; SessionMiddleware saves it after the view.
        if must_create:
            return saved(self, must_create=True)
        locked()

    monkeypatch.setattr(SessionStore, "save", save_on_the_way_out)
    client = Client(raise_request_exception=False)
    response = client.post(
        "/accounts/login/", {"username": "mona", "password": "a long enough passphrase"}
    )
    assert response.status_code == 503
    page = response.content.decode()
    # The username comes back; the password is never written into a page.
    assert 'name="username" value="mona"' in page
    assert "a long enough passphrase" not in page


def test_other_database_errors_stay_errors(analyst_client, monkeypatch):
    gap = GapFactory()

    def broken(*args, **kwargs):
        raise OperationalError("no such table: gaps_gapcomment")

    monkeypatch.setattr(services.GapComment.objects, "create", broken)
    assert post_comment(analyst_client, gap.pk)[0] == 500
