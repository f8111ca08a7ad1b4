"""Background jobs: one row per piece of work, whatever task backend runs it.

The row is the durable, backend-independent record that pages read (queued, running, done,
failed, with progress); a Django Task carries only the row's id and dispatch token to a worker
(docs/decisions/0006-background-work-on-django-tasks.md)."""

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
    max_attempts = models.PositiveIntegerField(_("most attempts"), default=1)
    # Not to be started before this moment: a retry waits out its back-off.
    run_after = models.DateTimeField(_("not before"), null=True, blank=True)
    # How far the work has come, as the handler reports it (rows read, rows saved …).
    progress_stage = models.CharField(_("stage"), max_length=40, blank=True)
    progress_done = models.PositiveBigIntegerField(_("done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    # Who runs it: a worker writes its heartbeat while it works, so a job whose worker died is
    # noticed (same host: its process is gone; any host: no heartbeat within the lease).
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    worker_host = models.CharField(_("worker host"), max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(_("worker process"), null=True, blank=True)
    # The Django Task that carries this attempt: only a task with the current token may run the
    # job, so a duplicate or stale task (re-sent, or from an attempt taken back) does nothing.
    token = models.CharField(_("dispatch token"), max_length=32, blank=True)
    dispatched_at = models.DateTimeField(_("handed to the task backend at"), null=True, blank=True)
    task_id = models.CharField(_("task result id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            # Workers look for queued jobs not yet handed to the backend; a partial index keeps
            # that lookup small however many finished jobs pile up.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status="queued"),
                name="jobs_job_queued_oldest",
            ),
            # The reaper's look at running jobs and their heartbeats.
            models.Index(
                fields=["heartbeat_at"],
                condition=Q(status="running"),
                name="jobs_job_running_heartbeat",
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

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def is_retrying(self) -> bool:
        """Queued again after a transient failure, waiting out its back-off."""
        return self.status == JobStatus.QUEUED and self.attempts > 0

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.status})"


class RateSlot(models.Model):
    """When the next piece of work of one name (an SMS, an e-mail) may start: a rate that every
    worker process, on every machine, shares through the database (sawt/jobs/throttle.py)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    next_at = models.DateTimeField(_("next slot at"))

    class Meta:
        verbose_name = _("rate slot")
        verbose_name_plural = _("rate slots")

    def __str__(self) -> str:
        return f"{self.name} @ {self.next_at:%H:%M:%S.%f}"
