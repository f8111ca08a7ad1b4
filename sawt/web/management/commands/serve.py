"""`sawt serve [--host H] [--port P] [--workers N] [--threads T]`: gunicorn in production,
Django's dev server with DEBUG.

gunicorn runs sawt's threaded worker (sawt/web/gunicorn_worker.py), which gives a thread to a
request only once its head has arrived whole, so slow clients cannot hold the workers; in
production it sits behind a buffering proxy (docs/deployment.md). Either way a background-job
worker runs beside it (SAWT_INLINE_WORKER=0 turns that off; see
docs/decisions/0006-background-work-on-django-tasks.md)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from sawt.jobs.inline import inline_worker_start

# gunicorn's own limits on a request head, stated here so they are read (its defaults).
LIMIT_REQUEST_LINE = 4094
LIMIT_REQUEST_FIELDS = 100
LIMIT_REQUEST_FIELD_SIZE = 8190


def gunicorn_argv(*, bind: str, workers: int, threads: int) -> list[str]:
    """The gunicorn command line `sawt serve` execs."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "sawt.config.wsgi:application",
        "--bind",
        bind,
        "--worker-class",
        "sawt.web.gunicorn_worker.HeadFirstWorker",
        "--workers",
        str(workers),
        # Each worker serves this many requests at once; waiting clients cost no thread.
        "--threads",
        str(threads),
        # Open connections a worker keeps (slow or idle ones included) before it stops
        # accepting more; the kernel's backlog holds the rest.
        "--worker-connections",
        "1000",
        "--keep-alive",
        "5",
        # A worker whose main loop is silent this long is restarted (a request's own time is
        # not limited by this with threads).
        "--timeout",
        "120",
        "--graceful-timeout",
        "30",
        "--limit-request-line",
        str(LIMIT_REQUEST_LINE),
        "--limit-request-fields",
        str(LIMIT_REQUEST_FIELDS),
        "--limit-request-field_size",
        str(LIMIT_REQUEST_FIELD_SIZE),
        "--access-logfile",
        "-",
    ]


class Command(BaseCommand):
    help = "Serve the web application."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("SAWT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SAWT_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("SAWT_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("SAWT_THREADS", "8")))

    def handle(self, *args: Any, **opts: Any) -> None:
        bind = f"{opts['host']}:{opts['port']}"
        if settings.DEBUG:
            inline_worker_start()
            call_command("runserver", bind)
            return
        # Static files are served by WhiteNoise from STATIC_ROOT, so collect them first
        # (fast and idempotent: unchanged files are skipped).
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = gunicorn_argv(
            bind=bind, workers=max(opts["workers"], 1), threads=max(opts["threads"], 1)
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")
        # Started last, just before the exec: gunicorn keeps this pid, which the worker
        # watches, so the two stop together.
        inline_worker_start()
        sys.stdout.flush()
        os.execv(sys.executable, argv)
