"""Cell values: whole numbers and ISO 8601 dates in any digit script, from CSV text or XLSX cells.

Converters raise `ValueProblem` with a message meant for the person who wrote the file; the
importers attach the row and column.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import cache
from typing import Any, Literal

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
# (U+2066-2069 are the isolates that newer programs write instead of embeddings.)
_BIDI_MARKS: dict[int, str | None] = {
    c: None
    for c in (
        0x200E,
        0x200F,
        0x061C,
        0x202A,
        0x202B,
        0x202C,
        0x202D,
        0x202E,
        *range(0x2066, 0x206A),
    )
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


def clean_text(value: Any) -> str:
    """Free text (a complaint, an open answer): as `cell_text`, with direction marks dropped
    and digits made ASCII, so the same words always compare equal."""
    text = cell_text(value)
    if text.isascii():
        return text
    return western_digits(text.translate(_BIDI_MARKS)).strip()


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


# --- Dates as other programs write them, and dates that cannot be right ---------------------

Calendar = Literal["gregorian", "hijri"]
CALENDARS: tuple[str, ...] = ("gregorian", "hijri")
# Excel counts days from 1899-12-30 (its 1900 leap-year bug included); 2958465 is 9999-12-31.
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_MAX_SERIAL = 2_958_465
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$", re.ASCII)
# A Hijri date is often marked هـ (or ه), a Gregorian one م, after the date or the time.
_CALENDAR_MARKS = {"هـ": "hijri", "ه": "hijri", "م": "gregorian"}
_MARKED_DIGITS = re.compile(r"^([\d/.:-]+)(هـ|ه|م)$")
# The pieces of a date format: friendly ones (dd/mm/yyyy HH:MM) and strftime's (%d/%m/%Y %H:%M).
_FORMAT_TOKEN = re.compile(r"%[YydmHMS]|yyyy|yy|dd|d|mm|m|MM|M|HH|H|hh|h|ss|SS|\s+")
_TOKEN_GROUP = {
    "%Y": "year",
    "yyyy": "year",
    "%y": "year2",
    "yy": "year2",
    "%d": "day",
    "dd": "day",
    "d": "day",
    "%m": "month",
    "mm": "month",
    "m": "month",
    "MM": "month",
    "M": "month",
    "%H": "hour",
    "HH": "hour",
    "H": "hour",
    "hh": "hour",
    "h": "hour",
    "%M": "minute",
    "%S": "second",
    "ss": "second",
    "SS": "second",
}
_TWO_DIGITS = r"\d{1,2}"
_GROUP_PATTERN = {"year": r"\d{4}", "year2": r"\d{2}", "second": r"\d{1,2}"}
# A date format that gives no time may still meet cells with one.
_OPTIONAL_TIME = r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{1,2})(?::(?P<second>\d{1,2}))?)?"
HIJRI_YEARS = (1343, 1500)  # what the Umm al-Qura tables of hijridate cover
EARLIEST_YEAR = 1990


def date_pattern(spec: str) -> re.Pattern[str]:
    """The regular expression of a date format (`dd/mm/yyyy`, `%d/%m/%Y %H:%M`...).

    `mm` (or `MM`, `m`) right after an hour and a colon is the minutes, elsewhere the month;
    a format without a time also reads cells that add one. ValueError for a format that lacks
    the day, the month or the year, or repeats one."""
    parts: list[str] = []
    seen: set[str] = set()
    position = 0
    previous = ""
    for found in _FORMAT_TOKEN.finditer(spec):
        literal = spec[position : found.start()]
        parts.append(re.escape(literal))
        token = found.group()
        position = found.end()
        if token.isspace():
            parts.append(r"\s+")
            previous = token
            continue
        group = _TOKEN_GROUP[token]
        if group == "month" and previous == "hour" and literal == ":":
            group = "minute"
        elif group == "month" and previous == "minute" and literal == ":":
            group = "second"
        if group in seen or (group.startswith("year") and {"year", "year2"} & seen):
            raise ValueError(spec)
        seen.add(group)
        parts.append(f"(?P<{group}>{_GROUP_PATTERN.get(group, _TWO_DIGITS)})")
        previous = group
    parts.append(re.escape(spec[position:]))
    if not {"day", "month"} <= seen or not {"year", "year2"} & seen:
        raise ValueError(spec)
    if "hour" not in seen:
        parts.append(_OPTIONAL_TIME)
    return re.compile("^" + "".join(parts) + "$", re.ASCII)


def excel_serial(value: Any) -> dt.datetime | None:
    """An Excel date serial (a number, or such a number as text) as a naive datetime."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and _SERIAL.match(text := cell_key(value)):
        number = float(text)
    else:
        return None
    if not 1 <= number < _MAX_SERIAL + 1:
        return None
    return _EXCEL_EPOCH + dt.timedelta(seconds=round(number * 86400))


