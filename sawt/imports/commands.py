"""What the import commands share: --lang, --no-progress, and how a refusal is shown."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import translation

from sawt.core.commands import DatabaseCommand
from sawt.core.exceptions import ApplicationError
from sawt.imports.problems import application_error_lines


class ImportCommand(DatabaseCommand):
    """A thin command: parse arguments, call one service, print one line or the problems.

    Subclasses add their arguments and implement `run(options) -> str` (the line to print)."""

    file_help = "the file to import"
    # A journey definition is a few kilobytes: no progress bar to speak of.
    progress_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=self.file_help)
        parser.add_argument(
            "--lang", choices=["ar", "en"], help="language of the messages (default: Arabic)"
        )
        if not self.progress_option:
            return
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="never show a progress bar (one shows on a terminal when a file takes a while)",
        )

    def run(self, options: dict[str, Any]) -> str:
        raise NotImplementedError

    def progress_wanted(self, options: dict[str, Any]) -> bool:
        # The bar goes to stderr and only to a terminal: logs and pipes stay clean.
        return not options.get("no_progress") and sys.stderr.isatty()

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"] or translation.get_language()):
            self.stdout.write(self.run_service(lambda: self.run(options)))

    def run_service(self, call: Callable[[], str]) -> str:
        """Call the service; on a refusal print its lines to stderr and exit with status 1."""
        try:
            return call()
        except ApplicationError as error:
            for line in application_error_lines(error):
                self.stderr.write(line, style_func=lambda text: text)
            # SystemExit, not CommandError: Django would prefix "CommandError:" to the message.
            raise SystemExit(1) from None
