"""The loops `sawt worker` runs: the database backend's worker, or an RQ worker with its
scheduler (SAWT_TASKS_BACKEND). Both also keep the queue healthy: they take back jobs whose
worker died, queue the periodic work that is due and hand over jobs the backend never received
(`housekeeping`).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connection
from django.utils import timezone

from sawt.jobs.models import Job
from sawt.jobs.runner import job_ended
from sawt.jobs.services import (
    HOST,
    jobs_dispatch_pending,
    jobs_recover,
    jobs_redispatch_lost,
    jobs_schedule_periodic,
)

logger = logging.getLogger(__name__)
# How often a serving worker takes back jobs of dead workers, queues the periodic work that is
# due and looks for lost tasks (so periodic work starts at most this late).
HOUSEKEEPING_EVERY = 30.0
# After a task this long, the connection may have outlived a server timeout: check it.
LONG_TASK = 30.0
# Sleeps are cut into slices this long so a stop request or a dead parent is noticed quickly.
SLICE = 0.2
WORKER_ID = f"{HOST[:40]}:{os.getpid()}"
StopCheck = Callable[[], bool]


def _refresh_connections() -> None:
    # A long job can outlive its connection (server timeouts, CONN_MAX_AGE, a restart): drop
    # broken or old ones so the next query reconnects. Inside a caller's transaction (a test's)
    # the connection is not ours to close.
    if not connection.in_atomic_block:
        close_old_connections()


def housekeeping(*, lost: bool = True, periodic: bool = True) -> None:
    """Take back the jobs of dead workers, queue the periodic work that is due, then hand over
    what the backend does not have."""
    recovered = jobs_recover()
    if settings.SAWT_TASKS_BACKEND == "database":
        _fail_orphaned_task_results([r.old_task_id for r in recovered if r.old_task_id])
    if periodic:
        jobs_schedule_periodic()
    jobs_dispatch_pending()
    if lost:
        jobs_redispatch_lost()


def _fail_orphaned_task_results(task_ids: list[str]) -> None:
    """The database backend leaves the task of a killed worker RUNNING for ever; its job has
    been taken back, so say so on the backend's own record too (its admin lists them)."""
    if not task_ids:
        return
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id__in=task_ids, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="sawt.jobs.errors.WorkerLost",
        traceback="The worker running this task stopped; its job was taken back.",
    )


@contextmanager
def counting() -> Iterator[list[str]]:
    """The outcomes of the job attempts run in this process meanwhile."""
    outcomes: list[str] = []

    def receive(sender: Any, job: Job, outcome: str, **kwargs: Any) -> None:
        outcomes.append(outcome)

    job_ended.connect(receive, weak=False)
    try:
        yield outcomes
    finally:
        job_ended.disconnect(receive)


# --- The database backend -------------------------------------------------------------------


class DatabaseWorker:
    """django-tasks-db's worker, driven by a loop of ours: an idle worker only reads (on
    SQLite it never takes the write lock to find nothing), and it stops for a signal, a dead
    parent or a caller's test transaction as the rest of `sawt worker` does."""

    def __init__(self, *, should_stop: StopCheck) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        self.should_stop = should_stop
        self.queues = [settings.SAWT_TASKS_QUEUE]
        self.worker = Worker(
            queue_names=self.queues,
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=WORKER_ID,
            excluded_queue_names=[],
        )

    def _next(self) -> Any:
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

        ready = DBTaskResult.objects.ready().filter(
            backend_name="default", queue_name__in=self.queues
        )
        if not ready.exists():
            return None
        try:
            with exclusive_transaction(ready.db):
                # PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so workers on many machines
                # pass over each other's rows; SQLite: one writer at a time.
                task_result = ready.get_locked()
                if task_result is not None:
                    task_result.claim(WORKER_ID)
                return task_result
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None  # another writer holds SQLite; look again shortly
            raise

    def drain(self, limit: int | None = None) -> int:
        """Run due tasks until none is left, `limit` jobs ran, or a stop; jobs run."""
        with counting() as outcomes:
            while not self.should_stop() and (limit is None or _ran(outcomes) < limit):
                task_result = self._next()
                if task_result is None:
                    break
                started = time.monotonic()
                self.worker.run_task(task_result)
                if time.monotonic() - started > LONG_TASK:
                    _refresh_connections()
        return _ran(outcomes)

    def serve(self, sleep: float, on_error: Callable[[DatabaseError], float]) -> None:
        last_housekeeping = 0.0
        while not self.should_stop():
            try:
                if time.monotonic() - last_housekeeping >= HOUSEKEEPING_EVERY:
                    housekeeping()
                    last_housekeeping = time.monotonic()
                else:
                    jobs_dispatch_pending()
                ran = self.drain()
            except DatabaseError as exc:
                # The worker outlives a database restart (or a database not yet migrated).
                _refresh_connections()
                nap(on_error(exc), self.should_stop)
                continue
            if not ran:
                nap(sleep, self.should_stop)


def _ran(outcomes: list[str]) -> int:
    return sum(1 for outcome in outcomes if outcome != "skipped")


def nap(seconds: float, should_stop: StopCheck) -> None:
    deadline = time.monotonic() + seconds
    while not should_stop() and (left := deadline - time.monotonic()) > 0:
        time.sleep(min(SLICE, left))


# --- RQ -------------------------------------------------------------------------------------


def rq_worker(*, burst: bool) -> Any:
    """An RQ worker on sawt's queue that runs jobs in its own process (as the database worker
    does) and keeps house every HOUSEKEEPING_EVERY seconds between jobs."""
    import django_rq
    from django_tasks_rq.backend import Job as TaskJob

    from sawt.jobs.rq_worker import SawtRQWorker

    # (django-rq's annotation names rq's forking Worker; any BaseWorker subclass is accepted.)
    return django_rq.get_worker(
        settings.SAWT_TASKS_QUEUE,
        job_class=TaskJob,
        worker_class=SawtRQWorker,  # type: ignore[arg-type]
    )


def rq_work(*, burst: bool, limit: int | None = None, verbosity: int = 1) -> int:
    """Run the RQ worker (with its scheduler, which releases retries when due); jobs run."""
    worker = rq_worker(burst=burst)
    if not connection.in_atomic_block:
        # The scheduler runs in a forked process: it must not share our database sockets.
        from django.db import connections

        connections.close_all()
    with counting() as outcomes:
        worker.work(
            burst=burst,
            with_scheduler=True,
            max_jobs=limit,
            logging_level="INFO" if verbosity > 1 else "WARNING",
        )
    return _ran(outcomes)


def watch_parent(parent: int) -> None:
    """Stop this process (as SIGTERM does) once `parent` is no longer its parent: the inline
    worker of `sawt serve` lives exactly as long as the server. For RQ, whose loop we do not
    own; the database worker checks its parent in its own loop."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(SLICE)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


# --- In-process draining (tests, scripts, `sawt worker --once`) -----------------------------


def drain(
    *, limit: int | None = None, should_stop: StopCheck | None = None, periodic: bool = False
) -> int:
    """Keep house, then run every due job with the configured backend's worker; jobs run.
    `periodic` also queues the periodic work that is due (`sawt worker --once`, run by cron);
    without it only what was queued runs (tests and scripts, which count what they queued)."""
    housekeeping(lost=False, periodic=periodic)
    if settings.SAWT_TASKS_BACKEND == "rq":
        return rq_work(burst=True, limit=limit)
    worker = DatabaseWorker(should_stop=should_stop or (lambda: False))
    return worker.drain(limit)