def hijri_to_gregorian(year: int, month: int, day: int) -> dt.date:
    """An Umm al-Qura date as a Gregorian one; ValueProblem when it is not a real Hijri date."""
    from hijridate import Hijri

    try:
        found = Hijri(year, month, day).to_gregorian()
    except OverflowError:
        raise ValueProblem(
            _(
                "%(year)s is not a year the Umm al-Qura calendar covers (%(low)s to %(high)s); "
                "check that the dates are Hijri."
            )
            % {"year": year, "low": HIJRI_YEARS[0], "high": HIJRI_YEARS[1]}
        ) from None
    except ValueError:
        raise ValueProblem(
            _("%(year)s/%(month)s/%(day)s is not a real Hijri date.")
            % {"year": year, "month": month, "day": day}
        ) from None
    return dt.date(found.year, found.month, found.day)


_YEAR_FIRST = date_pattern("yyyy-mm-dd")
_YEAR_FIRST_SLASH = date_pattern("yyyy/mm/dd")


def _calendar_mark(text: str) -> tuple[str, str | None]:
    """The text without its calendar mark (هـ, ه or م, alone or after the year), and the
    calendar the mark names."""
    if text.isascii():
        return text, None
    kept: list[str] = []
    calendar = None
    for token in text.split():
        if token in _CALENDAR_MARKS:
            calendar = _CALENDAR_MARKS[token]
            continue
        found = _MARKED_DIGITS.match(token)
        if found:
            calendar = _CALENDAR_MARKS[found.group(2)]
            token = found.group(1)
        kept.append(token)
    return " ".join(kept), calendar


class DateRule:
    """How a date column is written: a format (ISO 8601 when empty), a calendar, and whether
    numbers are Excel serials. A cell marked هـ is read as Hijri, one marked م as Gregorian,
    whatever the rule says."""

    def __init__(self, spec: str = "", calendar: str = "gregorian", serials: bool = False) -> None:
        self.spec = spec
        self.calendar = calendar
        self.serials = serials
        self.pattern = (
            date_pattern(spec) if spec and spec.lower() not in ("iso", "iso8601") else None
        )

    def __call__(self, value: Any) -> dt.datetime:
        if isinstance(value, dt.datetime | dt.date):
            return parse_datetime(value)
        if self.serials:
            serial = excel_serial(value)
            if serial is not None:
                return serial.replace(tzinfo=local_zone())
        if not isinstance(value, str):
            return parse_datetime(value)
        text = cell_key(value)
        text, marked = _calendar_mark(text)
        calendar = marked or self.calendar
        if self.pattern is None and calendar == "gregorian":
            return parse_datetime(text)
        return self._read(text, calendar, cell_text(value))

    def _read(self, text: str, calendar: str, written: str) -> dt.datetime:
        found = self.pattern.match(text) if self.pattern is not None else None
        if found is None:
            # A year first is never ambiguous: `١٤٤٣/١٢/٠٤ هـ` beside dd/mm/yyyy is still read.
            found = _YEAR_FIRST.match(text) or _YEAR_FIRST_SLASH.match(text)
        if found is None:
            raise ValueProblem(
                _("“%(value)s” is not a date written as %(format)s.")
                % {"value": written, "format": self.spec or "yyyy-mm-dd"}
            )
        parts = {k: int(v) for k, v in found.groupdict().items() if v is not None}
        year = parts.get("year", 0)
        if "year2" in parts:
            year = parts["year2"] + (1400 if calendar == "hijri" else 2000)
        try:
            if calendar == "hijri":
                day = hijri_to_gregorian(year, parts["month"], parts["day"])
            else:
                day = dt.date(year, parts["month"], parts["day"])
            moment = dt.datetime.combine(
                day, dt.time(parts.get("hour", 0), parts.get("minute", 0), parts.get("second", 0))
            )
        except ValueProblem:
            raise
        except ValueError:
            raise ValueProblem(
                _("“%(value)s” is not a real date or time.") % {"value": written}
            ) from None
        return moment.replace(tzinfo=local_zone())


