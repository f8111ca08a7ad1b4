"""An uploaded XLSX workbook read as hostile input: its package is checked before any XML is
parsed, then its first sheet is streamed row by row, numbered as the sheet numbers them.

What a workbook costs to read grows with the XML elements it unpacks to, not with its size: an
860 KB file of repeated rows unpacks to 300 MB. So before parsing, and cheaply (zip's directory,
then one pass of zlib and `bytes.count`, at hundreds of MB per second), a workbook is refused
when it has more parts than any workbook has, unpacks beyond SAWT_IMPORT_MAX_UNPACKED_BYTES, has
a large part packed more than 100 times tighter than it unpacks (Apache POI's zip-bomb rule), or
holds more XML elements per byte than a spreadsheet program writes. Reading then keeps to
Excel's own limits (1,048,576 rows, 16,384 columns): rows are numbered from the sheet, never
filled in one by one, and blank cells are never converted. XML goes through defusedxml.
"""

from __future__ import annotations

import logging
import re
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from tqdm import tqdm

from sawt.imports.problems import ImportFailed, RowProblem

logger = logging.getLogger(__name__)

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
# A workbook of 200 sheets with their drawings and comments has about 1,000 parts.
MAX_PARTS = 10_000
# Apache POI refuses parts that unpack to over 100 times their packed size (its 1 % minimum
# inflate ratio); real sheets pack 5-15 times. Small parts (themes) may pack as they like.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
# Spreadsheet programs write under one XML element per packed byte (0.3-0.9 measured on sheets
# of scores, texts and blank styled cells); a zip bomb writes hundreds. Three per byte, plus a
# floor for the small parts every workbook has, bounds the work per byte uploaded.
MAX_ELEMENTS_PER_BYTE = 3
ELEMENTS_FLOOR = 100_000
# The manifest, workbook and relations are parsed by openpyxl at some 20 µs an element; they
# hold a few hundred (sheets, defined names).
STRUCTURE_CAP = 50_000
_CHUNK = 1 << 20
_BOOL_TEXT = {True: "TRUE", False: "FALSE"}
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _DATA = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}sheetData"
_SI, _T, _RUN = f"{_MAIN}si", f"{_MAIN}t", f"{_MAIN}r"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+:[A-Z]+(\d+)\"")


def _refuse(message: str, row: int | None = None) -> ImportFailed:
    return ImportFailed([RowProblem(row, None, message)])


def _damaged() -> ImportFailed:
    return _refuse(_("The XLSX workbook is damaged and cannot be opened."))


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:,.1f}"


def _unsafe_workbook() -> str:
    return _("Save it again from a spreadsheet program, or as CSV UTF-8, and try again.")


# --- the package ----------------------------------------------------------------------------


def _declared_parts(handle: IO[bytes], size: int) -> int:
    """The number of parts the zip's end record declares, read before zipfile lists them all."""
    tail_size = min(size, 65_535 + 22)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        raise _damaged()
    parts = struct.unpack("<H", tail[end + 10 : end + 12])[0]
    locator = end - 20
    if parts == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        # A zip64 archive keeps the true count in its own end record.
        offset = struct.unpack("<Q", tail[locator + 8 : locator + 16])[0]
        handle.seek(offset)
        record = handle.read(56)
        if record[:4] != b"PK\x06\x06" or len(record) < 40:
            raise _damaged()
        parts = struct.unpack("<Q", record[32:40])[0]
    return int(parts)


