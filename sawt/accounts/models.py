"""A person's role in sawt and, for an agency member, the agency whose data they may see."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sawt.catalog.models import Agency
from sawt.core.access import Role
from sawt.core.models import TimeStampedModel


class Membership(TimeStampedModel):
    """One user's role, and the agency they belong to when the role is agency member."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("agency"),
    )

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
            # An agency member without an agency would see nothing; anyone else with one would
            # suggest a restriction that scoping does not apply.
            models.CheckConstraint(
                condition=(Q(role=Role.AGENCY_MEMBER) & Q(agency__isnull=False))
                | (~Q(role=Role.AGENCY_MEMBER) & Q(agency__isnull=True)),
                name="membership_agency_iff_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.role == Role.AGENCY_MEMBER and self.agency_id is None:
            raise ValidationError({"agency": _("An agency member needs an agency.")})
        if self.role != Role.AGENCY_MEMBER and self.agency_id is not None:
            raise ValidationError(
                {"agency": _("Only an agency member belongs to an agency; leave it empty.")}
            )


class ApiTokenScope(models.TextChoices):
    READ = "read", _("read")
    WRITE = "write", _("read and write")


class ApiToken(TimeStampedModel):
    """A credential another system sends as `Authorization: Bearer <token>` (sawt/api).

    Only the SHA-256 of the token is kept: a copy of the database lets nobody call the API. The
    token sees what an agency member of its agency sees (or everything, `all_agencies`), through
    the same policy (sawt/accounts/tokens.py)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    # The token's first characters, shown in lists so a person can tell which one leaked.
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("agency"),
    )
    all_agencies = models.BooleanField(_("all agencies"), default=False)
    scope = models.CharField(_("scope"), max_length=8, choices=ApiTokenScope.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_from = models.GenericIPAddressField(_("last used from"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=ApiTokenScope.values), name="api_token_scope_valid"
            ),
            # One agency or all of them, never both and never neither.
            models.CheckConstraint(
                condition=(Q(all_agencies=True) & Q(agency__isnull=True))
                | (Q(all_agencies=False) & Q(agency__isnull=False)),
                name="api_token_agency_xor_all",
            ),
        ]

    def __str__(self) -> str:
        return self.name