class DateWindow:
    """The dates a column may plausibly hold: from 1990 to now (a day's leeway for time
    zones), and, for a survey's responses, within SAWT_IMPORT_DATE_SLACK_DAYS of its period."""

    def __init__(
        self,
        period: tuple[dt.date, dt.date] | None = None,
        *,
        now: dt.datetime | None = None,
        slack_days: int | None = None,
    ) -> None:
        zone = local_zone()
        self.earliest = dt.datetime(EARLIEST_YEAR, 1, 1, tzinfo=zone)
        self.latest = (now or dt.datetime.now(dt.UTC)) + dt.timedelta(days=1)
        slack = settings.SAWT_IMPORT_DATE_SLACK_DAYS if slack_days is None else slack_days
        self.slack = slack
        self.period = period
        self.period_window: tuple[dt.datetime, dt.datetime] | None = None
        if period is not None:
            start = dt.datetime.combine(period[0], dt.time(), tzinfo=zone)
            end = dt.datetime.combine(period[1], dt.time(), tzinfo=zone) + dt.timedelta(days=1)
            self.period_window = (start - dt.timedelta(days=slack), end + dt.timedelta(days=slack))

    def check(self, when: dt.datetime, written: Any) -> None:
        """ValueProblem when `when` (read from the cell `written`) cannot be right."""
        shown = cell_text(written)
        if when < self.earliest:
            if HIJRI_YEARS[0] - 50 <= when.year <= HIJRI_YEARS[1]:
                raise ValueProblem(
                    _(
                        "“%(value)s” is in the year %(year)s: this looks like a Hijri date; "
                        "give the calendar in a mapping (dates: calendar: hijri)."
                    )
                    % {"value": shown, "year": when.year}
                )
            raise ValueProblem(
                _("“%(value)s” is before %(year)s; a date this early is a mistake in the file.")
                % {"value": shown, "year": EARLIEST_YEAR}
            )
        if when > self.latest:
            raise ValueProblem(_("“%(value)s” is in the future.") % {"value": shown})
        window = self.period_window
        if window is not None and self.period is not None and not window[0] <= when < window[1]:
            raise ValueProblem(
                _(
                    "“%(value)s” is more than %(days)s days outside the survey's period "
                    "(%(start)s to %(end)s); check the date, or that this is the right survey."
                )
                % {
                    "value": shown,
                    "days": self.slack,
                    "start": self.period[0].isoformat(),
                    "end": self.period[1].isoformat(),
                }
            )


class DateReader:
    """A date column's cells read by a rule and checked against a window."""

    def __init__(self, rule: DateRule | None = None, window: DateWindow | None = None) -> None:
        self.rule = rule or DateRule()
        self.window = window or DateWindow()

    def __call__(self, value: Any) -> dt.datetime:
        when = self.rule(value)
        self.window.check(when, value)
        return when
