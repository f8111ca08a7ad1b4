"""Failed-login lockout (django-axes): 5 failures of one username from one address."""

from __future__ import annotations

import pytest
from django.conf import settings

from sawt.core.access import Role
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PASSWORD = "x-secret-123"  # the factories' password


@pytest.fixture
def mona():
    return f.user_with_role(Role.ANALYST, username="mona")


def _try(client, username: str, password: str, ip: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _fail_five_times(client, username: str) -> None:
    for _ in range(5):
        assert _try(client, username, "wrong-guess").status_code in (200, 429)


def test_the_right_password_logs_in(client, mona):
    response = _try(client, "mona", PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_five_failures_lock_out_even_the_right_password(client, mona):
    _fail_five_times(client, "mona")
    response = _try(client, "mona", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert 'lang="ar"' in html and "أُوقف تسجيل الدخول" in html and "15" in html


def test_the_lockout_page_follows_the_language_switch(client, mona):
    _fail_five_times(client, "mona")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _try(client, "mona", PASSWORD).content.decode()
    assert "paused for 15 minutes" in html and 'dir="ltr"' in html


def test_a_colleague_on_the_same_computer_is_not_locked_out(client, mona):
    f.user_with_role(Role.VIEWER, username="omar")
    _fail_five_times(client, "mona")
    response = _try(client, "omar", PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_same_user_from_another_address_is_not_locked_out(client, mona):
    # Lockout is per username and address, so a guesser elsewhere cannot lock a user out.
    _fail_five_times(client, "mona")
    assert _try(client, "mona", PASSWORD, ip="10.1.2.3").status_code == 302


def test_four_failures_then_success_resets_the_count(client, mona):
    for _ in range(4):
        _try(client, "mona", "wrong-guess")
    assert _try(client, "mona", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _try(client, "mona", "wrong-guess")
    assert _try(client, "mona", PASSWORD).status_code == 302
