"""`sawt report [--journey SLUG] --period YYYY-MM --out FILE.pdf|FILE.html [--lang ar|en]`."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from sawt.core.commands import DatabaseCommand
from sawt.core.exceptions import ApplicationError
from sawt.core.numbers import DIGITS
from sawt.reports.html import report_html
from sawt.reports.pdf import report_pdf
from sawt.reports.selectors import report_get

FORMATS = (".pdf", ".html")


def _check_output(path: Path) -> None:
    """Refuse an output the command could not write, before any work is done."""
    if path.suffix.lower() not in FORMATS:
        raise ApplicationError(
            _("The output file must end in .pdf or .html, for example %(example)s.")
            % {"example": "report.pdf"}
        )
    folder = path.parent
    if not folder.is_dir():
        raise ApplicationError(_("The folder “%(folder)s” does not exist.") % {"folder": folder})
    if path.is_dir() or not os.access(folder, os.W_OK):
        reason = _("it is a folder") if path.is_dir() else _("the folder is not writable")
        raise ApplicationError(
            _("The file “%(path)s” cannot be written: %(reason)s.")
            % {"path": path, "reason": reason}
        )


def _write(path: Path, data: bytes) -> None:
    # Write beside the target and rename: a failure never leaves half a report behind.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".sawt-report-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(DatabaseCommand):
    help = "Write a journey's report, or the portfolio of a period, as a PDF or an HTML file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--journey", help="journey slug; without it, every journey")
        parser.add_argument("--period", required=True, help="period as YYYY-MM")
        parser.add_argument("--out", required=True, help="output file, .pdf or .html")
        parser.add_argument("--lang", choices=["ar", "en"], default="ar")
        parser.add_argument("--digits", choices=list(DIGITS), default="latin")
        parser.add_argument(
            "--target", type=float, default=None, help="score target (default from settings)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["out"]).expanduser().absolute()
        lang, digits = opts["lang"], opts["digits"]
        target = settings.SAWT_REPORT_TARGET if opts["target"] is None else opts["target"]
        with translation.override(lang):
            try:
                _check_output(path)
                report = report_get(
                    period=opts["period"], journey_slug=opts["journey"], target=target
                )
                if path.suffix.lower() == ".pdf":
                    data = report_pdf(report, lang=lang, digits=digits)
                else:
                    html = report_html(report, lang=lang, digits=digits, for_pdf=True)
                    data = html.encode("utf-8")
                _write(path, data)
            except ApplicationError as exc:
                self.stderr.write(exc.message)
                sys.exit(1)
            except OSError as exc:
                self.stderr.write(
                    _("The file “%(path)s” cannot be written: %(reason)s.")
                    % {"path": path, "reason": exc.strerror or exc}
                )
                sys.exit(1)
        self.stdout.write(str(path))
