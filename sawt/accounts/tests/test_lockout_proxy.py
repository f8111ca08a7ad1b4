"""Lockout behind a reverse proxy: per client address, never per the proxy's address, and never
from a header a client made up."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from sawt.core.access import Role
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PASSWORD = "x-secret-123"  # the factories' password
PROXY = "10.0.0.2"  # every request reaches sawt from the proxy's address


@pytest.fixture
def mona():
    return f.user_with_role(Role.ANALYST, username="mona")


def _try(password: str, forwarded: str | None, remote: str = PROXY) -> int:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(LOGIN, {"username": "mona", "password": password}, **headers).status_code


@override_settings(SAWT_BEHIND_PROXY=True, SAWT_PROXY_COUNT=1)
def test_behind_the_proxy_a_guesser_does_not_lock_out_the_others(mona):
    for _ in range(5):
        _try("wrong-guess", forwarded="203.0.113.9")
    assert _try(PASSWORD, forwarded="203.0.113.9") == 429  # the guesser is paused
    assert _try(PASSWORD, forwarded="198.51.100.7") == 302  # mona, from her own office, is not


@override_settings(SAWT_BEHIND_PROXY=True, SAWT_PROXY_COUNT=1)
def test_behind_the_proxy_a_client_cannot_escape_by_prepending_addresses(mona):
    # The proxy appends the address it saw; what the client wrote before it is not trusted.
    for n in range(5):
        _try("wrong-guess", forwarded=f"192.0.2.{n}, 203.0.113.9")
    assert _try(PASSWORD, forwarded="192.0.2.99, 203.0.113.9") == 429


@override_settings(SAWT_BEHIND_PROXY=True, SAWT_PROXY_COUNT=2)
def test_two_proxies_count_the_second_entry_from_the_right(mona):
    for _ in range(5):
        _try("wrong-guess", forwarded="203.0.113.9, 10.0.0.1")
    assert _try(PASSWORD, forwarded="203.0.113.9, 10.0.0.1") == 429
    assert _try(PASSWORD, forwarded="198.51.100.7, 10.0.0.1") == 302


@override_settings(SAWT_BEHIND_PROXY=False)
def test_without_a_proxy_a_made_up_header_is_ignored(mona):
    # A guesser that changes X-Forwarded-For on every try is still one address.
    for n in range(5):
        _try("wrong-guess", forwarded=f"192.0.2.{n}", remote="203.0.113.9")
    assert _try(PASSWORD, forwarded="192.0.2.200", remote="203.0.113.9") == 429
    assert _try(PASSWORD, forwarded=None, remote="198.51.100.7") == 302
