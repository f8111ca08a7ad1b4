"""`sawt worker [--once] [--sleep SECONDS] [--exit-with-parent PID]`: run queued background jobs."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections, connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sawt.jobs.choices import JobStatus
from sawt.jobs.models import Job
from sawt.jobs.services import job_claim_next, job_run

logger = logging.getLogger(__name__)
# Longest wait after a database error (the database restarting, migrations not yet run).
MAX_BACKOFF = 60.0
# Sleeps are cut into slices this long so a stop request or a dead parent is noticed quickly.
SLICE = 0.2


def _refresh_connections() -> None:
    # A long job can outlive its connection (server timeouts, CONN_MAX_AGE, a restart): drop
    # broken or old ones so the next query reconnects. Inside a caller's transaction (a test's)
    # the connection is not ours to close.
    if not connection.in_atomic_block:
        close_old_connections()


class Command(BaseCommand):
    help = "Run queued background jobs, oldest first."

    def add_arguments(self, parser: CommandParser) -> None:
        # argparse needs real strings, so the help is translated here, once a language is active.
        parser.description = _("Run queued background jobs, oldest first.")
        parser.add_argument(
            "--once", action="store_true", help=_("Run every queued job, then exit.")
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
        self.previous = self._trap_signals()
        try:
            if opts["once"]:
                ran = self._drain()
                self.stdout.write(
                    ngettext("Ran %(count)d job.", "Ran %(count)d jobs.", ran) % {"count": ran}
                )
            else:
                self._serve(max(opts["sleep"], 0.0))
        finally:
            for signum, handler in self.previous.items():
                signal.signal(signum, handler)

    def _trap_signals(self) -> dict[int, Any]:
        # Signal handlers can only be set from the main thread (not so under some test runners).
        if threading.current_thread() is not threading.main_thread():
            return {}
        signums = (signal.SIGTERM, signal.SIGINT)
        # getsignal() gives None for a handler not set from Python; default is the safe undo.
        previous = {signum: signal.getsignal(signum) or signal.SIG_DFL for signum in signums}
        for signum in signums:
            signal.signal(signum, self._request_stop)
        return previous

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        # Finish the job in hand, then exit; a second signal acts as it would without us
        # (Ctrl-C twice interrupts even a long job, leaving it marked running).
        self.stopping = True
        signal.signal(signum, self.previous.get(signum, signal.SIG_DFL))

    def _should_stop(self) -> bool:
        return self.stopping or (self.parent is not None and os.getppid() != self.parent)

    def _nap(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._should_stop() and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(SLICE, left))

    def _run_one(self) -> bool:
        """Claim and run the oldest queued job; False if nothing was queued."""
        job = job_claim_next()
        if job is None:
            return False
        job = job_run(job)
        self._report(job)
        _refresh_connections()
        return True

    def _drain(self) -> int:
        ran = 0
        while not self._should_stop() and self._run_one():
            ran += 1
        return ran

    def _serve(self, sleep: float) -> None:
        self.stdout.write(
            _("Worker started: running background jobs, looking every %(seconds)g s when idle.")
            % {"seconds": sleep}
        )
        backoff = 0.0
        while not self._should_stop():
            try:
                ran = self._run_one()
                backoff = 0.0
            except DatabaseError as exc:
                # The worker outlives a database restart (or a database not yet migrated):
                # say so, wait longer each time, retry. Its traceback would tell nothing more.
                backoff = min(max(backoff * 2, sleep, 1.0), MAX_BACKOFF)
                logger.warning("Worker cannot use the database (%s); retrying in %gs", exc, backoff)
                _refresh_connections()
                self._nap(backoff)
                continue
            if not ran:
                self._nap(sleep)
        self.stdout.write(_("Worker stopped."))

    def _report(self, job: Job) -> None:
        if self.verbosity < 1:
            return
        seconds = (job.finished_at - job.started_at).total_seconds() if job.started_at else 0.0
        if job.status == JobStatus.SUCCEEDED:
            line = _("Job %(id)s (%(kind)s) succeeded in %(seconds).1f s.")
        else:
            line = _("Job %(id)s (%(kind)s) failed after %(seconds).1f s: %(error)s")
        values = {"id": job.pk, "kind": job.kind, "seconds": seconds, "error": job.error_summary}
        self.stdout.write(line % values)
