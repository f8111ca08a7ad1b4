"""`sawt export --journey SLUG --period YYYY-MM --out FILE.xlsx [--lang ar|en]`."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from sawt.core.commands import DatabaseCommand
from sawt.core.exceptions import ApplicationError
from sawt.reports.dataset import journey_report


def write_atomically(path: Path, data: bytes) -> None:
    """Write next to `path`, then rename: a failure never leaves a half-written workbook."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(DatabaseCommand):
    help = "Export a journey's report for a period as an XLSX workbook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--journey", required=True, help="journey slug")
        parser.add_argument("--period", required=True, help="period as YYYY-MM")
        parser.add_argument("--out", required=True, type=Path, help="the workbook to write (.xlsx)")
        parser.add_argument("--lang", choices=["ar", "en"], help="language of the workbook")

    def handle(self, *args: Any, **opts: Any) -> None:
        lang = opts["lang"] or translation.get_language() or "ar"
        with translation.override(lang):
            try:
                path = self._export(opts["journey"], opts["period"], opts["out"], lang)
            except ApplicationError as exc:
                self.stderr.write(exc.message)
                sys.exit(1)
        self.stdout.write(str(path))

    def _export(self, slug: str, period: str, out: Path, lang: str) -> Path:
        # Checked before any query, so a typo in the name costs nothing and writes nothing.
        if out.suffix.lower() != ".xlsx":
            raise ApplicationError(
                _("The output file must end in .xlsx, for example %(example)s.")
                % {"example": f"{slug}-{period}.xlsx"}
            )
        path = out.expanduser().resolve()
        if not path.parent.is_dir():
            raise ApplicationError(
                _("The folder “%(folder)s” does not exist.") % {"folder": path.parent}
            )
        # openpyxl loads here, not with the module: `sawt export --help` stays quick.
        from sawt.reports.xlsx import report_xlsx

        data = report_xlsx(journey_report(journey_slug=slug, period=period), lang=lang)
        try:
            write_atomically(path, data)
        except OSError as exc:
            raise ApplicationError(
                _("The file “%(path)s” cannot be written: %(reason)s.")
                % {"path": path, "reason": exc.strerror or exc}
            ) from None
        return path
