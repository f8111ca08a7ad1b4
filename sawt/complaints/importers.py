"""A complaints file (CSV or XLSX, one row per complaint) checked into compact rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from sawt.complaints.models import Complaint
from sawt.imports.problems import ImportFailed, ProblemCollector, RowProblem
from sawt.imports.readers import Table
from sawt.imports.values import DateReader, ValueProblem, cell_key, cell_text, clean_text
from sawt.textanalytics.arabic import redact_pii

REQUIRED = ("complaint_id", "received_at", "text")
OPTIONAL = ("channel", "category")
ID_MAX = Complaint._meta.get_field("complaint_id").max_length or 100
CHANNEL_MAX = Complaint._meta.get_field("channel").max_length or 50

# (complaint_id, received_at, channel, redacted text, gap category id or None)
ComplaintRow = tuple[str, dt.datetime, str, str, int | None]


def complaint_layout(header: list[str]) -> dict[str, int]:
    """Column positions by name; every required column must be there (other columns are ignored)."""
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFailed(
            [
                RowProblem(
                    1,
                    None,
                    _("The column “%(name)s” is missing from the first row.") % {"name": name},
                )
                for name in missing
            ]
        )
    return {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}


def parse_complaints(
    table: Table,
    layout: dict[str, int],
    categories: dict[str, int],
    problems: ProblemCollector,
    read_date: Callable[[Any], dt.datetime] | None = None,
) -> tuple[list[ComplaintRow], int]:
    """Every row checked; the valid ones returned (text already redacted), with rows read.

    `read_date` reads received_at (ISO 8601 by default, or a mapping's rule); a date before
    1990 or in the future is a row problem either way."""
    read_date = read_date or DateReader()
    seen: dict[str, int] = {}
    rows: list[ComplaintRow] = []
    read = 0
    for number, cells in table.rows():
        read += 1
        before = problems.count
        complaint_id = _complaint_id(cells[layout["complaint_id"]], number, seen, problems)
        received = _received(cells[layout["received_at"]], number, problems, read_date)
        text = clean_text(cells[layout["text"]])
        if not text:
            problems.add(number, "text", _("The complaint text is required."))
        channel = _channel(cells, layout, number, problems)
        category = _category(cells, layout, categories, number, problems)
        if problems.count == before and received is not None:
            # Personal data is cut out here, so it never reaches the database.
            rows.append((complaint_id, received, channel, redact_pii(text), category))
    return rows, read


def _complaint_id(cell: Any, number: int, seen: dict[str, int], problems: ProblemCollector) -> str:
    value = cell_key(cell)
    if not value:
        problems.add(number, "complaint_id", _("A complaint_id is required on every row."))
    elif len(value) > ID_MAX:
        problems.add(
            number,
            "complaint_id",
            _("A complaint_id is at most %(limit)s characters.") % {"limit": ID_MAX},
        )
    elif value in seen:
        problems.add(
            number,
            "complaint_id",
            _("The complaint “%(id)s” already appears on row %(row)s.")
            % {"id": value, "row": seen[value]},
        )
    else:
        seen[value] = number
    return value


def _received(
    cell: Any, number: int, problems: ProblemCollector, read_date: Callable[[Any], dt.datetime]
) -> dt.datetime | None:
    if not cell_text(cell):
        problems.add(number, "received_at", _("The date the complaint was received is required."))
        return None
    try:
        return read_date(cell)
    except ValueProblem as problem:
        problems.add(number, "received_at", problem.message)
        return None


def _channel(
    cells: Sequence[Any], layout: dict[str, int], number: int, problems: ProblemCollector
) -> str:
    # Direction marks and digit scripts must not make ‏balady‏ another channel than balady.
    channel = cell_key(cells[layout["channel"]]) if "channel" in layout else ""
    if len(channel) > CHANNEL_MAX:
        problems.add(
            number,
            "channel",
            _("A channel is at most %(limit)s characters.") % {"limit": CHANNEL_MAX},
        )
    return channel


def _category(
    cells: Sequence[Any],
    layout: dict[str, int],
    categories: dict[str, int],
    number: int,
    problems: ProblemCollector,
) -> int | None:
    written = cell_key(cells[layout["category"]]) if "category" in layout else ""
    code = written.lower()
    if not code:
        return None
    if code not in categories:
        if categories:
            message = _(
                "“%(code)s” is not a gap category of this journey; the codes are: %(codes)s."
            )
        else:
            message = _(
                "“%(code)s” is not a gap category of this journey, which has no gap categories yet."
            )
        codes = ", ".join(sorted(categories))
        problems.add(number, "category", message % {"code": written, "codes": codes})
        return None
    return categories[code]
