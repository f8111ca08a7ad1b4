"""An all-numeric password (a phone or national ID number, a date) is refused wherever an
account gets a password: the command line and the admin."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from sawt.core.access import Role
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
NUMERIC = "4829173650281937"  # long and uncommon: only the numeric rule refuses it


class Piped(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "This password is entirely numeric."), ("ar", "كلمة المرور هذه تتكون من أرقام فقط.")],
)
def test_createuser_refuses_an_all_numeric_password(lang, message):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "createuser",
            "--username",
            "mona",
            "--role",
            Role.ANALYST,
            "--password-stdin",
            "--lang",
            lang,
            stdin=Piped(NUMERIC + "\n"),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert exit_.value.code == 1
    assert message in err.getvalue()
    assert not get_user_model().objects.filter(username="mona").exists()


def test_the_admin_refuses_an_all_numeric_password():
    client = Client()
    client.force_login(f.user_with_role(Role.ADMINISTRATOR, username="boss"))
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "mona",
            "usable_password": "true",
            "password1": NUMERIC,
            "password2": NUMERIC,
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-role": Role.ANALYST,
        },
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "كلمة المرور هذه تتكون من أرقام فقط." in response.content.decode()
    assert not get_user_model().objects.filter(username="mona").exists()


def test_the_admin_still_creates_an_account_with_a_good_password():
    client = Client()
    client.force_login(f.user_with_role(Role.ADMINISTRATOR, username="boss"))
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "mona",
            "usable_password": "true",
            "password1": "qawaem-stmt-2022",
            "password2": "qawaem-stmt-2022",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-role": Role.ANALYST,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert get_user_model().objects.get(username="mona").membership.role == Role.ANALYST
