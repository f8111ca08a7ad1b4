from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "sawt.api"
    label = "api"
    verbose_name = _("Integration API")

    def ready(self) -> None:
        # The OpenAPI description of the bearer token (drf-spectacular finds it by import).
        from sawt.api import schema  # noqa: F401
