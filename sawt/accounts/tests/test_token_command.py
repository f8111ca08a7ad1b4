"""`sawt token create|list|revoke`: the token alone on standard output, refusals as one
translated line with nothing changed, the list without secrets, revocation felt by the API."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from sawt.accounts.models import ApiToken
from sawt.accounts.tokens import PREFIX, token_hash
from sawt.core.models import AuditEvent
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def _run(*args: str, lang: str = "en") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("token", *args, "--lang", lang, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def _api(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_create_prints_only_the_token_and_it_works_against_the_api():
    agency = f.AgencyFactory(code="momrah")
    mine = f.JourneyFactory(agency=agency)
    f.JourneyFactory()  # another agency's
    code, out, err = _run("create", "--name", "balady", "--agency", "momrah", "--scope", "read")
    assert code == 0
    raw = out.strip()
    assert out == raw + "\n" and raw.startswith(PREFIX) and "\n" not in raw
    assert "balady" in err and raw not in err
    stored = ApiToken.objects.get(name="balady")
    assert stored.token_hash == token_hash(raw) and stored.agency == agency
    assert raw not in stored.prefix + stored.token_hash and raw.startswith(stored.prefix)
    listed = _api(raw).get("/api/v1/journeys/").json()["results"]
    assert [j["slug"] for j in listed] == [mine.slug]
    # The operator's act, recorded as the system's.
    audit = AuditEvent.objects.get(action="token.create", object_id=str(stored.pk))
    assert audit.actor is None


def test_an_all_agency_write_token():
    code, out, _ = _run("create", "--name", "dashboard", "--all", "--scope", "write")
    assert code == 0
    stored = ApiToken.objects.get(name="dashboard")
    assert stored.all_agencies and stored.agency is None and stored.scope == "write"
    assert _api(out.strip()).get("/api/v1/journeys/").status_code == 200


@pytest.mark.parametrize(
    "args, says",
    [
        (["--agency", "momrah", "--all"], "Give either --agency CODE or --all"),
        ([], "Give either --agency CODE or --all"),
        (["--agency", "nope"], "No agency has the code “nope”. Agencies: momrah."),
    ],
)
def test_agency_or_all_exactly_one_and_known(args, says):
    f.AgencyFactory(code="momrah")
    code, out, err = _run("create", "--name", "x", *args, "--scope", "read")
    assert (code, out) == (1, "")
    assert says in err and len(err.strip().splitlines()) == 1
    assert not ApiToken.objects.exists()


def test_an_unknown_scope_is_refused():
    code, out, err = _run("create", "--name", "x", "--all", "--scope", "admin")
    assert (code, out) == (1, "")
    assert "“admin” is not a scope. Scopes: read, write." in err
    assert not ApiToken.objects.exists()


def test_a_duplicate_name_is_refused_and_the_first_token_kept():
    code, first, _ = _run("create", "--name", "balady", "--all", "--scope", "read")
    assert code == 0
    code, out, err = _run("create", "--name", "balady", "--all", "--scope", "write")
    assert (code, out) == (1, "")
    assert "A token named “balady” already exists." in err
    assert ApiToken.objects.get().token_hash == token_hash(first.strip())


def test_a_name_with_a_line_break_is_refused():
    code, _, err = _run("create", "--name", "a\nb", "--all", "--scope", "read")
    assert code == 1 and "line breaks" in err
    assert not ApiToken.objects.exists()


def test_refusals_in_arabic():
    code, _, err = _run(
        "create", "--name", "x", "--all", "--agency", "a", "--scope", "read", lang="ar"
    )
    assert code == 1 and "--all" in err
    assert any("\u0600" <= ch <= "\u06ff" for ch in err)


def test_list_shows_last_use_and_state_and_never_the_token():
    f.AgencyFactory(code="momrah")
    _, used, _ = _run("create", "--name", "balady", "--agency", "momrah", "--scope", "write")
    _run("create", "--name", "idle", "--all", "--scope", "read")
    _api(used.strip()).get("/api/v1/journeys/", REMOTE_ADDR="10.20.30.40")
    code, out, err = _run("list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["Name", "Prefix", "Agency", "Scope"]
    balady = next(line for line in lines if line.startswith("balady"))
    assert "momrah" in balady and "write" in balady and "10.20.30.40" in balady
    assert balady.rstrip().endswith("active")
    assert timezone.localtime().strftime("%Y-%m-%d") in balady
    idle = next(line for line in lines if line.startswith("idle"))
    assert " all " in idle and "—" in idle
    token = ApiToken.objects.get(name="balady")
    assert used.strip() not in out and token.token_hash not in out


def test_list_when_there_is_none():
    code, out, err = _run("list")
    assert (code, out) == (0, "") and "No API token" in err


def test_revoke_then_the_api_answers_401():
    _, raw, _ = _run("create", "--name", "balady", "--all", "--scope", "read")
    client = _api(raw.strip())
    assert client.get("/api/v1/journeys/").status_code == 200
    code, out, _ = _run("revoke", "balady")
    assert code == 0 and "Revoked the token “balady”" in out
    assert client.get("/api/v1/journeys/").status_code == 401
    _, listed, _ = _run("list")
    assert "revoked" in next(line for line in listed.splitlines() if line.startswith("balady"))
    # Twice is not an error, and says nothing changed.
    code, out, _ = _run("revoke", "balady")
    assert code == 0 and "already revoked" in out
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1


def test_revoking_an_unknown_token_is_refused():
    code, out, err = _run("revoke", "nobody")
    assert (code, out) == (1, "") and "No token is named “nobody”." in err
