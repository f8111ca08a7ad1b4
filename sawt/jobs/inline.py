"""Start `sawt worker` beside the web server, so the demo runs background jobs in one terminal."""

from __future__ import annotations

import os
import subprocess
import sys

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

OFF = {"0", "false", "no", "off"}


def inline_worker_wanted() -> bool:
    """False when SAWT_INLINE_WORKER is 0/false/no/off: operators run `sawt worker` themselves."""
    return os.environ.get("SAWT_INLINE_WORKER", "1").strip().lower() not in OFF


def inline_worker_start() -> subprocess.Popen | None:
    """Start a worker as a child that exits when this process does; None if not wanted here."""
    if not inline_worker_wanted():
        return None
    # The dev server's autoreloader re-runs `sawt serve` in a child process on every code
    # change; the first, outer process already started the worker, and it outlives reloads.
    if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
        return None
    # The worker watches this pid as its parent. `serve` then execs gunicorn, which keeps the
    # pid, so the worker lives exactly as long as the web server, with no supervisor needed.
    argv = [sys.executable, "-m", "sawt.cli", "worker", "--exit-with-parent", str(os.getpid())]
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL)
