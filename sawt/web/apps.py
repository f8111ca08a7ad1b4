from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "sawt.web"
    verbose_name = _("Web")

    def ready(self) -> None:
        # Registers the imports page's background job (a light module: the import services
        # load only when a job runs).
        from sawt.web import tasks  # noqa: F401
