from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassificationConfig(AppConfig):
    name = "sawt.classification"
    verbose_name = _("Classification")

    def ready(self) -> None:
        # Registers the classification jobs with the background worker (a light module: the
        # heavy libraries load only when a job runs).
        from sawt.classification import tasks  # noqa: F401
