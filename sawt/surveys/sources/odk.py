"""ODK Central's CSV export read as sawt's responses table.

Central names a column by the form's group path joined with `-` (`stage-name`): a column holds
the question whose `source_key` or code is the whole name or its last parts. Values are choice
names, scored through the question's `choices`. `KEY` (else `meta-instanceID`) is the
respondent's id; `SubmissionDate` (ISO 8601 with `Z`) is when it was submitted. Central's own
columns (`SubmitterID`, `SubmitterName`, `AttachmentsPresent`, `AttachmentsExpected`, `Status`,
`ReviewState`, `DeviceID`, `Edits`, `FormVersion`) and the form's metadata (`start`, `end`,
`today`, `deviceid`, `meta-…`) are dropped, never stored as attributes.

Central's ZIP download holds the main table (`FORM.csv`) and one CSV per repeat group
(`FORM-repeat.csv`): the main table is read from it (the shortest CSV name at the top of the
archive), and the repeat groups' tables are named in the report as not read, since a sawt
survey keeps one answer per question per respondent. The archive is checked before anything is
unpacked (parts, unpacked size, packing ratio), as an XLSX workbook is.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sawt.imports.problems import ProblemCollector
from sawt.imports.readers import open_table
from sawt.imports.xlsx import check_package
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
_ZIP_MAGIC = b"PK\x03\x04"
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
    notes = SourceNotes(NAME)
    with (
        _main_table(path, notes) as main,
        open_table(main, problems=problems, progress=progress) as table,
    ):
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


@contextmanager
def _main_table(path: Path, notes: SourceNotes) -> Iterator[Path]:
    """`path`, or for Central's ZIP download its main CSV, unpacked to a private directory."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError:
        magic = b""  # open_table says why the file cannot be read
    if magic != _ZIP_MAGIC:
        yield path
        return
    check_package(path)  # parts, unpacked size and packing ratio, before anything is unpacked
    with zipfile.ZipFile(path) as archive:
        tables = [
            info
            for info in archive.infolist()
            if info.filename.lower().endswith(".csv") and "/" not in info.filename
        ]
        if not tables:
            yield path  # an XLSX workbook, or open_table says what the archive is
            return
        main = min(tables, key=lambda info: (len(info.filename), info.filename))
        repeats = sorted(info.filename for info in tables if info is not main)
        if repeats:
            notes.other.append(
                _(
                    "Tables not read (repeat groups: several rows per respondent, and a survey "
                    "keeps one answer per question): %(tables)s."
                )
                % {"tables": ", ".join(repeats)}
            )
        with tempfile.TemporaryDirectory(prefix="sawt-odk-") as directory:
            # A member at the archive's top (no `/`), named as in it, for messages.
            target = Path(directory) / main.filename
            # zipfile stops a member at its declared size, which check_package bounded.
            with archive.open(main) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            yield target
