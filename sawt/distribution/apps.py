from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    """Asking people directly: samples, invitations, reminders, the public form's links."""

    name = "sawt.distribution"
    verbose_name = _("Survey distribution")

    def ready(self) -> None:
        # Registers distribution's background work (delivery, reminders, expiry) with the
        # worker; a light module, the services load only when a job runs.
        from sawt.distribution import tasks  # noqa: F401

        # A journey definition (surveys, below this app) may carry the survey's invitations.
        from sawt.distribution.receivers import check_invitations, write_invitations
        from sawt.surveys.signals import definition_checking, definition_written

        definition_checking.connect(check_invitations, dispatch_uid="sawt.distribution.check")
        definition_written.connect(write_invitations, dispatch_uid="sawt.distribution.write")
        # A definition that stops setting the sample size by hand: the invitations count it.
        from sawt.distribution.sample_size import definition_written_recount

        definition_written.connect(
            definition_written_recount, dispatch_uid="sawt.distribution.sample_size"
        )
