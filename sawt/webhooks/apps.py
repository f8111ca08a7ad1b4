from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Telling other systems of changes: signed HTTP deliveries, retried from background jobs."""

    name = "sawt.webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # Registers the delivery job and the sweep with the worker (a light module).
        # The apps below announce what happened (sawt/core/events.py) without knowing we listen.
        from sawt.core.events import announced
        from sawt.webhooks import tasks  # noqa: F401
        from sawt.webhooks.receivers import on_announced

        announced.connect(on_announced, dispatch_uid="sawt.webhooks.announced")
