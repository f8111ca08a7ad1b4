"""The base of `sawt` commands that read or write the database."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, OutputWrapper
from django.utils import translation

from sawt.core.schema import schema_problem


def database_ready_or_exit(
    stderr: OutputWrapper, lang: str | None = None, *, applied_all: bool = True
) -> None:
    """Stop the command with a clear message (exit 1, no traceback) if the database is missing,
    unreachable or not migrated to this version of sawt (see schema_problem)."""
    with translation.override(lang or translation.get_language()):
        problem = schema_problem(applied_all=applied_all)
    if problem:
        stderr.write(problem)
        sys.exit(1)


class DatabaseCommand(BaseCommand):
    """A command that needs the database: checked once its arguments are parsed (so `--help`
    needs no database), before it does anything."""

    def execute(self, *args: Any, **options: Any) -> Any:
        # BaseCommand.execute is where call_command's stderr=… takes effect: not yet here.
        stderr = OutputWrapper(options["stderr"]) if options.get("stderr") else self.stderr
        database_ready_or_exit(stderr, options.get("lang"))
        return super().execute(*args, **options)
