"""Writes on accounts: create a user with a role, change a user's role or agency."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as AuthUser  # AUTH_USER_MODEL is Django's own
from django.contrib.auth.models import UserManager
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from sawt.accounts.models import Membership
from sawt.catalog.models import Agency
from sawt.core.access import Role, authorize
from sawt.core.audit import audit_record
from sawt.core.exceptions import ApplicationError


def _role_problems(role: str, agency_code: str | None) -> list[str]:
    if role not in Role.values:
        return [
            _("“%(role)s” is not a role. Roles: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        ]
    if role == Role.AGENCY_MEMBER and not agency_code:
        return [_("An agency member needs an agency: give the agency's code.")]
    if role != Role.AGENCY_MEMBER and agency_code:
        return [
            _("Only an agency member belongs to an agency; the role “%(role)s” takes none.")
            % {"role": role}
        ]
    if agency_code and not Agency.objects.filter(code=agency_code).exists():
        known = ", ".join(Agency.objects.values_list("code", flat=True)) or "—"
        return [
            _("No agency has the code “%(code)s”. Agencies: %(known)s.")
            % {"code": agency_code, "known": known}
        ]
    return []


def _username_problems(username: str) -> list[str]:
    User = get_user_model()
    if not username:
        return [_("A username is required.")]
    try:
        User.username_validator(username)
    except ValidationError as exc:
        return list(exc.messages)
    # Usernames are case-sensitive in Django; two accounts differing only by case invite mistakes.
    if User.objects.filter(username__iexact=username).exists():
        return [_("An account named “%(username)s” already exists.") % {"username": username}]
    return []


def user_create_problems(
    *,
    username: str,
    role: str,
    agency_code: str | None = None,
    email: str = "",
    password: str | None = None,
) -> list[str]:
    """Everything wrong with a new account's details; the password is checked unless None."""
    User = get_user_model()
    username = User.normalize_username(username.strip())
    problems = _username_problems(username) + _role_problems(role, agency_code)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("“%(email)s” is not an e-mail address.") % {"email": email})
    if password is not None:
        try:
            validate_password(password, user=User(username=username, email=email))
        except ValidationError as exc:
            problems.extend(exc.messages)
    return problems


def _apply_role(user: AuthUser, role: str) -> None:
    # Only administrators get into Django's admin, and always with every permission there;
    # any other role loses both flags, so a demotion takes the admin away too.
    user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    agency_code: str | None = None,
    email: str = "",
    actor: Any,
) -> AuthUser:
    """Create an active user with a role (and agency); refuse with every problem listed."""
    authorize(actor, "user.create")
    problems = user_create_problems(
        username=username, role=role, agency_code=agency_code, email=email, password=password
    )
    if problems:
        raise ApplicationError(_("The account was not created."), problems=problems)
    User = get_user_model()
    user = User(
        username=User.normalize_username(username.strip()),
        email=UserManager.normalize_email(email),
    )
    user.set_password(password)
    _apply_role(user, role)
    user.save()
    agency = Agency.objects.get(code=agency_code) if agency_code else None
    Membership.objects.create(user=user, role=role, agency=agency)
    # No e-mail in the trail: the audit log holds no personal data beyond who acted.
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        data={"username": user.username, "role": role, "agency": agency_code},
    )
    return user


@transaction.atomic
def membership_set(
    *, user: AuthUser, role: str, agency_code: str | None = None, actor: Any
) -> Membership:
    """Give an existing user a role (and agency), replacing the one they had."""
    authorize(actor, "membership.set", user)
    problems = _role_problems(role, agency_code)
    if problems:
        raise ApplicationError(_("The role was not changed."), problems=problems)
    agency = Agency.objects.get(code=agency_code) if agency_code else None
    current = Membership.objects.select_for_update().filter(user=user).first()
    before = current.role if current else None
    membership, _created = Membership.objects.update_or_create(
        user=user, defaults={"role": role, "agency": agency}
    )
    _apply_role(user, role)
    user.save(update_fields=["is_staff", "is_superuser"])
    audit_record(
        actor=actor,
        action="membership.set",
        obj=user,
        data={
            "username": user.username,
            "from": before,
            "role": role,
            "agency": agency_code,
        },
    )
    return membership
