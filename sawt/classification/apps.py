from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassificationConfig(AppConfig):
    name = "sawt.classification"
    verbose_name = _("Classification")

    def ready(self) -> None:
        # Registers the classification jobs with the background worker (a light module: the
        # heavy libraries load only when a job runs).
        from sawt.classification import tasks  # noqa: F401

        # An import of complaints (below this app) announces itself; classification answers by
        # queueing the journey's model over them. Imported here: models are loaded by now.
        from sawt.classification.receivers import (
            classify_imported_complaints,
            refresh_themes_after_responses,
        )
        from sawt.complaints.signals import complaints_imported
        from sawt.surveys.signals import responses_imported

        complaints_imported.connect(
            classify_imported_complaints, dispatch_uid="sawt.classification.imported"
        )
        responses_imported.connect(
            refresh_themes_after_responses, dispatch_uid="sawt.classification.responses"
        )
