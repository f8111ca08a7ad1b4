"""Cell values: whole numbers and ISO 8601 dates in any digit script, from CSV text or XLSX cells.

Converters raise `ValueProblem` with a message meant for the person who wrote the file; the
importers attach the row and column.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from sawt.core.digits import western_digits


class ValueProblem(ValueError):
    """A cell that cannot be read as the type its column needs."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# C0 controls other than tab, newline and carriage return: PostgreSQL refuses NUL in text, and
# none of them belongs in a complaint or an answer.
_CONTROLS = {c: None for c in range(32) if chr(c) not in "\t\n\r"}
_CONTROLS[0x7F] = None
# Direction marks that Arabic Excel adds around cells; they must not change an id or a code.
_BIDI_MARKS: dict[int, str | None] = {
    c: None for c in (0x200E, 0x200F, 0x061C, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E)
}
_BIDI_MARKS.update({0xFEFF: None, 0x00A0: " "})


def cell_text(value: Any) -> str:
    """A cell as trimmed text without control characters; '' for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        # Most cells are plain printable text: skip the translation (a million rows add up).
        return value.strip() if value.isprintable() else value.translate(_CONTROLS).strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def cell_key(value: Any) -> str:
    """An identifier or code: text with direction marks dropped and digits made ASCII."""
    if isinstance(value, str) and value.isascii() and value.isprintable():
        return value.strip()
    return western_digits(cell_text(value).translate(_BIDI_MARKS)).strip()


def parse_whole(value: Any) -> int:
    """A whole number from an int, a whole float, or text in any digit script (`٤`, `4.0`)."""
    if isinstance(value, bool):
        raise ValueProblem(_("“%(value)s” is not a whole number.") % {"value": value})
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueProblem(_("“%(value)s” is not a whole number.") % {"value": value})
    text = cell_key(value)
    try:
        number = float(text) if "." in text else int(text)
    except ValueError:
        raise ValueProblem(_("“%(value)s” is not a whole number.") % {"value": text}) from None
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueProblem(_("“%(value)s” is not a whole number.") % {"value": text})
        number = int(number)
    return number


def score_lookup(low: int, high: int) -> dict[Any, int]:
    """Every usual spelling of each score on a scale, so the import loop is one dict lookup.

    Keys cover ASCII, Arabic-Indic and Persian digits as text, and ints (1.0 hashes like 1, so
    whole floats from XLSX hit the same keys). Anything else takes the slow path."""
    table: dict[Any, int] = {}
    for score in range(low, high + 1):
        text = str(score)
        table[score] = score
        table[text] = score
        table[text + ".0"] = score
        table[text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))] = score
        table[text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))] = score
    return table


# ISO 8601 extended form: a date, optionally a time (minutes at least) and an offset or Z.
_ISO_SHAPE = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,6})?)?\s?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$",
    re.ASCII,  # other digit scripts are made ASCII first, by cell_key
)


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_zone() -> zoneinfo.ZoneInfo:
    """The zone naive times are read in (settings.TIME_ZONE, Asia/Riyadh by default)."""
    return _zone(settings.TIME_ZONE)


def parse_datetime(value: Any) -> dt.datetime:
    """An aware datetime from ISO 8601 text (any digit script) or an XLSX date cell.

    A date without a time means midnight; a time without an offset is local time."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value if _ISO_SHAPE.match(value) else cell_key(value)
        if not _ISO_SHAPE.match(text):
            raise ValueProblem(
                _(
                    "“%(value)s” is not a date in ISO 8601 form; write it like 2022-06-15 "
                    "or 2022-06-15 14:30."
                )
                % {"value": text}
            )
        try:
            parsed = dt.datetime.fromisoformat(text.replace(",", ".").replace(" Z", "Z"))
        except ValueError:
            raise ValueProblem(
                _("“%(value)s” is not a real date or time.") % {"value": text}
            ) from None
    else:
        raise ValueProblem(
            _("“%(value)s” is not a date; write it like 2022-06-15.") % {"value": cell_text(value)}
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_zone())
    return parsed
