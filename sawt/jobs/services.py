"""Writes on the job queue: enqueue work, claim it for one worker, run it, record the outcome."""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sawt.core.audit import audit_record
from sawt.core.exceptions import ApplicationError
from sawt.jobs.choices import JobStatus
from sawt.jobs.models import Job
from sawt.jobs.registry import handler_for, registered_kinds

logger = logging.getLogger(__name__)


def _actor_user(actor: Any) -> Any:
    """The user to store on the job; None for the system or an unsaved object."""
    return actor if getattr(actor, "pk", None) and hasattr(actor, "get_username") else None


def _no_handler(kind: str) -> str:
    return _(
        "No handler is registered for background jobs of kind “%(kind)s” (known: %(known)s)."
    ) % {"kind": kind, "known": ", ".join(registered_kinds()) or "—"}


def _queued(kind: str, dedupe_key: str) -> Job | None:
    return Job.objects.filter(kind=kind, dedupe_key=dedupe_key, status=JobStatus.QUEUED).first()


def job_enqueue(
    *, kind: str, payload: dict[str, Any], actor: Any = None, dedupe_key: str = ""
) -> Job:
    """Queue work of `kind` for a worker; with `dedupe_key`, an already queued twin is returned."""
    if handler_for(kind) is None:
        raise ApplicationError(_no_handler(kind))
    # Refuse now what could not be stored, rather than fail inside the worker later.
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            _("The payload of a “%(kind)s” job cannot be stored as JSON: %(error)s")
            % {"kind": kind, "error": exc}
        ) from exc
    if dedupe_key and (existing := _queued(kind, dedupe_key)) is not None:
        return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, payload=payload, dedupe_key=dedupe_key, created_by=_actor_user(actor)
            )
            audit_record(
                actor=actor,
                action="job.enqueue",
                obj=job,
                data={"kind": kind, "dedupe_key": dedupe_key},
            )
    except IntegrityError:
        # A concurrent request queued the same work between our look-up and our insert; the
        # partial unique constraint refused the second row, so theirs is the one to return.
        if dedupe_key and (existing := _queued(kind, dedupe_key)) is not None:
            return existing
        raise
    return job


def _claim(pk: int) -> bool:
    """Move job `pk` from queued to running if it is still queued; True if this call did it."""
    # A conditional UPDATE is atomic on every database: of two workers racing for one row,
    # exactly one sees a row count of 1 (PostgreSQL re-checks the WHERE after the lock wait).
    return bool(
        Job.objects.filter(pk=pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
            updated_at=timezone.now(),
        )
    )


def _oldest_queued() -> QuerySet[Job]:
    return Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "id")


def _claim_locked() -> int | None:
    # PostgreSQL: a worker skips rows another worker has locked instead of queuing behind it.
    with transaction.atomic():
        pks = _oldest_queued().select_for_update(skip_locked=True).values_list("pk", flat=True)
        pk = pks.first()
        return pk if pk is not None and _claim(pk) else None


def _claim_unlocked() -> int | None:
    # SQLite has no row locks but serialises writers, so the conditional UPDATE decides. The
    # look-up stays outside a transaction: an idle worker's poll never takes the write lock.
    while (pk := _oldest_queued().values_list("pk", flat=True).first()) is not None:
        if _claim(pk):
            return pk
        # Another worker took it between our look-up and our update: try the next one.
    return None


def job_claim_next() -> Job | None:
    """Take the oldest queued job for this worker (now running), or None if nothing is queued.

    Two workers never get the same job, on PostgreSQL or on SQLite.
    """
    if connection.features.has_select_for_update_skip_locked:
        pk = _claim_locked()
    else:
        pk = _claim_unlocked()
    return None if pk is None else Job.objects.get(pk=pk)


def _describe(exc: BaseException) -> str:
    """The exception's own line, and where it was raised (the traceback's last frame)."""
    if isinstance(exc, ApplicationError):
        # Written for the person who asked for the work: the page shows it as it is.
        text = exc.message
    else:
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f'\n  File "{last.filename}", line {last.lineno}, in {last.name}'
    return text


def _call(job: Job) -> dict[str, Any] | None:
    handler = handler_for(job.kind)
    if handler is None:
        # Queued by a process that had the handler, run by one that has not (e.g. a worker
        # started from older code): the job fails with a message, the worker carries on.
        raise LookupError(_no_handler(job.kind))
    result = handler(dict(job.payload or {}))
    json.dumps(result)  # a result that cannot be stored fails the job here, not at save()
    return result


def job_run(job: Job) -> Job:
    """Run a claimed job's handler and store its result, or the error; never raises for it.

    A job still queued is claimed first; one another worker took (or finished) is refused.
    """
    if job.status != JobStatus.RUNNING:
        # Only a queued job can still be claimed; a finished one is never run twice.
        if not _claim(job.pk):
            raise ApplicationError(
                _("Background job %(id)s was already taken by another worker.") % {"id": job.pk}
            )
        job.refresh_from_db()
    try:
        job.result, job.error, job.status = _call(job), "", JobStatus.SUCCEEDED
    except Exception as exc:
        # Whatever the handler does wrong is the job's failure, not the worker's: record it
        # and let the worker go on to the next job. The full traceback goes to the log.
        logger.exception("Background job %s (%s) failed", job.pk, job.kind)
        job.result, job.error, job.status = None, _describe(exc), JobStatus.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "error", "status", "finished_at", "updated_at"])
    return job


def jobs_run_pending(limit: int | None = None) -> int:
    """Claim and run queued jobs, oldest first, until none is left or `limit` ran; the count."""
    ran = 0
    while limit is None or ran < limit:
        job = job_claim_next()
        if job is None:
            break
        job_run(job)
        ran += 1
    return ran
