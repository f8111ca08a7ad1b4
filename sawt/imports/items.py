"""A batch of items sent to the API (JSON objects) as a table with the interface of an opened
file (`sawt.imports.readers.Table`), so the API and the file imports check rows with the same
code: one set of rules, one set of messages.

Each item is a row numbered by its index in the batch (from 0), so a problem's row is the
item's index; its columns are the item's keys, normalised as a file's header is. The header
always holds the columns the caller names (`columns`), so an item that leaves a required key
out is told so on its own row, as a blank cell is in a file, rather than the whole batch being
refused for a missing column.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sawt.imports.problems import ImportFailed, ProblemCollector, RowProblem
from sawt.imports.readers import Table, normalise_header

# What a JSON cell may hold: what a CSV or XLSX cell could (text, a number, nothing).
_SCALARS = (str, int, float, type(None))


def items_table(
    items: Sequence[tuple[int, Mapping[str, Any]]],
    problems: ProblemCollector,
    columns: Sequence[str] = (),
) -> Table:
    """The items, each (index in the batch, object), as a table. A value that is not text, a
    number or null (a list, an object, true or false) is a problem of that item and key; so is
    an item with nothing in it (a file would skip a blank row; a batch's item was meant)."""
    header = [normalise_header(name) for name in columns]
    for _index, item in items:
        for key in item:
            name = normalise_header(key)
            if name and name not in header:
                header.append(name)
    position = {name: i for i, name in enumerate(header)}

    def source() -> Iterator[tuple[int, Sequence[Any]]]:
        for index, item in items:
            cells: list[Any] = [None] * len(header)
            for key, value in item.items():
                name = normalise_header(key)
                if not name:
                    continue
                if isinstance(value, bool) or not isinstance(value, _SCALARS):
                    problems.add(index, name, _("This must be text or a number."))
                    continue
                cells[position[name]] = value
            if not any(cell is not None and str(cell).strip() for cell in cells):
                problems.add(index, None, _("This item is empty."))
            yield index, cells

    return Table(kind="csv", header=header, problems=problems, _source=source())


class BatchRefused(ImportFailed):
    """A batch refused whole: nothing was saved. Its problems are by item (row = index)."""

    def __init__(self, problems: list[RowProblem], *, more: int = 0) -> None:
        super().__init__(problems, more=more)
        total = len(problems) + more
        self.message = ngettext(
            "The batch has %(count)s problem; nothing of it was saved.",
            "The batch has %(count)s problems; nothing of it was saved.",
            total,
        ) % {"count": total}
        self.args = (self.message,)


def item_problems(failed: ImportFailed, paths: Mapping[str, str] | None = None) -> BatchRefused:
    """The same refusal with each problem's column turned into the item's key path (`q1` →
    `answers.q1`, by `paths`)."""
    paths = paths or {}
    moved = [
        RowProblem(p.row, paths.get(p.column, p.column) if p.column else p.column, p.message)
        for p in failed.problems
        if isinstance(p, RowProblem)
    ]
    return BatchRefused(moved, more=failed.more)
