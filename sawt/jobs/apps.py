from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    # Handlers are registered by the apps that own them, from a module their AppConfig.ready()
    # imports (sawt/jobs/registry.py); this app knows none of them.
    name = "sawt.jobs"
    verbose_name = _("Background jobs")
