"""Writes on the job queue: enqueue work and hand it to the task backend, take back work whose
worker died, and record retries (docs/decisions/0006-background-work-on-django-tasks.md).

Running a job (claim, heartbeat, outcome) is in `sawt.jobs.runner`; the loops that workers run
are in `sawt.jobs.workers`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sawt.core.audit import actor_user, audit_record
from sawt.core.exceptions import ApplicationError
from sawt.jobs.choices import JobStatus
from sawt.jobs.models import Job
from sawt.jobs.registry import kind_for, periodic_kinds, registered_kinds

logger = logging.getLogger(__name__)
HOST = socket.gethostname()[:255]


def new_token() -> str:
    """A fresh dispatch token: only the task carrying it may run the job's current attempt."""
    return secrets.token_hex(16)


def no_handler_message(kind: str) -> str:
    return _(
        "No handler is registered for background jobs of kind “%(kind)s” (known: %(known)s)."
    ) % {"kind": kind, "known": ", ".join(registered_kinds()) or "—"}


def _queued(kind: str, dedupe_key: str) -> Job | None:
    return Job.objects.filter(kind=kind, dedupe_key=dedupe_key, status=JobStatus.QUEUED).first()


def max_attempts_for(kind: str) -> int:
    """How many tries a job of `kind` gets in all (its registration, else the setting)."""
    known = kind_for(kind)
    if known is not None and known.max_attempts is not None:
        return max(1, known.max_attempts)
    return int(settings.SAWT_JOBS_MAX_ATTEMPTS)


def job_enqueue(
    *,
    kind: str,
    payload: dict[str, Any],
    actor: Any = None,
    dedupe_key: str = "",
    delay: dt.timedelta | None = None,
) -> Job:
    """Queue work of `kind` for a worker; with `dedupe_key`, an already queued twin is returned.

    The job is handed to the task backend once the caller's transaction commits: a rolled-back
    request queues nothing, and a worker never looks for a row it cannot see yet. `delay`
    gathers a burst of changes into one run (the twin queued first keeps its time)."""
    if kind_for(kind) is None:
        raise ApplicationError(no_handler_message(kind))
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
                kind=kind,
                payload=payload,
                dedupe_key=dedupe_key,
                created_by=actor_user(actor),
                max_attempts=max_attempts_for(kind),
                run_after=timezone.now() + delay if delay else None,
                token=new_token(),
            )
            audit_record(
                actor=actor,
                action="job.enqueue",
                obj=job,
                data={"kind": kind, "dedupe_key": dedupe_key},
            )
            transaction.on_commit(partial(_dispatch_quietly, job.pk))
    except IntegrityError:
        # A concurrent request queued the same work between our look-up and our insert; the
        # partial unique constraint refused the second row, so theirs is the one to return.
        if dedupe_key and (existing := _queued(kind, dedupe_key)) is not None:
            return existing
        raise
    return job


# The deduplication key of the jobs periodic work queues: with the partial unique index, two
# workers keeping house at the same moment queue one job, not two.
PERIODIC_KEY = "periodic"


def jobs_schedule_periodic(*, now: dt.datetime | None = None) -> list[Job]:
    """Queue a job (payload {}) of each periodic kind that is due: none of the kind queued or
    running, and the last one started more than its `every` ago (or never); the jobs queued."""
    now = now or timezone.now()
    queued = []
    for known in periodic_kinds():
        assert known.every is not None
        of_kind = Job.objects.filter(kind=known.name)
        if of_kind.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).exists():
            continue  # due again only once this one has run (a retry waits its turn too)
        last = of_kind.aggregate(last=Max("started_at"))["last"]
        if last is not None and last > now - known.every:
            continue
        queued.append(job_enqueue(kind=known.name, payload={}, dedupe_key=PERIODIC_KEY))
    return queued


def job_dispatch(job: Job) -> str:
    """Hand the job's current attempt to the task backend (through the Tasks API only);
    returns the task's result id. Handing it over twice is harmless: one task runs it."""
    from sawt.jobs.tasks import run_job

    now = timezone.now()
    run_after = job.run_after if job.run_after and job.run_after > now else None
    task = run_job.using(queue_name=settings.SAWT_TASKS_QUEUE, run_after=run_after)
    result = task.enqueue(job.pk, job.token)
    task_id = str(result.id)[:64]
    Job.objects.filter(pk=job.pk, token=job.token).update(task_id=task_id, dispatched_at=now)
    job.task_id, job.dispatched_at = task_id, now
    return task_id


