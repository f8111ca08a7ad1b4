"""`sawt worker [--once] [--sleep SECONDS] [--exit-with-parent PID]`: run background jobs.

With SAWT_TASKS_BACKEND=database (the default) it runs django-tasks-db's worker; with `rq`, an
RQ worker with its scheduler. Either way it first takes back the jobs of workers that died on
this machine and queues the periodic work that is due, and keeps doing so
(docs/decisions/0006-background-work-on-django-tasks.md).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sawt.core.commands import database_ready_or_exit
from sawt.jobs.choices import JobStatus
from sawt.jobs.models import Job
from sawt.jobs.runner import job_ended
from sawt.jobs.workers import DatabaseWorker, drain, housekeeping, nap, rq_work, watch_parent

logger = logging.getLogger(__name__)
# Longest wait after a database or Redis error (a restart, migrations not yet run).
MAX_BACKOFF = 60.0


class Command(BaseCommand):
    help = "Run queued background jobs, oldest first."

    def add_arguments(self, parser: CommandParser) -> None:
        # argparse needs real strings, so the help is translated here, once a language is active.
        parser.description = _("Run queued background jobs, oldest first.")
        parser.add_argument(
            "--once",
            action="store_true",
            help=_("Run every queued job and the periodic work that is due, then exit."),
        )
        parser.add_argument(
            "--sleep",
            type=float,
            default=2.0,
            metavar="SECONDS",
            help=_("Seconds to wait before looking again when nothing is queued (default 2)."),
        )
        parser.add_argument(
            "--exit-with-parent",
            type=int,
            metavar="PID",
            help=_("Exit once process PID is no longer this worker's parent (used by sawt serve)."),
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stopping = False
        self.verbosity: int = opts["verbosity"]
        self.parent: int | None = opts["exit_with_parent"]
        self.backoff = 0.0
        if opts["once"]:
            # Serving, a worker waits for a database that is not there or not migrated yet
            # (it may start before `sawt migrate` is done, see _waiting); once, it says so.
            # Tables will do: a job needs its own, and SAWT_TASKS_BACKEND=rq adds an app
            # (django_rq) whose migrations create none.
            database_ready_or_exit(self.stderr, applied_all=False)
        job_ended.connect(self._report, weak=False)
        try:
            if settings.SAWT_TASKS_BACKEND == "rq":
                self._rq(once=opts["once"])
                return
            self.previous = self._trap_signals()
            try:
                if opts["once"]:
                    self._said_ran(drain(should_stop=self._should_stop, periodic=True))
                else:
                    self._serve(max(opts["sleep"], 0.0))
            finally:
                for signum, handler in self.previous.items():
                    signal.signal(signum, handler)
        finally:
            job_ended.disconnect(self._report)

    def _said_ran(self, ran: int) -> None:
        self.stdout.write(
            ngettext("Ran %(count)d job.", "Ran %(count)d jobs.", ran) % {"count": ran}
        )

    # --- the database backend ---------------------------------------------------------------

    def _trap_signals(self) -> dict[int, Any]:
        # Signal handlers can only be set from the main thread (not so under some test runners).
        if threading.current_thread() is not threading.main_thread():
            return {}
        signums = (signal.SIGTERM, signal.SIGINT)
        # getsignal() gives None for a handler not set from Python; default is the safe undo.
        previous: dict[int, Any] = {
            signum: signal.getsignal(signum) or signal.SIG_DFL for signum in signums
        }
        for signum in signums:
            signal.signal(signum, self._request_stop)
        return previous

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        # Finish the job in hand, then exit; a second signal acts as it would without us
        # (Ctrl-C twice interrupts even a long job, which is then handed back to the queue).
        self.stopping = True
        signal.signal(signum, self.previous.get(signum, signal.SIG_DFL))

    def _should_stop(self) -> bool:
        return self.stopping or (self.parent is not None and os.getppid() != self.parent)

    def _serve(self, sleep: float) -> None:
        self.stdout.write(
            _("Worker started: running background jobs, looking every %(seconds)g s when idle.")
            % {"seconds": sleep}
        )
        DatabaseWorker(should_stop=self._should_stop).serve(sleep, self._waiting)
        self.stdout.write(_("Worker stopped."))

    def _waiting(self, exc: Exception) -> float:
        # Say so, wait longer each time, retry: its traceback would tell nothing more.
        self.backoff = min(max(self.backoff * 2, 1.0), MAX_BACKOFF)
        logger.warning("Worker cannot use the database (%s); retrying in %gs", exc, self.backoff)
        return self.backoff

    # --- RQ ---------------------------------------------------------------------------------

    def _rq(self, *, once: bool) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        if self.parent is not None:
            watch_parent(self.parent)
        if not once:
            self.stdout.write(_("Worker started: running background jobs from Redis."))
        while True:
            try:
                housekeeping(lost=False)
                ran = rq_work(burst=once, verbosity=self.verbosity)
                break
            except (RedisConnectionError, RedisTimeoutError, DatabaseError) as exc:
                if once:
                    self.stderr.write(
                        _("The worker cannot reach Redis or the database: %(error)s")
                        % {"error": exc}
                    )
                    raise SystemExit(1) from None
                self._waiting(exc)
                nap(self.backoff, lambda: self.parent is not None and os.getppid() != self.parent)
                if self.parent is not None and os.getppid() != self.parent:
                    return
        if once:
            self._said_ran(ran)
        else:
            self.stdout.write(_("Worker stopped."))

    # --- what each job did -------------------------------------------------------------------

    def _report(self, sender: Any, job: Job, outcome: str, **kwargs: Any) -> None:
        if self.verbosity < 1 or outcome == "skipped":
            return
        end = job.finished_at or job.updated_at
        seconds = (end - job.started_at).total_seconds() if job.started_at and end else 0.0
        values = {
            "id": job.pk,
            "kind": job.kind,
            "seconds": max(seconds, 0.0),
            "error": job.error_summary,
        }
        if outcome == JobStatus.SUCCEEDED:
            line = _("Job %(id)s (%(kind)s) succeeded in %(seconds).1f s.")
        elif outcome == "retry":
            line = _("Job %(id)s (%(kind)s) will be tried again: %(error)s")
        elif outcome == JobStatus.FAILED:
            line = _("Job %(id)s (%(kind)s) failed after %(seconds).1f s: %(error)s")
        else:
            return
        self.stdout.write(line % values)
