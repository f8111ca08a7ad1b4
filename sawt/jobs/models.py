"""Background jobs: one row per piece of work, claimed and run by `sawt worker`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sawt.core.models import TimeStampedModel
from sawt.jobs.choices import JobStatus


class Job(TimeStampedModel):
    """A unit of background work of one `kind`, its payload, and what became of it."""

    kind = models.CharField(_("kind"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    # Same kind and key = the same work: enqueued again while still queued, it is not repeated.
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            # Workers poll for the oldest queued job every few seconds; a partial index keeps
            # that lookup small however many finished jobs pile up.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status="queued"),
                name="jobs_job_queued_oldest",
            ),
            # The page's "latest retraining" lookup.
            models.Index(fields=["kind", "dedupe_key", "-created_at"], name="jobs_job_kind_key"),
        ]
        constraints = [
            # The database, not only the service, guarantees one queued job per key: two
            # analysts pressing the button at the same moment cannot queue the work twice.
            models.UniqueConstraint(
                fields=["kind", "dedupe_key"],
                condition=Q(status="queued") & ~Q(dedupe_key=""),
                name="jobs_job_one_queued_per_key",
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="jobs_job_status_valid"
            ),
        ]

    @property
    def error_summary(self) -> str:
        """The error's first line, for a page's "failed: …" (the rest says where it happened)."""
        return self.error.split("\n", 1)[0]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.status})"
