"""`sawt createuser`: password never on the command line; a refusal is one clear message."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from sawt.core.access import Role
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD = "qawaem-stmt-2022"


class Piped(io.StringIO):
    """Standard input that is not a terminal, as under a script or CI."""

    def isatty(self) -> bool:
        return False


def _run(*args: str, password: str | None = GOOD, lang: str = "en") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    flags = ["--password-stdin"] if password is not None else []
    stdin = Piped(f"{password}\n" if password is not None else "")
    try:
        call_command(
            "createuser", *args, *flags, "--lang", lang, stdin=stdin, stdout=out, stderr=err
        )
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_an_analyst_is_created_from_stdin():
    code, out, err = _run("--username", "mona", "--role", "analyst", "--email", "m@example.org")
    assert (code, err) == (0, "")
    assert "Created the account “mona” with the role “CX analyst”." in out
    user = User.objects.get(username="mona")
    assert user.check_password(GOOD) and user.email == "m@example.org"
    assert user.membership.role == Role.ANALYST


def test_an_agency_member_is_created_with_its_agency():
    agency = f.AgencyFactory(code="city-operators")
    code, _, _ = _run("--username", "saad", "--role", "agency_member", "--agency", agency.code)
    assert code == 0
    assert User.objects.get(username="saad").membership.agency == agency


def test_the_password_may_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SAWT_NEW_PASSWORD", GOOD)
    code, _, _ = _run("--username", "mona", "--role", "viewer", password=None)
    assert code == 0 and User.objects.get(username="mona").check_password(GOOD)


def test_an_unknown_role_is_refused_before_any_password_is_read():
    code, out, err = _run("--username", "mona", "--role", "boss", password=None)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "The account was not created.",
        "“boss” is not a role. Roles: administrator, analyst, agency_member, viewer.",
    ]
    assert not User.objects.exists()


def test_an_agency_member_needs_an_agency():
    code, _, err = _run("--username", "saad", "--role", "agency_member")
    assert code == 1 and "An agency member needs an agency" in err
    assert not User.objects.exists()


def test_a_weak_password_is_refused():
    code, _, err = _run("--username", "mona", "--role", "analyst", password="mona")
    assert code == 1
    assert "This password is too short" in err
    assert not User.objects.exists()


def test_no_password_without_a_terminal_is_refused(monkeypatch):
    monkeypatch.delenv("SAWT_NEW_PASSWORD", raising=False)
    code, _, err = _run("--username", "mona", "--role", "analyst", password=None)
    assert code == 1 and "No password was given." in err
    assert not User.objects.exists()


def test_messages_are_arabic_by_default():
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            *("createuser", "--username", "x", "--role", "boss", "--password-stdin"),
            stdin=Piped(GOOD),
            stdout=out,
            stderr=err,
        )
    assert "لم يُنشأ الحساب." in err.getvalue() and "ليس دورًا" in err.getvalue()


def test_the_sawt_cli_lists_the_command(capsys):
    from sawt.cli import main

    main(["--help"])
    assert "createuser" in capsys.readouterr().out
