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
