"""Problems found in an imported file, and the error that carries them back to the person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sawt.core.exceptions import ApplicationError

# Tables count rows (header = row 1, as a spreadsheet shows them); YAML documents count lines.
Unit = Literal["row", "line"]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One thing wrong with the file: where (row or line, column or key path) and what."""

    row: int | None
    column: str | None
    message: str


def format_problem(problem: RowProblem, unit: Unit = "row") -> str:
    """`row 7, column q3: …` (or `line 7, questions[3].scale: …` for a YAML document)."""
    where = {"row": problem.row, "column": problem.column, "message": problem.message}
    if problem.row is not None and problem.column:
        if unit == "line":
            return _("line %(row)s, %(column)s: %(message)s") % where
        return _("row %(row)s, column %(column)s: %(message)s") % where
    if problem.row is not None:
        if unit == "line":
            return _("line %(row)s: %(message)s") % where
        return _("row %(row)s: %(message)s") % where
    if problem.column:
        if unit == "line":
            return _("%(column)s: %(message)s") % where
        return _("column %(column)s: %(message)s") % where
    return problem.message


class ImportFailed(ApplicationError):
    """The file was refused: nothing was written. `.problems` lists what to fix.

    `stopped_at` is the last row read when reading stopped at the problem limit: the rows after
    it were not checked, so the count is a floor, and the first line says so."""

    def __init__(
        self,
        problems: list[RowProblem],
        *,
        more: int = 0,
        unit: Unit = "row",
        stopped_at: int | None = None,
    ) -> None:
        total = len(problems) + more
        if stopped_at is None:
            message = ngettext(
                "The file was not imported because of %(count)s problem; nothing was saved.",
                "The file was not imported because of %(count)s problems; nothing was saved.",
                total,
            ) % {"count": total}
        else:
            message = ngettext(
                "The file was not imported: reading stopped at row %(row)s after %(count)s "
                "problem, so the rows after it were not checked; nothing was saved.",
                "The file was not imported: reading stopped at row %(row)s after %(count)s "
                "problems, so the rows after it were not checked; nothing was saved.",
                total,
            ) % {"count": total, "row": stopped_at}
        super().__init__(message, problems=problems)
        self.more = more
        self.unit = unit
        self.stopped_at = stopped_at

    def lines(self) -> list[str]:
        """The message, one line per problem, and how many more were left out."""
        out = [self.message, *(format_problem(p, self.unit) for p in self.problems)]
        if self.more:
            out.append(
                ngettext(
                    "… and %(count)s more problem (only the first %(limit)s are listed).",
                    "… and %(count)s more problems (only the first %(limit)s are listed).",
                    self.more,
                )
                % {"count": self.more, "limit": len(self.problems)}
            )
        return out


class ProblemCollector:
    """Collects problems up to SAWT_IMPORT_MAX_PROBLEMS, then only counts the rest.

    Once it is `full`, a table reader stops and records the row it stopped at: a hostile file
    of millions of bad rows then costs what its first bad rows cost."""

    def __init__(self, limit: int | None = None, unit: Unit = "row") -> None:
        self.limit = settings.SAWT_IMPORT_MAX_PROBLEMS if limit is None else limit
        self.unit: Unit = unit
        self.problems: list[RowProblem] = []
        self.more = 0
        self.stopped_at: int | None = None

    def add(self, row: int | None, column: str | None, message: str) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(RowProblem(row, column, message))
        else:
            self.more += 1

    @property
    def count(self) -> int:
        return len(self.problems) + self.more

    @property
    def full(self) -> bool:
        """As many problems as will be listed: reading on would only count more."""
        return len(self.problems) >= max(self.limit, 1)

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self) -> None:
        if self:
            raise ImportFailed(
                self.problems, more=self.more, unit=self.unit, stopped_at=self.stopped_at
            )


def application_error_lines(exc: ApplicationError) -> list[str]:
    """Lines an interface shows for any ApplicationError, with its problems if it has any."""
    if isinstance(exc, ImportFailed):
        return exc.lines()
    extra = [format_problem(p) if isinstance(p, RowProblem) else str(p) for p in exc.problems]
    return [exc.message, *extra]
