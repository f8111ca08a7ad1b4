"""Open an uploaded table (CSV or XLSX) as rows numbered the way a spreadsheet shows them.

Every file is treated as hostile: its size is checked before reading, an XLSX's package before
parsing (zip bombs, see `sawt.imports.xlsx`), a CSV line's length as it is read, and reading
stops once SAWT_IMPORT_MAX_PROBLEMS problems are found, so a bad file costs what its first bad
rows cost.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from tqdm import tqdm

from sawt.imports.problems import ImportFailed, ProblemCollector, RowProblem, Unit
from sawt.imports.sniff import foreign_document
from sawt.imports.values import cell_key
from sawt.imports.xlsx import MAX_COLUMNS, sheet_rows

Kind = Literal["csv", "xlsx"]
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 binary .xls format
# A CSV line is read whole before it is split: bound it (cells are bounded by csv's own
# 128 KiB field limit, so a real row of many long texts stays far below this).
MAX_LINE_CHARS = 8 * 1024 * 1024
# A table's `on_row` hears of every this many rows read (a background import's progress).
ROWS_STEP = 1000


def refuse(message: str, row: int | None = None, unit: Unit = "row") -> ImportFailed:
    """A file-level problem: the whole file is refused with one message."""
    return ImportFailed([RowProblem(row, None, message)], unit=unit)


def normalise_header(value: Any) -> str:
    """Column names compare without case, BOM, direction marks or surrounding spaces."""
    return cell_key(value).lower()


@dataclass
class Table:
    """An opened table: normalised column names and an iterator over its non-blank rows."""

    kind: Kind
    header: list[str]
    problems: ProblemCollector
    # (spreadsheet row number, cells) after the header row.
    _source: Iterator[tuple[int, Sequence[Any]]] = field(repr=False)
    # The column names as written (for writing a file back with the user's own header).
    raw_header: list[str] = field(default_factory=list)
    # Told the row number every ROWS_STEP rows (a background import's progress; the command
    # line's bar follows bytes instead).
    on_row: Callable[[int], None] | None = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        """(spreadsheet row number, cells aligned with `header`); blank rows are skipped.

        Reading stops once the problems are `full` (the caller's, found on the rows yielded,
        count too), and the collector records the row it stopped at."""
        width = len(self.header)
        problems = self.problems
        for number, cells in self._source:
            if self.on_row is not None and number % ROWS_STEP == 0:
                self.on_row(number)
            if cells:
                if len(cells) != width:
                    if len(cells) > width and any(_filled(c) for c in cells[width:]):
                        problems.add(
                            number,
                            None,
                            _("This row has more cells than the first row has column names."),
                        )
                        cells = ()
                    else:
                        cells = (list(cells[:width]) + [None] * width)[:width]
                if any(_filled(c) for c in cells):
                    yield number, cells
            if problems.full:
                problems.stopped_at = number
                return

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(spreadsheet row number, {column name: cell}) for readers that prefer names."""
        named = [(i, name) for i, name in enumerate(self.header) if name]
        for number, cells in self.rows():
            yield number, {name: cells[i] for i, name in named}


def _filled(cell: Any) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


@contextmanager
def open_table(
    path: Path,
    *,
    problems: ProblemCollector | None = None,
    progress: bool = False,
    sheet: str | int | None = None,
    header_row: int = 1,
) -> Iterator[Table]:
    """Open `path` as CSV or XLSX (decided by content, then extension) and read its header.

    A workbook's first sheet is read unless `sheet` names one (or gives its position, from 0);
    the column names are on row `header_row`, and the (title) rows above it are skipped."""
    problems = problems if problems is not None else ProblemCollector()
    kind = detect_kind(path)
    with ExitStack() as stack:
        bar = stack.enter_context(_progress_bar(path, progress))
        source: Iterator[tuple[int, Sequence[Any]]]
        if kind == "xlsx":
            source = stack.enter_context(sheet_rows(path, bar, sheet))
        else:
            source = _csv_rows(stack, path, bar)
        number, first = next(source, (0, ()))
        while 0 < number < header_row:
            number, first = next(source, (0, ()))
        if number != header_row or not any(_filled(c) for c in first):
            if header_row != 1:
                raise refuse(
                    _("Row %(row)s must hold the column names, but it is empty.")
                    % {"row": header_row},
                    row=header_row,
                )
            raise refuse(_("The first row must hold the column names, but it is empty."), row=1)
        if len(first) > MAX_COLUMNS:
            raise refuse(
                _("The first row has %(count)s columns; a table has at most %(limit)s.")
                % {"count": f"{len(first):,}", "limit": f"{MAX_COLUMNS:,}"},
                row=header_row,
            )
        header = [normalise_header(c) for c in first]
        _check_header(header, problems, header_row)
        raw = ["" if c is None else str(c) for c in first]
        yield Table(kind=kind, header=header, problems=problems, _source=source, raw_header=raw)


def _check_header(header: list[str], problems: ProblemCollector, row: int = 1) -> None:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            problems.add(row, name, _("This column name appears more than once in the first row."))
        seen.add(name)


