"""SPSS data files (`.sav`, `.zsav`), read with pyreadstat.

- A variable feeds the question whose code or `source_key` is its name (without case).
- Values are scored through `Question.choices` by the value, then by its value label, else
  taken as the score (SPSS files usually code answers as their scores); user-missing values
  are blanks.
- The respondent id is the first of `respondent_id`, `ResponseId`, `response_id`, `respid`,
  `id`, `caseid`; a file without one is refused (case numbers change when a file is sorted).
  The time is the first of `submitted_at`, `RecordedDate`, `EndDate`, `submitdate`; SPSS
  dates carry no zone, so they are local time (SAWT_TIME_ZONE).
- Variables whose names say they hold personal data (e-mail, name, phone, IP address,
  location) are never read; other variables become attributes, as their value labels.
- The file is bounded before its data is read: its size, then its header's case and variable
  counts (Excel's limits, as for a table); it is read in chunks of a few thousand cases, and
  never past the limit when the header does not say how many cases it holds.
- Problems name the case number (the row SPSS's Data View shows) and the variable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from sawt.imports.problems import ImportFailed, ProblemCollector, RowProblem
from sawt.imports.readers import Table, normalise_header
from sawt.imports.xlsx import MAX_COLUMNS, MAX_ROWS
from sawt.surveys.importers.responses import RESPONDENT, SUBMITTED
from sawt.surveys.models import Question
from sawt.surveys.sources.collected import Shape, shaped_table
from sawt.surveys.sources.common import looks_personal

RESPONDENT_NAMES = ("respondent_id", "responseid", "response_id", "respid", "id", "caseid")
TIME_NAMES = ("submitted_at", "recordeddate", "enddate", "submitdate")
CHUNK = 5000
_PERSONAL = re.compile(
    r"e-?mail|phone|mobile|\bip\b|ipaddress|ip_address|latitude|longitude|location|"
    r"\bname\b|_name$|^name_|firstname|lastname|recipient|national|iqama|passport|"
    r"جوال|هاتف|بريد|هوية|اسم",
    re.IGNORECASE,
)


def looks_like(header: list[str]) -> bool:
    # A .sav is told by its content (`$FL2`/`$FL3`), never by a header of text.
    return False


def _refuse(message: str, column: str | None = None) -> ImportFailed:
    return ImportFailed([RowProblem(None, column, message)])


def _metadata(path: Path) -> Any:
    import pyreadstat

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _refuse(_("The file “%(name)s” was not found.") % {"name": path.name}) from None
    limit = settings.SAWT_IMPORT_MAX_BYTES
    if size > limit:
        raise _refuse(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": f"{size / 1024**2:,.1f}", "limit": f"{limit / 1024**2:,.1f}"}
        )
    try:
        _frame, meta = pyreadstat.read_sav(str(path), metadataonly=True, output_format="dict")
    except Exception as error:  # pyreadstat raises its own and plain errors for bad files
        raise _refuse(
            _("The file is not an SPSS data file (.sav) that can be read (%(reason)s).")
            % {"reason": str(error)[:200]}
        ) from None
    columns = len(meta.column_names)
    if columns > MAX_COLUMNS:
        raise _refuse(
            _("The file has %(count)s variables; at most %(limit)s are read.")
            % {"count": f"{columns:,}", "limit": f"{MAX_COLUMNS:,}"}
        )
    rows = meta.number_rows
    if rows is not None and rows > MAX_ROWS:
        raise _refuse(
            _("The file has %(count)s cases; at most %(limit)s are read.")
            % {"count": f"{rows:,}", "limit": f"{MAX_ROWS:,}"}
        )
    return meta


@contextmanager
def open_source(
    path: Path, survey: Any, problems: ProblemCollector, progress: bool = False
) -> Iterator[Table]:
    """An SPSS data file as a table in sawt's shape."""
    meta = _metadata(path)
    names: list[str] = list(meta.column_names)
    header = [normalise_header(n) for n in names]
    questions = _index(list(survey.questions.all()))
    respondent = _first(header, RESPONDENT_NAMES)
    submitted = _first(header, TIME_NAMES)
    shape = Shape("SPSS")
    for i, name in enumerate(header):
        if not name:
            continue
        if i == respondent:
            shape.read_as(names[i], RESPONDENT)
            continue
        if i == submitted:
            shape.read_as(names[i], SUBMITTED)
            continue
        question = questions.get(name)
        if question is not None:
            shape.add_question(i, names[i], question, problems)
        elif looks_personal(name) or _PERSONAL.search(name):
            shape.drop(names[i])
        else:
            shape.add_attribute(i, name, names[i])
    if respondent is None:
        problems.add(
            1,
            None,
            _(
                "No variable holds the respondent's id; name it respondent_id (or ResponseId, "
                "id, respid)."
            ),
        )
        problems.raise_if_any()
    assert respondent is not None
    out = shape.header(timed=submitted is not None)
    labels = [meta.variable_value_labels.get(n) for n in names]
    rows = _rows(path, names, respondent, submitted, shape, labels, problems)
    yield shaped_table(shape, out, rows, problems)


def _index(questions: list[Question]) -> dict[str, Question]:
    found: dict[str, Question] = {}
    for question in questions:
        found.setdefault(question.code.lower(), question)
    for question in questions:
        if question.source_key:
            found.setdefault(normalise_header(question.source_key), question)
    return found


def _first(header: list[str], names: Sequence[str]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _cell(value: Any) -> Any:
    """Blanks (None, NaN) as None; whole floats stay floats (cell_text writes 4.0 as 4)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _rows(
    path: Path,
    names: list[str],
    respondent: int,
    submitted: int | None,
    shape: Shape,
    labels: list[dict[Any, str] | None],
    problems: ProblemCollector,
) -> Iterator[tuple[int, Sequence[Any]]]:
    import pyreadstat

    number = 0
    # Lists of Python values (no pandas at run time); a chunk of CHUNK cases at a time.
    chunks = pyreadstat.read_file_in_chunks(
        pyreadstat.read_sav, str(path), chunksize=CHUNK, limit=MAX_ROWS + 1, output_format="dict"
    )
    try:
        for frame, _meta in chunks:
            for values in zip(*(frame[name] for name in names), strict=True):
                number += 1
                if number > MAX_ROWS:
                    raise _refuse(
                        _("The file has over %(limit)s cases; at most %(limit)s are read.")
                        % {"limit": f"{MAX_ROWS:,}"}
                    )
                cells = [_cell(v) for v in values]
                shown = [
                    found.get(cell, cell) if (found := labels[i]) and cell is not None else None
                    for i, cell in enumerate(cells)
                ]
                scored = shape.answers(number, cells, problems, labels=shown)
                attributes = scored[len(shape.questions) :]
                for j, (i, _name) in enumerate(shape.attributes):
                    if shown[i] is not None:
                        attributes[j] = shown[i]
                first = [cells[respondent]]
                if submitted is not None:
                    first.append(cells[submitted])
                yield number, [*first, *scored[: len(shape.questions)], *attributes]
    except ImportFailed:
        raise
    except Exception as error:  # a file that breaks part-way (pyreadstat's own errors)
        raise ImportFailed(
            [
                RowProblem(
                    number + 1,
                    None,
                    _("The SPSS file cannot be read past this case (%(reason)s).")
                    % {"reason": str(error)[:200]},
                )
            ]
        ) from None
