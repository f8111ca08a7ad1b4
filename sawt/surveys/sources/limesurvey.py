"""LimeSurvey responses: a survey archive (`.lsa`: the `.lss` survey and the `.lsr` responses)
or the responses' CSV export, with question-code or SGQA headings.

- A column feeds the question whose `source_key` is its SGQA (`123456X12X345`, an array row
  `123456X12X345SQ001`), or whose code is its heading (`Q2[SQ001]` also as `Q2_SQ001`,
  `Q2-SQ001` or `Q2SQ001`). In an archive, the `.lss` also names each SGQA's question code,
  for definitions written without source keys.
- `id` (LimeSurvey's response id) is the respondent id; `submitdate` the submission time,
  read as local time (SAWT_TIME_ZONE). An anonymised survey records every submission at
  `1980-01-01 00:00:00`: that is "unknown", never 1980.
- A response without a submit date (when the file has the column) was not completed: it is
  skipped, as LimeSurvey's own statistics skip it.
- Meta columns (`token`, `ipaddr`, `refurl`, `seed`, `startlanguage`, `startdate`,
  `datestamp`, `lastpage`, timings) are never read. Other columns become attributes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse
from django.conf import settings
from django.utils.translation import gettext as _

from sawt.imports.problems import ImportFailed, ProblemCollector, RowProblem
from sawt.imports.readers import Table, detect_kind, normalise_header, open_table
from sawt.imports.values import cell_text
from sawt.surveys.importers.responses import RESPONDENT, SUBMITTED
from sawt.surveys.models import Question
from sawt.surveys.sources.collected import Shape, shaped_table
from sawt.surveys.sources.common import looks_personal

META = frozenset(
    {
        "id",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "token",
        "startdate",
        "datestamp",
        "ipaddr",
        "refurl",
        "interviewtime",
        "optout",
    }
)
ANONYMISED = "1980-01-01"
_SGQA = re.compile(r"^\d+x\d+x\d+", re.ASCII)
_ARRAY_ROW = re.compile(r"^(.+?)\[(.+)\]$")
_GROUP_TIME = re.compile(r"^grouptime\d+$", re.ASCII)
# An archive holds four files; a few more are allowed, not thousands.
MAX_MEMBERS = 50
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
# The survey structure (.lss) is read whole: real ones are well under a few MB.
MAX_LSS_BYTES = 64 * 1024 * 1024
ELEMENTS_FLOOR = 100_000
MAX_ELEMENTS_PER_BYTE = 3


def looks_like(header: list[str]) -> bool:
    names = set(header)
    has_sgqa = any(_SGQA.match(name) for name in header)
    return {"id", "submitdate"} <= names and (has_sgqa or "lastpage" in names)


@contextmanager
def open_source(
    path: Path, survey: Any, problems: ProblemCollector, progress: bool = False
) -> Iterator[Table]:
    """The responses of a LimeSurvey `.lsa` archive or CSV export, in sawt's shape."""
    questions = list(survey.questions.all())
    if _is_archive(path):
        with zipfile.ZipFile(path) as archive:
            yield _archive_table(path, archive, questions, problems)
        return
    with open_table(path, problems=problems, progress=progress) as table:
        yield _shape_rows(table.header, table.raw_header, table.rows(), questions, problems, {})


