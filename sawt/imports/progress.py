"""How an import says how far it has come, for a page that shows a background import.

The import services take an optional `on_progress(done, total, stage)`; the command line's
tqdm bar is separate and unchanged. The callback must be cheap: it is called every few thousand
rows, from inside the import (a background job only records the numbers in memory).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from sawt.imports.readers import Table

ProgressCallback = Callable[[int, int | None, str], None]
# The stages an import goes through, as a page names them.
READING, SAVING = "reading", "saving"
SAVE_STEP = 5_000
T = TypeVar("T")


def report_reading(table: Table, on_progress: ProgressCallback | None) -> None:
    """Have `table` report the rows read so far (the header row is not counted)."""
    if on_progress is not None:
        table.on_row = lambda number: on_progress(number - 1, None, READING)


def report_saving(
    items: Iterable[T], total: int, on_progress: ProgressCallback | None
) -> Iterator[T]:
    """`items` as they are, reporting every SAVE_STEP of the `total` rows saved."""
    if on_progress is None:
        yield from items
        return
    on_progress(0, total, SAVING)
    done = 0
    for done, item in enumerate(items, start=1):
        if done % SAVE_STEP == 0:
            on_progress(done, total, SAVING)
        yield item
    on_progress(done, total, SAVING)


def report(on_progress: ProgressCallback | None, *args: Any) -> None:
    """Call `on_progress(*args)` if there is one."""
    if on_progress is not None:
        on_progress(*args)
