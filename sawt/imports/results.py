"""What an import did, for the command line, the web page and the audit row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.db import models
from django.utils.translation import gettext as _

from sawt.core.audit import audit_record
from sawt.core.events import event_announce


@dataclass(frozen=True)
class ImportResult:
    """Rows read from the file, and how many records they created, updated or left unchanged."""

    rows: int
    created: int
    updated: int
    unchanged: int
    # Only a journey definition removes anything (unused items it no longer lists).
    removed: int = 0
    # What became of each column of the file (sawt.imports.mapping.ColumnReport), when a
    # table import tells; not a count, so neither in `as_dict` nor compared.
    columns: Any = field(default=None, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }

    def lines(self) -> list[str]:
        """The summary, then (for a table) what became of its columns."""
        return [self.summary(), *([self.columns.line()] if self.columns is not None else [])]

    def summary(self, of: Literal["rows", "items"] = "rows") -> str:
        """One line for people: `256 rows read: 250 created, 6 updated, 0 unchanged.`

        A journey definition counts items (stages, questions…) and can also remove some."""
        if of == "items":
            return (
                _(
                    "%(rows)s items read: %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged, %(removed)s removed."
                )
                % self.as_dict()
            )
        return (
            _(
                "%(rows)s rows read: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged."
            )
            % self.as_dict()
        )


def rows_import_result(
    *, read: int, created: int, updated: int, action: str, obj: models.Model, path: Path, actor: Any
) -> ImportResult:
    """The result of a row import, audited when it changed something (inside its transaction);
    a re-run that changes nothing leaves no audit row either."""
    result = ImportResult(
        rows=read, created=created, updated=updated, unchanged=read - created - updated
    )
    if result.changed:
        audit_record(
            actor=actor, action=action, obj=obj, data={"file": path.name, **result.as_dict()}
        )
    # Every row import ends here, inside its transaction: other systems hear of it (webhooks).
    event_announce("import.finished", obj, action=action, **result.as_dict())
    return result
