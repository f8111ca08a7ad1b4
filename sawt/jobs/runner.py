"""Run one job inside whatever worker the task backend has: claim it, keep its heartbeat and
progress, record its result, retry a transient failure with back-off, or record the failure.

A job's failure is never the worker's: whatever the handler raises is recorded on the row and
the worker goes on to the next task.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, connections
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from sawt.core.exceptions import ApplicationError
from sawt.jobs.choices import JobStatus
from sawt.jobs.errors import JobFailure, TransientError, is_transient
from sawt.jobs.models import Job
from sawt.jobs.registry import kind_for
from sawt.jobs.services import (
    HOST,
    job_fail,
    job_requeue,
    job_succeed,
    no_handler_message,
)

logger = logging.getLogger(__name__)

# Sent in the worker's process when a job's attempt ends: kwargs `job` and `outcome`
# ("succeeded", "failed" or "retry"). `sawt worker` reports and counts from it.
job_ended = Signal()

# Retries wait RETRY_BASE · 2^(attempt-1), at most RETRY_MAX, of which a random half is
# jitter, so jobs that failed together (the database restarted) do not return together.
RETRY_BASE = dt.timedelta(seconds=10)
RETRY_MAX = dt.timedelta(minutes=15)
# Progress reaches the row at most this often (seconds); the heartbeat at least every lease / 5.
PROGRESS_EVERY = 1.0


def retry_delay(attempt: int, *, rng: random.Random | None = None) -> dt.timedelta:
    """How long to wait before the attempt after `attempt` (1-based): exponential, capped,
    with "equal jitter" (half fixed, half random)."""
    ceiling = min(RETRY_BASE * (2 ** max(attempt - 1, 0)), RETRY_MAX)
    return ceiling * (0.5 + 0.5 * (rng or random).random())


def describe(exc: BaseException) -> str:
    """The exception's own line, and where it was raised (the traceback's last frame)."""
    if isinstance(exc, ApplicationError):
        # Written for the person who asked for the work: the page shows it as it is.
        text = exc.message
    elif isinstance(exc, TransientError) and isinstance(exc.__cause__, ApplicationError):
        # A refusal for people that is worth another try (another import was writing).
        text = exc.__cause__.message
    else:
        # The class's own name, not its module path: the line is read by people.
        text = f"{type(exc).__name__}: {exc}".strip() if str(exc) else type(exc).__name__
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f'\n  File "{last.filename}", line {last.lineno}, in {last.name}'
    return text


class _Progress:
    """One job's progress, kept in memory: the handler never waits for the database to report
    it (on SQLite an import's own write transaction would make it wait for itself)."""

    def __init__(self, job: Job) -> None:
        self.pk, self.token = job.pk, job.token
        self.done, self.stage = 0, ""
        self.total: int | None = None
        self.dirty = False
        self.lock = threading.Lock()

    def __call__(self, done: int, total: int | None = None, stage: str = "") -> None:
        with self.lock:
            self.done, self.total, self.stage = int(done), total, stage[:40]
            self.dirty = True

    def snapshot(self) -> tuple[int, int | None, str]:
        with self.lock:
            return self.done, self.total, self.stage


class _Heart(threading.Thread):
    """One thread per worker process that writes the running jobs' progress (at most every
    PROGRESS_EVERY) and heartbeat (at least every lease / 5) through a connection of its own."""

    def __init__(self) -> None:
        super().__init__(name="job-heartbeat", daemon=True)
        self.jobs: dict[int, tuple[_Progress, list[float]]] = {}
        self.lock = threading.Lock()

    def add(self, progress: _Progress) -> None:
        with self.lock:
            self.jobs[progress.pk] = (progress, [time.monotonic()])

    def remove(self, progress: _Progress) -> None:
        with self.lock:
            self.jobs.pop(progress.pk, None)

    def run(self) -> None:
        every = min(30.0, float(settings.SAWT_JOBS_LEASE_SECONDS) / 5)
        while True:
            time.sleep(PROGRESS_EVERY)
            with self.lock:
                jobs = list(self.jobs.values())
            if not jobs:
                # Idle: hold no connection (a test database can then be dropped, a server
                # restarted) until the next job.
                connections.close_all()
                continue
            for progress, last in jobs:
                with progress.lock:
                    due = progress.dirty or time.monotonic() - last[0] >= every
                    progress.dirty = False
                    values = (progress.done, progress.total, progress.stage)
                if due and self._write(progress, values):
                    last[0] = time.monotonic()

    def _write(self, progress: _Progress, values: tuple[int, int | None, str]) -> bool:
        try:
            Job.objects.filter(
                pk=progress.pk, token=progress.token, status=JobStatus.RUNNING
            ).update(
                heartbeat_at=timezone.now(),
                progress_done=values[0],
                progress_total=values[1],
                progress_stage=values[2],
            )
            return True
        except DatabaseError:
            # Busy (SQLite during an import's write) or briefly away: the next beat tries again.
            logger.debug("Heartbeat of job %s not written", progress.pk, exc_info=True)
            close_old_connections()
            return False


_heart: _Heart | None = None
_heart_lock = threading.Lock()


@contextmanager
def _beating(progress: _Progress) -> Iterator[None]:
    """Progress and heartbeat reach the row while the block runs. Inside a caller's transaction
    (a test's) another connection could not see the row: progress then comes with the outcome."""
    global _heart
    if connection.in_atomic_block:
        yield
        return
    with _heart_lock:
        if _heart is None or not _heart.is_alive():
            _heart = _Heart()
            _heart.start()
        heart = _heart
    heart.add(progress)
    try:
        yield
    finally:
        heart.remove(progress)


def _claim(job_id: int, token: str) -> Job | None:
    """Move the job from queued to running if `token` is still its current one; None if this
    task is stale, a duplicate, or another worker took it."""
    now = timezone.now()
    # A conditional UPDATE is atomic on every database: of two workers racing for one row,
    # exactly one sees a row count of 1 (PostgreSQL re-checks the WHERE after the lock wait,
    # SQLite lets one writer in at a time).
    claimed = Job.objects.filter(pk=job_id, token=token, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        heartbeat_at=now,
        worker_host=HOST,
        worker_pid=os.getpid(),
        progress_done=0,
        progress_total=None,
        progress_stage="",
        updated_at=now,
    )
    return Job.objects.get(pk=job_id) if claimed else None


def _settle(write: Any, *args: Any, **kwargs: Any) -> Any:
    """Write an outcome, waiting out a busy or restarting database for up to a lease: a job
    whose outcome is lost would look running until its worker stops."""
    deadline = time.monotonic() + float(settings.SAWT_JOBS_LEASE_SECONDS)
    pause = 0.2
    while True:
        try:
            return write(*args, **kwargs)
        except DatabaseError:
            if time.monotonic() > deadline or connection.in_atomic_block:
                raise
            logger.warning("Cannot record a job's outcome yet; retrying", exc_info=True)
            close_old_connections()
            time.sleep(pause)
            pause = min(pause * 2, 10.0)


def _run_handler(job: Job, progress: _Progress) -> dict[str, Any] | None:
    known = kind_for(job.kind)
    if known is None:
        # Queued by a process that had the handler, run by one that has not (e.g. a worker
        # started from older code): the job fails with a message, the worker carries on.
        raise LookupError(no_handler_message(job.kind))
    result = known.handler(dict(job.payload or {}), progress)
    json.dumps(result)  # a result that cannot be stored fails the job here, not at save()
    return result


def job_execute(job_id: int, token: str) -> dict[str, Any]:
    """Run job `job_id` for the task carrying `token`; how it went, as the task's return value."""
    job = _claim(job_id, token)
    if job is None:
        return {"job": job_id, "outcome": "skipped"}
    progress = _Progress(job)
    try:
        with _beating(progress):
            result = _run_handler(job, progress)
    except (KeyboardInterrupt, SystemExit):
        # The worker is being stopped hard in the middle of the job: hand the attempt back
        # (it counts), so the next worker takes it without waiting for the reaper.
        _give_back(job)
        raise
    except Exception as exc:
        outcome = _after_failure(job, exc, progress.snapshot())
    else:
        done = _settle(job_succeed, job, result=result, progress=progress.snapshot())
        outcome = JobStatus.SUCCEEDED.value if done else "taken back"
    job_ended.send(sender=Job, job=job, outcome=outcome)
    return {"job": job_id, "outcome": outcome}


def _after_failure(job: Job, exc: Exception, progress: tuple[int, int | None, str]) -> str:
    if not connection.in_atomic_block:
        close_old_connections()  # the failure may have been the connection itself
    error = describe(exc)
    if is_transient(exc) and job.attempts < job.max_attempts:
        delay = retry_delay(job.attempts)
        logger.warning(
            "Background job %s (%s) failed on attempt %d of %d; retrying in %.0f s: %s",
            job.pk,
            job.kind,
            job.attempts,
            job.max_attempts,
            delay.total_seconds(),
            error.split("\n", 1)[0],
        )
        run_after = timezone.now() + delay
        if _settle(
            job_requeue, job, error=error, run_after=run_after, expected_status=JobStatus.RUNNING
        ):
            return "retry"
        return JobStatus.FAILED.value if job.status == JobStatus.FAILED else "taken back"
    if isinstance(exc, ApplicationError):
        logger.info("Background job %s (%s) refused: %s", job.pk, job.kind, exc.message)
    else:
        # The full traceback goes to the log; the row keeps its first line and last frame.
        logger.error("Background job %s (%s) failed", job.pk, job.kind, exc_info=exc)
    details = exc.details if isinstance(exc, JobFailure) else None
    _settle(job_fail, job, error=error, result=details or None, progress=progress)
    return JobStatus.FAILED.value


def _give_back(job: Job) -> None:
    try:
        if job.attempts < job.max_attempts:
            job_requeue(
                job,
                error=_("The worker was stopped during this attempt; it was queued again."),
                run_after=None,
                expected_status=JobStatus.RUNNING,
            )
        else:
            job_fail(job, error=_("The worker was stopped during the last attempt."))
    except Exception:
        # The reaper will notice the dead process instead.
        logger.warning("Could not hand job %s back", job.pk, exc_info=True)
