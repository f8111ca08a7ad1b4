from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassificationConfig(AppConfig):
    name = "sawt.classification"
    verbose_name = _("Classification")

    def ready(self) -> None:
        # Registers the retraining job with the background worker.
        from sawt.classification import jobs  # noqa: F401