def detect_kind(path: Path) -> Kind:
    """CSV or XLSX, after checking that the file exists and is not too large."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            magic = handle.read(8)
    except FileNotFoundError:
        raise refuse(_("The file “%(name)s” was not found.") % {"name": path.name}) from None
    except OSError:
        raise refuse(_("The file “%(name)s” cannot be read.") % {"name": path.name}) from None
    limit = settings.SAWT_IMPORT_MAX_BYTES
    if size > limit:
        raise refuse(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )
    if magic.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise refuse(
            _(
                "This is an old Excel workbook (.xls). Save it as XLSX or as CSV UTF-8 "
                "and try again."
            )
        )
    # Another program's document (JSON, XML, a LimeSurvey archive...) is named for what it is.
    hint = foreign_document(path, magic)
    if hint:
        raise refuse(hint)
    if magic.startswith(_ZIP_MAGIC):
        return "xlsx"
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        raise refuse(_("The file is named like an XLSX workbook but is not one."))
    return "csv"


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:,.1f}"


@contextmanager
def _progress_bar(path: Path, enabled: bool) -> Iterator[tqdm]:
    # The bar appears only after a second, so small files never show one.
    bar = tqdm(
        total=path.stat().st_size,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=path.name,
        file=sys.stderr,
        delay=1.0,
        leave=False,
        disable=not enabled,
    )
    try:
        yield bar
    finally:
        bar.close()


# --- CSV ------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """utf-16 (with its BOM), utf-8-sig when every byte is valid UTF-8, else cp1256."""
    with path.open("rb") as handle:
        start = handle.read(4)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        seen_non_ascii, lines = False, 1
        while chunk := handle.read(1 << 20):
            if chunk.isascii():
                lines += chunk.count(b"\n")
                continue
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                if seen_non_ascii or not chunk[: error.start].isascii():
                    # Valid UTF-8 Arabic before a bad byte: a damaged UTF-8 file, not cp1256.
                    row = lines + chunk[: error.start].count(b"\n")
                    raise refuse(
                        _(
                            "The file is saved as UTF-8 but has bytes that are not UTF-8 near "
                            "line %(line)s. Save it again as CSV UTF-8."
                        )
                        % {"line": row}
                    ) from None
                return "cp1256"
            seen_non_ascii = True
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1256"
    return "utf-8-sig"


_DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 20


def _sniff_delimiter(first_line: str) -> str:
    # Excel writes ';' or a tab in some locales; the header line tells which one was used.
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class _CountingRaw(io.RawIOBase):
    """Reports bytes read to the progress bar; the bar stays silent for fast imports."""

    def __init__(self, raw: io.RawIOBase, bar: tqdm) -> None:
        self._raw, self._bar = raw, bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)
        self._bar.update(n or 0)
        return n or 0


def _csv_rows(stack: ExitStack, path: Path, bar: tqdm) -> Iterator[tuple[int, list[str]]]:
    encoding = detect_encoding(path)
    file: io.RawIOBase = stack.enter_context(path.open("rb", buffering=0))
    source = file if bar.disable else _CountingRaw(file, bar)
    raw = io.BufferedReader(source, buffer_size=1 << 16)
    text = stack.enter_context(io.TextIOWrapper(raw, encoding=encoding, newline=""))
    lines = _bounded_lines(text)
    # Title lines above the header (a mapping's header_row) may hold no delimiter at all: the
    # first of the opening lines that holds one tells which is used.
    opening: list[str] = []
    try:
        while len(opening) < _SNIFF_LINES and (line := next(lines, "")):
            opening.append(line)
            if any(d in line for d in _DELIMITERS):
                break
    except (_LineTooLong, UnicodeError) as error:
        raise _unreadable(error, len(opening) + 1) from None
    delimiter = _sniff_delimiter(opening[-1] if opening else "")
    reader = csv.reader(_chain_first(opening, lines), delimiter=delimiter)
    return _guard_csv(reader)


class _LineTooLong(Exception):
    pass


def _bounded_lines(text: IO[str]) -> Iterator[str]:
    # readline(limit) never holds more than the limit in memory, unlike iterating the file.
    while line := text.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise _LineTooLong
        yield line


def _chain_first(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from first
    yield from rest


def _unreadable(error: Exception, row: int) -> ImportFailed:
    if isinstance(error, _LineTooLong):
        return refuse(
            _(
                "This row has a line longer than %(limit)s characters, far longer than a "
                "table's row; the file is not a table."
            )
            % {"limit": f"{MAX_LINE_CHARS:,}"},
            row=row,
        )
    return refuse(
        _("This row cannot be read as CSV (%(reason)s).") % {"reason": error},
        row=row,
    )


def _guard_csv(reader: Any) -> Iterator[tuple[int, list[str]]]:
    # A csv.Error (a field over the size limit) or a decoding error names the row it hit.
    row_number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeError, _LineTooLong) as error:
            raise _unreadable(error, row_number + 1) from None
        row_number += 1
        yield row_number, row


# A preview shows this many of a table's first rows, and cells cut to this many characters.
PREVIEW_ROWS = 20
PREVIEW_CELL = 80


def preview_rows(
    path: Path, *, sheet: str | int | None = None, limit: int = PREVIEW_ROWS
) -> list[tuple[int, list[str]]]:
    """The first `limit` non-empty rows of a file (a workbook's first sheet, or `sheet`), as
    text, for someone to see which row holds the column names and which column is which.

    Read by the same guarded readers as an import (size, encodings, a workbook's parts), and
    no further than `limit` rows; refusals are `ImportFailed` like an import's."""
    kind = detect_kind(path)
    found: list[tuple[int, list[str]]] = []
    with ExitStack() as stack:
        bar = stack.enter_context(_progress_bar(path, False))
        source: Iterator[tuple[int, Sequence[Any]]]
        if kind == "xlsx":
            source = stack.enter_context(sheet_rows(path, bar, sheet))
        else:
            source = _csv_rows(stack, path, bar)
        for number, cells in source:
            found.append((number, [_preview_cell(c) for c in list(cells)[:MAX_COLUMNS]]))
            if len(found) >= limit:
                break
    return found


def _preview_cell(cell: Any) -> str:
    if cell is None:
        return ""
    text = cell.isoformat(sep=" ") if hasattr(cell, "isoformat") else str(cell)
    text = text.strip()
    return text if len(text) <= PREVIEW_CELL else text[: PREVIEW_CELL - 1] + "…"