def _is_archive(path: Path) -> bool:
    """A zip that is not a workbook (LimeSurvey also exports responses as XLSX)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError:
        return False  # open_table says the file is missing or unreadable
    if magic != b"PK\x03\x04":
        return False
    if size > settings.SAWT_IMPORT_MAX_BYTES:
        detect_kind(path)  # refuses with the usual message
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        raise _refuse(_("The LimeSurvey archive is damaged and cannot be opened.")) from None
    return len(names) > MAX_MEMBERS or "[Content_Types].xml" not in names


# --- the columns ----------------------------------------------------------------------------


def _index(questions: list[Question]) -> dict[str, Question]:
    found: dict[str, Question] = {}
    for question in questions:
        found.setdefault(question.code.lower(), question)
    for question in questions:  # a source key wins over a code spelled like it
        if question.source_key:
            found[question.source_key.strip().lower()] = question
    return found


def _spellings(name: str) -> list[str]:
    array = _ARRAY_ROW.match(name)
    if array is None:
        return [name]
    code, row = array.groups()
    return [name, f"{code}_{row}", f"{code}-{row}", f"{code}{row}"]


def _question(name: str, index: dict[str, Question], codes: dict[str, str]) -> Question | None:
    for spelling in [*_spellings(name), *_spellings(codes.get(name, ""))]:
        if spelling and spelling in index:
            return index[spelling]
    return None


def _is_timing(name: str, index: dict[str, Question], codes: dict[str, str]) -> bool:
    if name == "interviewtime" or _GROUP_TIME.match(name):
        return True
    stem = name[:-4]
    return name.endswith("time") and (
        bool(_SGQA.match(stem)) or _question(stem, index, codes) is not None
    )


def _shape_rows(
    header: list[str],
    raw: list[str],
    rows: Iterator[tuple[int, Sequence[Any]]],
    questions: list[Question],
    problems: ProblemCollector,
    codes: dict[str, str],
) -> Table:
    index = _index(questions)
    shape = Shape("LimeSurvey")
    for i, name in enumerate(header):
        shown = raw[i] if i < len(raw) and raw[i] else name
        if not name:
            continue
        if name == "id":
            shape.read_as(shown, RESPONDENT)
            continue
        if name == "submitdate":
            shape.read_as(shown, SUBMITTED)
            continue
        question = None if name in META else _question(name, index, codes)
        if question is not None:
            shape.add_question(i, shown, question, problems)
        elif name in META or _is_timing(name, index, codes) or looks_personal(name):
            shape.drop(shown)
        else:
            shape.add_attribute(i, codes.get(name, name), shown)
    if "id" not in header:
        problems.add(
            1, None, _("The column “id” (LimeSurvey's response id) is missing from the first row.")
        )
    problems.raise_if_any()
    respondent = header.index("id")
    submitted = header.index("submitdate") if "submitdate" in header else None
    out = shape.header(timed=submitted is not None)
    incomplete = _("incomplete responses, without a submit date")

    def shaped() -> Iterator[tuple[int, Sequence[Any]]]:
        for number, cells in rows:
            rid = cells[respondent]
            if submitted is None:
                yield number, [rid, *shape.answers(number, cells, problems)]
                continue
            when: str | None = cell_text(cells[submitted])
            if not when:
                shape.notes.skipped[incomplete] += 1
                continue
            if when.startswith(ANONYMISED):
                when = None
            yield number, [rid, when, *shape.answers(number, cells, problems)]

    return shaped_table(shape, out, shaped(), problems)


# --- the archive ----------------------------------------------------------------------------


def _refuse(message: str, column: str | None = None) -> ImportFailed:
    return ImportFailed([RowProblem(None, column, message)])


def _check_archive(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _refuse(
            _("The archive holds %(count)s files; a LimeSurvey archive holds four.")
            % {"count": f"{len(infos):,}"}
        )
    limit = settings.SAWT_IMPORT_MAX_UNPACKED_BYTES
    if sum(info.file_size for info in infos) > limit:
        raise _refuse(
            _("The archive unpacks to over %(limit)s MB.") % {"limit": f"{limit / 1024**2:,.0f}"}
        )
    for info in infos:
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise _refuse(
                _(
                    "The file “%(name)s” in the archive unpacks to over %(ratio)s times its "
                    "packed size, as zip bombs do."
                )
                % {"name": info.filename[:100], "ratio": MAX_RATIO},
                column=info.filename[:100],
            )
    return infos


def _archive_table(
    path: Path, archive: zipfile.ZipFile, questions: list[Question], problems: ProblemCollector
) -> Table:
    try:
        infos = _check_archive(archive)
    except (zipfile.BadZipFile, OSError):
        raise _refuse(_("The LimeSurvey archive is damaged and cannot be opened.")) from None
    budget = [ELEMENTS_FLOOR + MAX_ELEMENTS_PER_BYTE * path.stat().st_size]
    lsr = [i for i in infos if i.filename.lower().endswith(".lsr")]
    if not lsr:
        raise _refuse(
            _(
                "The archive holds no responses (.lsr file). Export the survey archive with its "
                "responses from LimeSurvey, or export the responses as CSV."
            )
        )
    lss = [i for i in infos if i.filename.lower().endswith(".lss")]
    codes = _lss_codes(archive, lss[0], budget) if lss else {}
    stream = archive.open(lsr[0])
    parsed = _lsr(stream, lsr[0].filename, budget)
    fields = next(parsed)
    header = [normalise_header(f) for f in fields]
    rows = ((number, cells) for number, cells in _numbered(parsed))
    return _shape_rows(header, fields, rows, questions, problems, codes)


def _numbered(parsed: Iterator[list[Any]]) -> Iterator[tuple[int, list[Any]]]:
    # Numbered as the CSV export of the same responses numbers them: fields are row 1.
    yield from enumerate(parsed, start=2)


def _xml_problem(name: str, error: Exception) -> ImportFailed:
    if isinstance(error, DefusedXmlException):
        return _refuse(
            _(
                "The file “%(name)s” in the archive declares XML entities or a document type, "
                "which a LimeSurvey export never does; it is not read."
            )
            % {"name": name},
            column=name,
        )
    position = getattr(error, "position", None) or (0, 0)
    return _refuse(
        _(
            "The file “%(name)s” in the archive is not well-formed XML (line %(line)s, column "
            "%(column)s)."
        )
        % {"name": name, "line": position[0], "column": position[1]},
        column=name,
    )


def _spend(budget: list[int], name: str) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _refuse(
            _(
                "The file “%(name)s” in the archive holds far more XML elements than an archive "
                "of this size holds; it is not read."
            )
            % {"name": name},
            column=name,
        )


def _unmask(tag: str) -> str:
    # LimeSurvey writes a field whose name starts with a digit (an SGQA) as `_123456X12X345`.
    return tag[1:] if tag.startswith("_") and tag[1:2].isdigit() else tag


def _lsr(stream: IO[bytes], name: str, budget: list[int]) -> Iterator[list[Any]]:
    """The field names, then each response's cells aligned with them."""
    fields: list[str] = []
    position: dict[str, int] = {}
    rows: Element | None = None
    try:
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if element.tag == "rows":
                    rows = element
                continue
            _spend(budget, name)
            if element.tag == "fieldname":
                fields.append(element.text or "")
            elif element.tag == "fields":
                position = {field: i for i, field in enumerate(fields)}
                yield fields
            elif element.tag == "row":
                if not position:
                    raise _no_fields(name)
                cells: list[Any] = [None] * len(fields)
                for child in element:
                    at = position.get(_unmask(child.tag))
                    if at is not None:
                        cells[at] = child.text
                element.clear()
                if rows is not None:
                    rows.clear()
                yield cells
    except (ParseError, DefusedXmlException) as error:
        raise _xml_problem(name, error) from None
    finally:
        stream.close()
    if not position:
        raise _no_fields(name)


