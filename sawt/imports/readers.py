"""Open an uploaded table (CSV or XLSX) as rows numbered the way a spreadsheet shows them.

Every file is treated as hostile: its size is checked before reading, an XLSX's unpacked size
before parsing (zip bombs), and openpyxl parses XML through defusedxml.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from tqdm import tqdm

from sawt.imports.problems import ImportFailed, ProblemCollector, RowProblem, Unit
from sawt.imports.values import cell_key

Kind = Literal["csv", "xlsx"]
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 binary .xls format
_BOOL_TEXT = {True: "TRUE", False: "FALSE"}


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
    _source: Iterator[Sequence[Any]] = field(repr=False)
    # The column names as written (for writing a file back with the user's own header).
    raw_header: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        """(spreadsheet row number, cells aligned with `header`); blank rows are skipped."""
        width = len(self.header)
        for number, cells in enumerate(self._source, start=2):
            if len(cells) != width:
                if len(cells) > width and any(_filled(c) for c in cells[width:]):
                    self.problems.add(
                        number,
                        None,
                        _("This row has more cells than the first row has column names."),
                    )
                    continue
                cells = (list(cells) + [None] * width)[:width]
            if any(_filled(c) for c in cells):
                yield number, cells

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(spreadsheet row number, {column name: cell}) for readers that prefer names."""
        named = [(i, name) for i, name in enumerate(self.header) if name]
        for number, cells in self.rows():
            yield number, {name: cells[i] for i, name in named}


def _filled(cell: Any) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


@contextmanager
def open_table(
    path: Path, *, problems: ProblemCollector | None = None, progress: bool = False
) -> Iterator[Table]:
    """Open `path` as CSV or XLSX (decided by content, then extension) and read its header."""
    problems = problems if problems is not None else ProblemCollector()
    kind = detect_kind(path)
    with ExitStack() as stack:
        bar = stack.enter_context(_progress_bar(path, progress))
        if kind == "xlsx":
            source = stack.enter_context(_xlsx_rows(path, bar))
        else:
            source = _csv_rows(stack, path, bar)
        first = next(source, None)
        if first is None or not any(_filled(c) for c in first):
            raise refuse(_("The first row must hold the column names, but it is empty."), row=1)
        header = [normalise_header(c) for c in first]
        _check_header(header, problems)
        raw = ["" if c is None else str(c) for c in first]
        yield Table(kind=kind, header=header, problems=problems, _source=source, raw_header=raw)


def _check_header(header: list[str], problems: ProblemCollector) -> None:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            problems.add(1, name, _("This column name appears more than once in the first row."))
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


def _sniff_delimiter(first_line: str) -> str:
    # Excel writes ';' or a tab in some locales; the header line tells which one was used.
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class _CountingRaw(io.RawIOBase):
    """Reports bytes read to the progress bar; the bar stays silent for fast imports."""

    def __init__(self, raw: IO[bytes], bar: tqdm) -> None:
        self._raw, self._bar = raw, bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self._bar.update(n or 0)
        return n or 0


def _csv_rows(stack: ExitStack, path: Path, bar: tqdm) -> Iterator[list[str]]:
    encoding = detect_encoding(path)
    raw: IO[bytes] = stack.enter_context(path.open("rb", buffering=0))
    if not bar.disable:
        raw = io.BufferedReader(_CountingRaw(raw, bar), buffer_size=1 << 16)
    else:
        raw = io.BufferedReader(raw, buffer_size=1 << 16)  # type: ignore[arg-type]
    text = stack.enter_context(io.TextIOWrapper(raw, encoding=encoding, newline=""))
    first_line = text.readline()
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(_chain_first(first_line, text), delimiter=delimiter)
    return _guard_csv(reader)


def _chain_first(first: str, rest: IO[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def _guard_csv(reader: Any) -> Iterator[list[str]]:
    # A csv.Error (a field over the size limit) or a decoding error names the row it hit.
    row_number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeError) as error:
            raise refuse(
                _("This row cannot be read as CSV (%(reason)s).") % {"reason": error},
                row=row_number + 1,
            ) from None
        row_number += 1
        yield row


# --- XLSX -----------------------------------------------------------------------------------


def check_unpacked_size(path: Path) -> None:
    """Refuse an XLSX whose members unpack beyond the limit, before any XML is parsed."""
    limit = getattr(settings, "SAWT_IMPORT_MAX_UNPACKED_BYTES", settings.SAWT_IMPORT_MAX_BYTES)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise refuse(_("The XLSX workbook is damaged and cannot be opened.")) from None
    # zipfile stops every member at its declared size, so the declared sizes are a real bound.
    if unpacked > limit:
        raise refuse(
            _("The workbook unpacks to %(size)s MB, over the limit of %(limit)s MB.")
            % {"size": _megabytes(unpacked), "limit": _megabytes(limit)}
        )


@contextmanager
def _xlsx_rows(path: Path, bar: tqdm) -> Iterator[Iterator[Sequence[Any]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise refuse(_("XLSX files cannot be read safely on this server; upload a CSV file."))
    check_unpacked_size(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise refuse(_("The XLSX workbook is damaged and cannot be opened.")) from None
    try:
        if not book.worksheets:
            raise refuse(_("The XLSX workbook is damaged and cannot be opened."))
        sheet = book.worksheets[0]
        total = sheet.max_row
        # A stored dimension can be wrong; without it every cell of every row is read.
        sheet.reset_dimensions()
        bar.reset(total=total)
        bar.unit, bar.unit_scale = "row", False
        yield _counted(sheet.iter_rows(min_row=1, values_only=True), bar)
    finally:
        book.close()


def _counted(rows: Iterator[Sequence[Any]], bar: tqdm) -> Iterator[Sequence[Any]]:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException

    count = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except (ParseError, DefusedXmlException, zipfile.BadZipFile, KeyError, ValueError):
            # Hostile or broken sheet XML (entities, truncated parts) ends the import cleanly.
            raise refuse(
                _("The XLSX workbook is damaged and cannot be read past row %(row)s.")
                % {"row": count}
            ) from None
        count += 1
        if count % 1000 == 0:
            bar.update(1000)
        if any(type(c) is bool for c in row):
            # True == 1 in Python: a TRUE cell must never pass for a score of 1.
            row = tuple(_BOOL_TEXT[c] if type(c) is bool else c for c in row)
        yield row
