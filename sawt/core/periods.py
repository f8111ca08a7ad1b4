"""Periods are calendar months written `YYYY-MM`; one parser so every interface agrees."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from sawt.core.exceptions import ApplicationError

# ASCII digits only, as the database's check reads them: \d would also match "٢٠٢٢", which
# int() reads as 2022 but the check constraint refuses (an IntegrityError instead of a message).
PERIOD_RE = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
# The same rule as a database regex (PostgreSQL `~`, SQLite REGEXP registered by Django).
PERIOD_DB_REGEX = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_period(value: str) -> tuple[dt.date, dt.date]:
    """Return the first day of the period and the first day of the next one."""
    match = PERIOD_RE.match(value.strip()) if isinstance(value, str) else None
    # Four digits also allow years no date can hold (0000) or whose bounds overflow once moved
    # to UTC or a month on (0001-01, 9999-12): a crash rather than a message. sawt measures
    # services, so months outside FIRST_YEAR..LAST_YEAR are refused like any other typo.
    if not match or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise ApplicationError(
            _("The period “%(value)s” is not valid: write it as YYYY-MM, for example 2022-06.")
            % {"value": value}
        )
    year, month = int(match.group(1)), int(match.group(2))
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def period_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    """The period as an aware [start, end) interval in the ministry's time zone."""
    start, end = parse_period(period)
    tz = timezone.get_default_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end, dt.time.min, tzinfo=tz),
    )


def previous_period(value: str) -> str:
    """The month before `value`, as YYYY-MM."""
    start, _ = parse_period(value)
    prev = start - dt.timedelta(days=1)
    return f"{prev.year:04d}-{prev.month:02d}"