def _dispatch_quietly(pk: int) -> None:
    # After the commit the job is safe in the database: if the backend cannot take it now
    # (Redis restarting), the page says "queued" and the next worker sweep hands it over.
    try:
        job = Job.objects.filter(pk=pk, status=JobStatus.QUEUED, dispatched_at=None).first()
        if job is not None:
            job_dispatch(job)
    except Exception:
        logger.warning("Job %s could not be handed to the task backend yet", pk, exc_info=True)


def jobs_dispatch_pending(limit: int = 500) -> int:
    """Hand every queued job not yet handed over to the backend (its request died between the
    commit and the hand-over, or it was queued before this version); how many were."""
    handed = 0
    pending = Job.objects.filter(status=JobStatus.QUEUED, dispatched_at=None)
    for job in pending.order_by("created_at", "id")[:limit]:
        if not job.token:
            # A row queued before tokens existed gets its first one.
            job.token = new_token()
            if not Job.objects.filter(pk=job.pk, token="").update(token=job.token):
                continue
        job_dispatch(job)
        handed += 1
    return handed


def jobs_redispatch_lost(*, older_than: dt.timedelta | None = None) -> int:
    """Hand over again queued jobs whose task the backend no longer has, or finished without
    running them (a Redis that lost its data, a claim refused by a locked database)."""
    from django_tasks.exceptions import TaskResultDoesNotExist

    from sawt.jobs.tasks import run_job

    older_than = older_than or dt.timedelta(seconds=settings.SAWT_JOBS_LEASE_SECONDS)
    cutoff = timezone.now() - older_than
    stale = Job.objects.filter(status=JobStatus.QUEUED, dispatched_at__lt=cutoff).filter(
        Q(run_after=None) | Q(run_after__lt=cutoff)
    )
    again = 0
    for job in stale.order_by("created_at", "id")[:500]:
        try:
            lost = run_job.get_backend().get_result(job.task_id).is_finished
        except TaskResultDoesNotExist:
            lost = True
        if lost:
            job_dispatch(job)
            again += 1
    return again


# --- Workers that died ----------------------------------------------------------------------


def _boot_time() -> float | None:
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except OSError:
        pass
    return None


def process_started(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), where /proc tells; else None."""
    boot = _boot_time()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if boot is None or len(fields) < 20:
        return None
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def process_alive(pid: int, since: dt.datetime | None = None) -> bool:
    """Whether process `pid` on this host still runs and, with `since`, is the one that was
    already running then (not a newer process that reused the number)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    stat = Path(f"/proc/{pid}/stat")
    try:
        if stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False  # exited, not yet reaped by its parent
    except (OSError, IndexError):
        pass
    started = process_started(pid)
    if since is not None and started is not None:
        # The clock ticks since boot are coarse (10 ms) and the two clocks differ a little.
        return started <= since.timestamp() + 2.0
    return True


def _worker_gone(job: Job, lease_cutoff: dt.datetime) -> bool:
    if job.worker_host == HOST and job.worker_pid:
        # On this machine the answer is exact and immediate: is its process still there?
        return not process_alive(job.worker_pid, job.started_at)
    # Elsewhere (or a row from before heartbeats): only silence for a whole lease tells.
    last = job.heartbeat_at or job.started_at or job.updated_at
    return last is None or last < lease_cutoff


@dataclass(frozen=True)
class Recovered:
    """A job taken back from a worker that died, and what became of it."""

    job: Job
    old_task_id: str
    requeued: bool


