"""`sawt serve [--host H] [--port P]`: gunicorn in production, Django's dev server with DEBUG.

Either way a background-job worker runs beside it (SAWT_INLINE_WORKER=0 turns that off; see
docs/decisions/0004-background-jobs.md)."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from sawt.jobs.inline import inline_worker_start


class Command(BaseCommand):
    help = "Serve the web application."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("SAWT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SAWT_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("SAWT_WORKERS", "3")))

    def handle(self, *args, **opts) -> None:
        bind = f"{opts['host']}:{opts['port']}"
        if settings.DEBUG:
            inline_worker_start()
            call_command("runserver", bind)
            return
        # Static files are served by WhiteNoise from STATIC_ROOT, so collect them first
        # (fast and idempotent: unchanged files are skipped).
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "sawt.config.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(opts["workers"]),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")
        # Started last, just before the exec: gunicorn keeps this pid, which the worker
        # watches, so the two stop together.
        inline_worker_start()
        sys.stdout.flush()
        os.execv(sys.executable, argv)
