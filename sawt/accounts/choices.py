from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may see and do; scoping.py and permissions.py say exactly what."""

    ADMINISTRATOR = "administrator", _("administrator")
    ANALYST = "analyst", _("CX analyst")
    AGENCY_MEMBER = "agency_member", _("agency member")
    VIEWER = "viewer", _("viewer")
