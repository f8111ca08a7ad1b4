"""Choices shared by everything that can carry a gap category."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CategorySource(models.TextChoices):
    """Who set a category: a person or an import count as labels; a model's guess does not."""

    IMPORT = "import", _("import")
    ANALYST = "analyst", _("analyst")
    MODEL = "model", _("model")


# Sources whose category counts as a human label (`labelled` in the summary).
LABEL_SOURCES = (CategorySource.IMPORT, CategorySource.ANALYST)