def check_package(path: Path) -> None:
    """Refuse a workbook whose parts are too many, or unpack too far or too tightly packed."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        parts = _declared_parts(handle, size)
    if parts > MAX_PARTS:
        raise _refuse(
            _(
                "The workbook is made of %(count)s parts, far more than a workbook has "
                "(at most %(limit)s are read). %(advice)s"
            )
            % {"count": f"{parts:,}", "limit": f"{MAX_PARTS:,}", "advice": _unsafe_workbook()}
        )
    try:
        with zipfile.ZipFile(path) as archive:
            _check_sizes(archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise _damaged() from None


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    # zipfile stops every part at its declared size, so the declared sizes are a real bound.
    limit = settings.SAWT_IMPORT_MAX_UNPACKED_BYTES
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limit:
        raise _refuse(
            _("The workbook unpacks to %(size)s MB, over the limit of %(limit)s MB.")
            % {"size": _megabytes(unpacked), "limit": _megabytes(limit)}
        )
    for info in infos:
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise _refuse(
                _(
                    "The workbook part “%(part)s” unpacks to %(size)s MB from %(packed)s MB, "
                    "over %(ratio)s times its packed size, as zip bombs do. %(advice)s"
                )
                % {
                    "part": info.filename[:100],
                    "size": _megabytes(info.file_size),
                    "packed": _megabytes(info.compress_size),
                    "ratio": MAX_RATIO,
                    "advice": _unsafe_workbook(),
                }
            )


# --- the parts that are read ---------------------------------------------------------------


class _Budget:
    """XML elements allowed in the parts read, counted (cheaply) before each is parsed."""

    def __init__(self, archive: zipfile.ZipFile, size: int) -> None:
        self.archive = archive
        self.size = size
        self.left = ELEMENTS_FLOOR + MAX_ELEMENTS_PER_BYTE * size

    def spend(self, name: str, cap: int | None = None) -> None:
        """Count the elements of part `name`; refuse past the budget (or the part's cap)."""
        limit = self.left if cap is None else min(cap, self.left)
        found = 0
        with self.archive.open(name) as part:
            while found <= limit and (chunk := part.read(_CHUNK)):
                found += chunk.count(b"<") - chunk.count(b"</")
        if found > limit:
            raise _refuse(
                _(
                    "The workbook holds over %(count)s cells and other XML elements in "
                    "%(size)s MB, far more than a spreadsheet of that size holds. %(advice)s"
                )
                % {
                    "count": f"{limit:,}",
                    "size": _megabytes(self.size),
                    "advice": _unsafe_workbook(),
                }
            )
        self.left -= found


@dataclass
class _Book:
    """What reading the first sheet needs from the rest of the workbook."""

    archive: zipfile.ZipFile
    sheet: str
    strings: list[str]
    date_formats: set[int]
    timedelta_formats: set[int]
    epoch: Any


def _open_book(path: Path, sheet: int | str | None = None) -> _Book:
    # openpyxl reads the package's small structural parts (manifest, workbook, relations);
    # the parts that grow with the data are read below, a C-built element at a time, where
    # openpyxl builds an object per shared string and style (about 20 µs each).
    # (_find_workbook_part is a private helper of openpyxl's reader: types-openpyxl omits it.)
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import ExcelReader, _find_workbook_part  # type: ignore[attr-defined]
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS

    reader = ExcelReader(path, read_only=True, data_only=True, keep_links=False)
    try:
        budget = _Budget(reader.archive, path.stat().st_size)
        budget.spend(ARC_CONTENT_TYPES, cap=STRUCTURE_CAP)
        reader.read_manifest()
        part = reader.package.find(SHARED_STRINGS)
        strings_part = part.PartName[1:] if part is not None else None
        workbook = _find_workbook_part(reader.package).PartName[1:]
        budget.spend(workbook, cap=STRUCTURE_CAP)
        if get_rels_path(workbook) in reader.valid_files:
            budget.spend(get_rels_path(workbook), cap=STRUCTURE_CAP)
        reader.read_workbook()
        sheets = _worksheets(reader)
        if not sheets:
            raise _damaged()
        part = _pick_sheet(sheets, sheet)
        dates: set[int] = set()
        durations: set[int] = set()
        if ARC_STYLE in reader.valid_files:
            budget.spend(ARC_STYLE)
            dates, durations = _date_styles(reader.archive, ARC_STYLE)
        strings: list[str] = []
        if strings_part is not None:
            budget.spend(strings_part)
            strings = _shared_strings(reader.archive, strings_part)
        budget.spend(part)
        return _Book(reader.archive, part, strings, dates, durations, reader.wb.epoch)
    except BaseException:
        reader.archive.close()
        raise


def _worksheets(reader: Any) -> list[tuple[str, str]]:
    """(name, part) of the workbook's worksheets, in its order; chartsheets left out."""
    return [
        (str(found.name), rel.target)
        for found, rel in reader.parser.find_sheets()
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type
    ]


def _pick_sheet(sheets: list[tuple[str, str]], sheet: int | str | None) -> str:
    """The part of the sheet asked for: None the first, a number by position (from 0), a name
    without regard to case."""
    if sheet is None:
        return sheets[0][1]
    if isinstance(sheet, int):
        if 0 <= sheet < len(sheets):
            return sheets[sheet][1]
    else:
        for name, part in sheets:
            if name.strip().casefold() == sheet.strip().casefold():
                return part
    raise _refuse(
        _("The workbook has no sheet “%(sheet)s”; its sheets are: %(sheets)s.")
        % {
            "sheet": sheet + 1 if isinstance(sheet, int) else sheet,
            "sheets": ", ".join(name for name, _part in sheets),
        }
    )


def sheet_names(path: Path) -> list[str]:
    """The names of the workbook's worksheets, in its order (chartsheets left out)."""
    from openpyxl.reader.excel import ExcelReader

    check_package(path)
    try:
        reader = ExcelReader(path, read_only=True, data_only=True, keep_links=False)
    except Exception:
        raise _damaged() from None
    try:
        from openpyxl.packaging.relationship import get_rels_path
        from openpyxl.reader.excel import _find_workbook_part  # type: ignore[attr-defined]
        from openpyxl.xml.constants import ARC_CONTENT_TYPES

        budget = _Budget(reader.archive, path.stat().st_size)
        budget.spend(ARC_CONTENT_TYPES, cap=STRUCTURE_CAP)
        reader.read_manifest()
        workbook = _find_workbook_part(reader.package).PartName[1:]
        budget.spend(workbook, cap=STRUCTURE_CAP)
        if get_rels_path(workbook) in reader.valid_files:
            budget.spend(get_rels_path(workbook), cap=STRUCTURE_CAP)
        reader.read_workbook()
        return [name for name, _part in _worksheets(reader)]
    except ImportFailed:
        raise
    except Exception:
        logger.info("XLSX workbook refused as damaged", exc_info=True)
        raise _damaged() from None
    finally:
        reader.archive.close()


def _date_styles(archive: zipfile.ZipFile, name: str) -> tuple[set[int], set[int]]:
    """The cell styles that show a date, and those that show a duration (as openpyxl has it)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
    from openpyxl.xml.functions import fromstring

    root = fromstring(archive.read(name))
    custom = {
        int(item.get("numFmtId", "-1")): item.get("formatCode")
        for item in root.iterfind(f"{_MAIN}numFmts/{_MAIN}numFmt")
    }
    dates, durations = set(), set()
    kinds: dict[str | None, tuple[bool, bool]] = {}
    for index, xf in enumerate(root.iterfind(f"{_MAIN}cellXfs/{_MAIN}xf")):
        number = int(xf.get("numFmtId", "0"))
        code = custom.get(number, BUILTIN_FORMATS.get(number))
        if code not in kinds:
            kinds[code] = (is_date_format(code), is_timedelta_format(code))
        is_date, is_duration = kinds[code]
        if is_date:
            dates.add(index)
        if is_duration:
            durations.add(index)
    return dates, durations


def _shared_strings(archive: zipfile.ZipFile, name: str) -> list[str]:
    """The shared strings, as openpyxl reads them: plain and rich runs, phonetic runs left out."""
    from openpyxl.xml.functions import iterparse

    strings: list[str] = []
    root: Any = None
    with archive.open(name) as source:
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if root is None:
                    root = element
                continue
            if element.tag != _SI:
                continue
            pieces = []
            for child in element:
                if child.tag == _T:
                    pieces.append(child.text or "")
                elif child.tag == _RUN:
                    pieces.extend(t.text or "" for t in child.iterfind(_T))
            strings.append("".join(pieces).replace("x005F_", ""))
            root.clear()  # the strings read so far, which the tree would otherwise keep
    return strings


# --- the first sheet ------------------------------------------------------------------------


@contextmanager
def sheet_rows(
    path: Path, bar: tqdm, sheet: int | str | None = None
) -> Iterator[Iterator[tuple[int, list[Any]]]]:
    """(row number, cells up to the last filled one) for a sheet's non-empty rows: the first
    sheet, or `sheet` by position (from 0) or by name (without regard to case)."""
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise _refuse(_("XLSX files cannot be read safely on this server; upload a CSV file."))
    check_package(path)
    try:
        book = _open_book(path, sheet)
    except ImportFailed:
        raise
    except Exception:
        # openpyxl and the XML parser meet hostile parts with many kinds of error (ParseError,
        # TypeError from descriptors, KeyError for a missing part...): each means "damaged".
        logger.info("XLSX workbook refused as damaged", exc_info=True)
        raise _damaged() from None
    try:
        with book.archive.open(book.sheet) as source:
            # The stored dimension may be wrong: it only sizes the progress bar.
            bar.reset(total=_stated_rows(source.read(4096)))
        bar.unit, bar.unit_scale = "row", False
        with book.archive.open(book.sheet) as source:
            parser = WorkSheetParser(
                source,
                book.strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book.date_formats,
                timedelta_formats=book.timedelta_formats,
            )
            yield _rows(source, parser, bar)
    finally:
        book.archive.close()


def _stated_rows(start: bytes) -> int | None:
    found = _DIMENSION.search(start)
    return min(int(found.group(1)), MAX_ROWS) if found else None


def _rows(source: IO[bytes], parser: Any, bar: tqdm) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl.xml.functions import iterparse

    previous = 0
    data: Any = None
    events = iterparse(source, events=("start", "end"))
    while True:
        try:
            event, element = next(events)
            if event == "start":
                if data is None and element.tag == _DATA:
                    data = element
                continue
            if element.tag == _DATA:
                return  # what follows the cells (merges, formatting) is not needed
            if element.tag != _ROW:
                continue
            number = _row_number(element, previous)
            cells = _cells(element, parser, number)
        except ImportFailed:
            raise
        except StopIteration:
            return
        except Exception:
            # Broken or hostile sheet XML (entities, truncated parts, bad numbers) ends the
            # import cleanly; the log keeps the cause.
            logger.info("XLSX sheet unreadable after row %s", previous, exc_info=True)
            if not previous:
                raise _damaged() from None
            raise _refuse(
                _("The XLSX workbook is damaged and cannot be read past row %(row)s.")
                % {"row": previous}
            ) from None
        if data is not None:
            data.clear()  # the rows read so far, which the tree would otherwise keep
        if number % 1000 == 0:
            bar.update(number - bar.n)
        previous = number
        if cells:
            yield number, cells


def _row_number(row: Any, previous: int) -> int:
    written = row.get("r")
    try:
        number = int(written) if written is not None else previous + 1
    except ValueError:
        raise _refuse(
            _("The XLSX workbook is damaged and cannot be read past row %(row)s.")
            % {"row": previous}
        ) from None
    if number > MAX_ROWS:
        raise _refuse(
            _(
                "The sheet has a row numbered %(row)s, but a sheet has at most 1,048,576 rows: "
                "the workbook is damaged."
            )
            % {"row": f"{number:,}"}
        )
    if number <= previous:
        # Rows out of order could repeat one row number forever, past every row limit.
        raise _refuse(
            _("The rows of the sheet are out of order after row %(row)s: the workbook is damaged.")
            % {"row": previous},
            row=previous,
        )
    return number


@cache
def _column_numbers() -> dict[str, int]:
    from openpyxl.utils import get_column_letter

    return {get_column_letter(n): n for n in range(1, MAX_COLUMNS + 1)}


def _cells(row: Any, parser: Any, number: int) -> list[Any]:
    columns = _column_numbers()
    filled: list[tuple[int, Any]] = []
    column = 0
    for cell in row:
        if cell.tag != _CELL:
            continue
        reference = cell.get("r")
        if reference is None:
            column += 1
        else:
            found = columns.get(reference.rstrip("0123456789").upper())
            if found is None:
                raise _refuse(
                    _(
                        "Row %(row)s has a cell beyond column XFD, the last a sheet can have: "
                        "the workbook is damaged."
                    )
                    % {"row": number},
                    row=number,
                )
            column = found
        if column > MAX_COLUMNS:
            raise _refuse(
                _(
                    "Row %(row)s has a cell beyond column XFD, the last a sheet can have: "
                    "the workbook is damaged."
                )
                % {"row": number},
                row=number,
            )
        if not len(cell):
            continue  # no value, inline text or formula: a blank (often only styled) cell
        parser.row_counter, parser.col_counter = number, column - 1
        value = parser.parse_cell(cell)["value"]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if type(value) is bool:
            # True == 1 in Python: a TRUE cell must never pass for a score of 1.
            value = _BOOL_TEXT[value]
        filled.append((column, value))
    if not filled:
        return []
    cells: list[Any] = [None] * max(column for column, _ in filled)
    for column, value in filled:
        cells[column - 1] = value
    return cells
