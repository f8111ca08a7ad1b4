from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "sawt.metrics"
    verbose_name = _("Metrics")

    def ready(self) -> None:
        # The gap register asks for a recommendation's impact before it may be verified; it
        # cannot import the metrics (a lower layer), so it asks by signal and this answers.
        from sawt.gaps.services import impact_requested
        from sawt.metrics.impact import answer_impact_request

        impact_requested.connect(answer_impact_request, dispatch_uid="sawt.metrics.impact")
