"""KoboToolbox exports (XLSX or CSV, "XML values and headers") read as sawt's responses table.

Headers are the form's names with their group paths (`stage/sub/name`): a column holds the
question whose `source_key` or code is the whole path or its last parts. Values are choice
names (`very_good`), scored through the question's `choices`. `_uuid` is the respondent's id;
`_submission_time` is UTC without an offset. Kobo's own columns (those starting with `_`, the
`meta/` and `formhub/` paths, and the metadata questions `start`, `end`, `deviceid`...) are
dropped, never stored as attributes.

Repeat groups: an XLSX export puts each repeat group on a sheet of its own, several rows per
submission joined through `_submission__uuid`. A sawt survey holds one answer per question per
respondent, so only the main (first) sheet is read; the repeat sheets are named in the report
as skipped, and a question of the survey with no column on the main sheet is named too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sawt.imports.problems import ProblemCollector
from sawt.imports.readers import open_table
from sawt.imports.xlsx import sheet_names
from sawt.surveys.sources.common import (
    UTC,
    SourceNotes,
    SourceTable,
    map_columns,
    named_as_in_file,
    sawt_table,
    time_in,
)

NAME = "KoboToolbox"
RESPONDENT = ("_uuid", "meta/instanceID")
SUBMITTED = ("_submission_time",)
# Kobo's metadata questions, under the names XLSForm gives them by default.
_META = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "background-audio",
        "instanceid",
    }
)


def is_meta(name: str) -> bool:
    """Kobo's own columns: `_id`, `_uuid`, `_submission_time`, `__version__`, `meta/…`..."""
    return (
        name.startswith("_")
        or name.startswith(("meta/", "formhub/"))
        or name in _META
        or name.rsplit("/", 1)[-1] in ("instanceid", "deprecatedid", "instancename")
    )


def looks_like(header: list[str]) -> bool:
    names = set(header)
    return "_uuid" in names and ("_submission_time" in names or "_id" in names)


@contextmanager
def open_source(
    path: Path, survey: Any, problems: ProblemCollector, progress: bool
) -> Iterator[SourceTable]:
    """The export's main sheet (or the CSV) in sawt's shape; see the module's text."""
    with open_table(path, problems=problems, progress=progress) as table:
        notes = SourceNotes(NAME)
        header = table.header
        # A select_multiple question also gets a 0/1 column per option (`q5/option`).
        paths = set(header)
        questions = list(survey.questions.all())
        columns = map_columns(
            table,
            questions,
            notes=notes,
            respondent=RESPONDENT,
            submitted=SUBMITTED,
            is_meta=is_meta,
            separators="/",
            is_dropped=lambda i, name: "/" in name and name.rsplit("/", 1)[0] in paths,
            hint=_(
                "Kobo names columns by the form's names only in an export with “XML values "
                "and headers”: export again with that option."
            ),
        )
        if table.kind == "xlsx":
            repeats = sheet_names(path)[1:]
            if repeats:
                notes.other.append(
                    _(
                        "Sheets not read (repeat groups: several rows per respondent, and a "
                        "survey keeps one answer per question): %(sheets)s."
                    )
                    % {"sheets": ", ".join(repeats)}
                )
        missing = sorted(set(q.code for q in questions) - {q.code for _, q in columns.questions})
        if missing:
            notes.other.append(
                _("Questions of the survey with no column in the file: %(codes)s.")
                % {"codes": ", ".join(missing)}
            )
        with named_as_in_file(sawt_table(table, columns, notes, when=time_in(UTC))) as source:
            yield source
