from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Shared import machinery; an app so that its Arabic message catalogue is loaded."""

    name = "sawt.imports"
    verbose_name = _("Imports")
