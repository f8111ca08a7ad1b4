"""ODK Central's CSV export read as sawt's responses table.

Central names a column by the form's group path joined with `-` (`stage-name`): a column holds
the question whose `source_key` or code is the whole name or its last parts. Values are choice
names, scored through the question's `choices`. `KEY` (else `meta-instanceID`) is the
respondent's id; `SubmissionDate` (ISO 8601 with `Z`) is when it was submitted. Central's own
columns (`SubmitterID`, `SubmitterName`, `AttachmentsPresent`, `AttachmentsExpected`, `Status`,
`ReviewState`, `DeviceID`, `Edits`, `FormVersion`) and the form's metadata (`start`, `end`,
`today`, `deviceid`, `meta-…`) are dropped, never stored as attributes.

Central's ZIP download holds the main table and one CSV per repeat group: give the main CSV
(`FORM.csv`); a sawt survey keeps one answer per question per respondent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sawt.imports.problems import ProblemCollector
from sawt.imports.readers import open_table
from sawt.surveys.sources.common import (
    UTC,
    SourceNotes,
    SourceTable,
    map_columns,
    named_as_in_file,
    sawt_table,
    time_in,
)

NAME = "ODK Central"
RESPONDENT = ("KEY", "meta-instanceID")
SUBMITTED = ("SubmissionDate",)
_META = frozenset(
    {
        "submissiondate",
        "key",
        "submitterid",
        "submittername",
        "attachmentspresent",
        "attachmentsexpected",
        "status",
        "reviewstate",
        "deviceid",
        "edits",
        "formversion",
        "instanceid",
        "start",
        "end",
        "today",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "parent_key",
    }
)


def is_meta(name: str) -> bool:
    return name in _META or name.startswith("meta-") or name.rsplit("-", 1)[-1] == "instanceid"


def looks_like(header: list[str]) -> bool:
    names = set(header)
    return "submissiondate" in names and ("key" in names or "meta-instanceid" in names)


@contextmanager
def open_source(
    path: Path, survey: Any, problems: ProblemCollector, progress: bool
) -> Iterator[SourceTable]:
    """The export in sawt's shape; see the module's text."""
    with open_table(path, problems=problems, progress=progress) as table:
        notes = SourceNotes(NAME)
        questions = list(survey.questions.all())
        paths = set(table.header)
        columns = map_columns(
            table,
            questions,
            notes=notes,
            respondent=RESPONDENT,
            submitted=SUBMITTED,
            is_meta=is_meta,
            separators="-",
            # "Split select multiple choices into columns" adds a 0/1 column per option.
            is_dropped=lambda i, name: "-" in name and name.rsplit("-", 1)[0] in paths,
            # `-` also appears inside names, so an attribute keeps its whole column name.
            attribute_tail=False,
        )
        missing = sorted({q.code for q in questions} - {q.code for _, q in columns.questions})
        if missing:
            notes.other.append(
                _("Questions of the survey with no column in the file: %(codes)s.")
                % {"codes": ", ".join(missing)}
            )
        with named_as_in_file(sawt_table(table, columns, notes, when=time_in(UTC))) as source:
            yield source