def _no_fields(name: str) -> ImportFailed:
    return _refuse(
        _("The file “%(name)s” in the archive lists no fields.") % {"name": name}, column=name
    )


def _lss_codes(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]
) -> dict[str, str]:
    """SGQA (lower case) → the question's code as LimeSurvey's CSV export heads it."""
    if info.file_size > MAX_LSS_BYTES:
        return {}
    data = archive.read(info)
    budget[0] -= data.count(b"<") - data.count(b"</")
    if budget[0] < 0:
        _spend(budget, info.filename)
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise _xml_problem(info.filename, error) from None
    found: dict[str, dict[str, str]] = {}
    for row in [*root.iterfind("questions/rows/row"), *root.iterfind("subquestions/rows/row")]:
        values = {child.tag: (child.text or "").strip() for child in row}
        if values.get("qid"):
            found.setdefault(values["qid"], values)
    codes: dict[str, str] = {}
    for qid, q in found.items():
        parent = found.get(q.get("parent_qid") or "0")
        if parent is None:
            codes[f"{q.get('sid')}x{q.get('gid')}x{qid}"] = q.get("title", "").lower()
        else:
            key = f"{parent.get('sid')}x{parent.get('gid')}x{parent['qid']}{q.get('title', '')}"
            codes[key.lower()] = f"{parent.get('title', '')}[{q.get('title', '')}]".lower()
    return codes