def jobs_recover() -> list[Recovered]:
    """Take back running jobs whose worker died: queued again (the attempt counts) while tries
    are left, failed after the last. Same host: its process is gone; any host: no heartbeat
    within SAWT_JOBS_LEASE_SECONDS."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.SAWT_JOBS_LEASE_SECONDS)
    recovered = []
    for job in Job.objects.filter(status=JobStatus.RUNNING).order_by("started_at", "id"):
        if not _worker_gone(job, cutoff):
            continue
        where = f"{job.worker_host or '?'}, pid {job.worker_pid or '?'}"
        old_task_id = job.task_id
        if job.attempts < job.max_attempts:
            message = _("Its worker (%(where)s) stopped during attempt %(n)d; it was queued again.")
            requeued = job_requeue(
                job,
                error=message % {"where": where, "n": job.attempts},
                run_after=None,
                expected_status=JobStatus.RUNNING,
            )
        else:
            message = _(
                "Its worker (%(where)s) stopped during the last attempt (%(n)d of %(most)d)."
            )
            error = message % {"where": where, "n": job.attempts, "most": job.max_attempts}
            requeued = False
            if not job_fail(job, error=error, expected_status=JobStatus.RUNNING):
                continue
        logger.warning("Job %s (%s): worker %s gone; %s", job.pk, job.kind, where, job.status)
        recovered.append(Recovered(job, old_task_id, requeued))
    return recovered


# --- Outcomes, shared by the runner and the reaper ------------------------------------------


def _guarded(job: Job, expected_status: str) -> Any:
    # Only the holder of the current token changes the row: a worker presumed dead that comes
    # back, or a stale task, finds its token replaced and changes nothing.
    return Job.objects.filter(pk=job.pk, token=job.token, status=expected_status)


def job_requeue(
    job: Job, *, error: str, run_after: dt.datetime | None, expected_status: str
) -> bool:
    """Queue the job again for another attempt with a new token, and hand it over; False if
    it was no longer in `expected_status` (someone else decided first). If the same work is
    already queued under the job's key, that twin does it and this job fails saying so."""
    token = new_token()
    now = timezone.now()
    try:
        with transaction.atomic():
            changed = _guarded(job, expected_status).update(
                status=JobStatus.QUEUED,
                token=token,
                error=error,
                run_after=run_after,
                dispatched_at=None,
                task_id="",
                heartbeat_at=None,
                updated_at=now,
            )
    except IntegrityError:
        twin = _queued(job.kind, job.dedupe_key)
        note = _("The same work was queued again meanwhile (job %(id)s).") % {
            "id": twin.pk if twin else "?"
        }
        job_fail(job, error=f"{note}\n{error}", expected_status=expected_status)
        return False
    if not changed:
        return False
    job.status, job.token, job.error, job.run_after = JobStatus.QUEUED, token, error, run_after
    job.dispatched_at, job.task_id = None, ""
    transaction.on_commit(partial(_dispatch_quietly, job.pk))
    return True


def job_fail(
    job: Job,
    *,
    error: str,
    result: dict[str, Any] | None = None,
    expected_status: str = JobStatus.RUNNING,
    progress: tuple[int, int | None, str] | None = None,
) -> bool:
    """Record the job's failure for good; False if it was no longer in `expected_status`."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": JobStatus.FAILED,
        "error": error,
        "result": result,
        "finished_at": now,
        "updated_at": now,
    }
    if progress is not None:
        fields.update(progress_done=progress[0], progress_total=progress[1])
        fields["progress_stage"] = progress[2]
    if not _guarded(job, expected_status).update(**fields):
        return False
    job.status, job.error, job.result, job.finished_at = JobStatus.FAILED, error, result, now
    _ended(job)
    return True


def job_succeed(
    job: Job, *, result: dict[str, Any] | None, progress: tuple[int, int | None, str]
) -> bool:
    """Record the job's result; False if the job was taken back from this worker meanwhile."""
    now = timezone.now()
    changed = _guarded(job, JobStatus.RUNNING).update(
        status=JobStatus.SUCCEEDED,
        result=result,
        error="",
        finished_at=now,
        heartbeat_at=now,
        progress_done=progress[0],
        progress_total=progress[1],
        progress_stage=progress[2],
        updated_at=now,
    )
    if not changed:
        return False
    job.status, job.result, job.error, job.finished_at = JobStatus.SUCCEEDED, result, "", now
    _ended(job)
    return True


def _ended(job: Job) -> None:
    """The kind's clean-up once a job has ended for good (e.g. delete an uploaded file)."""
    known = kind_for(job.kind)
    if known is None or known.on_end is None:
        return
    try:
        known.on_end(dict(job.payload or {}))
    except Exception:
        logger.exception("Clean-up after job %s (%s) failed", job.pk, job.kind)


def jobs_run_pending(limit: int | None = None) -> int:
    """Run due jobs in this process through the configured backend's worker, until none is
    left or `limit` ran; how many jobs ran (the `sawt worker --once` of tests and scripts).
    It queues no periodic work: callers count what they queued themselves."""
    from sawt.jobs.workers import drain

    return drain(limit=limit)
