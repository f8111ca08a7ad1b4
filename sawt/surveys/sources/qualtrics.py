"""Qualtrics' CSV export (current and legacy forms) read as sawt's responses table.

The current form has three header rows: the column ids (`ResponseId`, `Q1`, `Q2_1`...), the
question texts, and the import ids (`{"ImportId":"QID1"}`). The legacy form has two: `V1`…`V10`
(ResponseID, ResponseSet, Name, ExternalDataReference, EmailAddress, IPAddress, Status,
StartDate, EndDate, Finished) and the question ids, then the texts. The extra header rows are
recognised by what they hold (`Response ID` in the id column; import-id JSON) and never read
as respondents, whatever kind the questions are.

- `ResponseId` (legacy `V1`) is the respondent's id; `RecordedDate` (legacy `EndDate`) is when
  the response was submitted. Qualtrics writes times in the account's time zone: the zone the
  import-id row names (`"timeZone":"America/Denver"`, or `Z`), else sawt's own zone.
- Previews and tests (`DistributionChannel` preview or test, or `Status` Survey Preview / Survey
  Test, 1 or 2 as numbers) are skipped, and so are unfinished responses (`Finished` 0 or False:
  Qualtrics records a partial response once it is closed, before it was finished); the report
  counts each.
- A question column (`Q1`, a matrix row `Q2_1`, or a renamed export tag) holds the survey's
  question whose `source_key` is its id or import id (`QID2_1`), else whose code it is. Values
  are recodes (numbers) or choice texts, scored through the question's `choices`.
- Qualtrics' own columns (IP address, location, recipient's name and e-mail, external
  reference, language, progress, duration, dates, `Q_…` fraud and recaptcha scores, `SC…`
  scores) are dropped, as are question columns of questions the survey does not have; embedded
  data fields become attributes unless their names look personal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sawt.imports.problems import ProblemCollector
from sawt.imports.readers import Table, normalise_header, open_table
from sawt.imports.values import cell_key, cell_text, local_zone
from sawt.surveys.sources.common import (
    SourceNotes,
    SourceTable,
    map_columns,
    named_as_in_file,
    sawt_table,
    time_in,
    zone_named,
)

NAME = "Qualtrics"
RESPONDENT = ("ResponseId",)
SUBMITTED = ("RecordedDate", "EndDate")
_LEGACY = (
    "ResponseID",
    "ResponseSet",
    "Name",
    "ExternalDataReference",
    "EmailAddress",
    "IPAddress",
    "Status",
    "StartDate",
    "EndDate",
    "Finished",
)
_META = frozenset(
    {
        "startdate",
        "enddate",
        "status",
        "ipaddress",
        "progress",
        "duration (in seconds)",
        "finished",
        "recordeddate",
        "responseid",
        "responseset",
        "name",
        "emailaddress",
        "recipientlastname",
        "recipientfirstname",
        "recipientemail",
        "externalreference",
        "externaldatareference",
        "locationlatitude",
        "locationlongitude",
        "locationaccuracy",
        "distributionchannel",
        "userlanguage",
        "opp",
        "rid",
        "rnd",
        "gc",
        "term",
        "transaction_id",
    }
)
_OWN = re.compile(r"^(q_[a-z]|sc\d+$)")  # Q_RecaptchaScore, Q_TotalDuration, SC0
_QUESTION_ID = re.compile(r"^q\d+(_|$)|^qid\d+")
_PREVIEW = {"preview", "survey preview", "1", "9", "17", "spam preview"}
_TEST = {"test", "survey test", "2"}
_UNFINISHED = {"0", "false"}
_IMPORT_ID_MAX = 1000


def is_meta(name: str) -> bool:
    return name in _META or bool(_OWN.match(name))


def looks_like(header: list[str]) -> bool:
    names = set(header)
    current = "responseid" in names and bool(names & {"recordeddate", "distributionchannel"})
    legacy = header[:3] == ["v1", "v2", "v3"] and "v10" in names
    return current or legacy


def _is_question(name: str, import_ids: list[str]) -> bool:
    """A question column (by its id `Q1`/`Q2_1` or its import id `QID…`)."""
    return any(_QUESTION_ID.match(n.lower()) for n in (name, *import_ids))


def _import_id(cell: Any) -> dict[str, Any] | None:
    text = cell_text(cell)
    # An import id is a few dozen characters: a long or deeply nested cell is not one (and
    # json would recurse into it).
    if len(text) > _IMPORT_ID_MAX or not text.startswith("{") or "importid" not in text.lower():
        return None
    try:
        found = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return found if isinstance(found, dict) else None


@contextmanager
def open_source(
    path: Path, survey: Any, problems: ProblemCollector, progress: bool
) -> Iterator[SourceTable]:
    """The export's responses in sawt's shape; see the module's text."""
    with open_table(path, problems=problems, progress=progress) as table:
        notes = SourceNotes(NAME)
        legacy = table.header[:1] == ["v1"]
        if legacy:
            _name_legacy(table)
        rows = table.rows()
        pending, ids = _header_rows(table, rows)
        imports = [_import_id(c) for c in ids] if ids is not None else []
        other = [[str(i.get("ImportId", ""))] if i else [] for i in imports]
        columns = map_columns(
            table,
            list(survey.questions.all()),
            notes=notes,
            respondent=("ResponseID",) if legacy else RESPONDENT,
            submitted=SUBMITTED,
            is_meta=is_meta,
            other_names=other,
            # A question the survey does not have (by its id or its import id QID…).
            is_dropped=lambda i, name: _is_question(name, other[i] if i < len(other) else []),
        )
        zone = local_zone()
        if columns.submitted is not None and columns.submitted < len(imports):
            stated = (imports[columns.submitted] or {}).get("timeZone")
            if isinstance(stated, str) and stated:
                named = zone_named(stated)
                if named is None:
                    table.problems.add(
                        3,
                        table.raw_header[columns.submitted],
                        _("“%(zone)s” is not a time zone sawt knows.") % {"zone": stated},
                    )
                else:
                    zone = named  # type: ignore[assignment]
        kept = _responses(table, rows, notes, pending=pending)
        with named_as_in_file(
            sawt_table(table, columns, notes, rows=kept, when=time_in(zone))
        ) as source:
            yield source


