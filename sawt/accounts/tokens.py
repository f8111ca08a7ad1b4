"""API tokens: made, listed, revoked, and turned back into the client that presents one.

A token is 32 random bytes (256 bits) in URL-safe base64 after the prefix `sawt_`; only its
SHA-256 is stored, so it is shown once, when made. A client presenting it becomes an
`ApiClient`, which the access policy (sawt/core/access.py) treats like a person: the same
`scoped` querysets and the same `authorize` checks in every service, with the role
`api_reader` or `api_writer` and the token's agency (or all of them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sawt.accounts.models import ApiToken, ApiTokenScope
from sawt.catalog.models import Agency
from sawt.core.access import API_READER, API_WRITER, authorize
from sawt.core.audit import audit_record
from sawt.core.exceptions import ApplicationError

PREFIX = "sawt_"
# Recording every use would write on each request; once a minute is enough to see it in use.
LAST_USED_EVERY = dt.timedelta(seconds=60)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class ClientMembership:
    """What the access policy reads of a person's membership, for a token."""

    role: str
    agency_id: int | None
    all_agencies: bool


@dataclass(frozen=True)
class ApiClient:
    """The system behind a valid token, as the access policy and the audit trail see it."""

    token_id: int
    name: str
    scope: str
    membership: ClientMembership
    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = False
    is_staff: bool = False
    is_anonymous: bool = False

    @property
    def can_write(self) -> bool:
        return self.scope == ApiTokenScope.WRITE

    def get_username(self) -> str:
        # The audit trail names a token's acts by the token, never by a person.
        return f"token:{self.name}"

    def __str__(self) -> str:
        return self.get_username()


def client_for(token: ApiToken) -> ApiClient:
    role = API_WRITER if token.scope == ApiTokenScope.WRITE else API_READER
    return ApiClient(
        token_id=token.pk,
        name=token.name,
        scope=token.scope,
        membership=ClientMembership(
            role=role, agency_id=token.agency_id, all_agencies=token.all_agencies
        ),
    )


def token_authenticate(raw: str, *, address: str | None = None) -> ApiClient | None:
    """The client a presented token stands for, or None (unknown, malformed or revoked)."""
    raw = raw.strip()
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.filter(token_hash=token_hash(raw), revoked_at__isnull=True)
        .only("pk", "name", "scope", "agency_id", "all_agencies", "last_used_at")
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        # An update without the model's save: a read-only request writes one row, no more.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=address)
    return client_for(token)


def _problems(name: str, agency_code: str | None, all_agencies: bool, scope: str) -> list[str]:
    problems = []
    if not name or len(name) > 100:
        problems.append(_("A token needs a name of 1 to 100 characters."))
    elif not name.isprintable():
        # A name is printed in lists and typed to revoke: no line breaks or control characters.
        problems.append(_("A token's name may not hold line breaks or control characters."))
    elif ApiToken.objects.filter(name=name).exists():
        problems.append(_("A token named “%(name)s” already exists.") % {"name": name})
    if scope not in ApiTokenScope.values:
        problems.append(
            _("“%(scope)s” is not a scope. Scopes: %(known)s.")
            % {"scope": scope, "known": ", ".join(ApiTokenScope.values)}
        )
    if bool(agency_code) == bool(all_agencies):
        problems.append(_("Give either one agency's code or “all agencies”, not both or neither."))
    elif agency_code and not Agency.objects.filter(code=agency_code).exists():
        known = ", ".join(Agency.objects.values_list("code", flat=True)) or "—"
        problems.append(
            _("No agency has the code “%(code)s”. Agencies: %(known)s.")
            % {"code": agency_code, "known": known}
        )
    return problems


def token_create(
    *,
    name: str,
    scope: str,
    agency_code: str | None = None,
    all_agencies: bool = False,
    actor: Any,
) -> tuple[ApiToken, str]:
    """Make a token; returns it and the secret, which is never shown again."""
    authorize(actor, "token.create")
    name = name.strip()
    problems = _problems(name, (agency_code or "").strip() or None, all_agencies, scope)
    if problems:
        raise ApplicationError(" ".join(problems))
    raw = PREFIX + secrets.token_urlsafe(32)
    agency = Agency.objects.get(code=agency_code.strip()) if agency_code else None
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                name=name,
                token_hash=token_hash(raw),
                prefix=raw[: len(PREFIX) + 4],
                agency=agency,
                all_agencies=all_agencies,
                scope=scope,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            audit_record(
                actor=actor,
                action="token.create",
                obj=token,
                data={"scope": scope, "agency": agency.code if agency else "*"},
            )
    except IntegrityError:
        # Two makers racing for one name: the second is told, as if it had been checked.
        raise ApplicationError(
            _("A token named “%(name)s” already exists.") % {"name": name}
        ) from None
    return token, raw


def token_revoke(*, name: str, actor: Any) -> ApiToken:
    """Revoke a token by name: it is refused from the next request on. Revoking twice is a
    no-op that says so, never an error a script must handle."""
    authorize(actor, "token.revoke")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(name=name.strip()).first()
        if token is None:
            raise ApplicationError(_("No token is named “%(name)s”.") % {"name": name})
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            audit_record(actor=actor, action="token.revoke", obj=token)
    return token


def tokens_list() -> QuerySet[ApiToken]:
    """Every token, revoked ones included (a list of who had access), with its agency."""
    return ApiToken.objects.select_related("agency", "created_by").order_by("name")