def _name_legacy(table: Table) -> None:
    """The legacy form's V1…V10 under the names its second row gives them."""
    for i, name in enumerate(_LEGACY):
        if i < len(table.header) and table.header[i] == f"v{i + 1}":
            table.header[i] = normalise_header(name)
            if i < len(table.raw_header):
                table.raw_header[i] = name


def _header_rows(
    table: Table, rows: Iterator[tuple[int, Sequence[Any]]]
) -> tuple[tuple[int, Sequence[Any]] | None, Sequence[Any] | None]:
    """Read the header rows Qualtrics writes after the first off `rows`: the first data row
    (read ahead, or None), and the import-id row's cells (None in the legacy form)."""
    rid = table.header.index("responseid") if "responseid" in table.header else 0
    ids = None
    for number, cells in rows:
        if number == 2 and cell_key(cells[rid]).replace(" ", "").lower() == "responseid":
            continue
        if number <= 3 and any(_import_id(c) for c in cells):
            ids = cells
            continue
        return (number, cells), ids
    return None, ids


def _responses(
    table: Table,
    rows: Iterator[tuple[int, Sequence[Any]]],
    notes: SourceNotes,
    pending: tuple[int, Sequence[Any]] | None,
) -> Iterator[tuple[int, Sequence[Any]]]:
    """The rows that are real, finished responses; previews, tests and unfinished ones are
    counted in the report and left out."""
    header = table.header
    channel = header.index("distributionchannel") if "distributionchannel" in header else None
    status = header.index("status") if "status" in header else None
    finished = header.index("finished") if "finished" in header else None
    preview, test, unfinished = (
        _("previews"),
        _("test responses"),
        _("unfinished responses"),
    )

    def flag(cells: Sequence[Any], column: int | None) -> str:
        return cell_key(cells[column]).lower() if column is not None else ""

    def all_rows() -> Iterator[tuple[int, Sequence[Any]]]:
        if pending is not None:
            yield pending
        yield from rows

    for number, cells in all_rows():
        how, state = flag(cells, channel), flag(cells, status)
        if how in _PREVIEW or state in _PREVIEW:
            notes.skipped[preview] += 1
        elif how in _TEST or state in _TEST:
            notes.skipped[test] += 1
        elif flag(cells, finished) in _UNFINISHED:
            notes.skipped[unfinished] += 1
        else:
            yield number, cells
