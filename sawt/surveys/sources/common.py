"""What the response sources share: a tool's columns matched to the survey's questions, choice
names scored through the definition, and the tool's rows rebuilt as a table in sawt's shape.

A source module opens the tool's export with `sawt.imports.readers.open_table`, decides which
column is what (`ColumnMap`), and hands the rows to `sawt_table`, which yields the columns
`parse_responses` expects (`respondent_id`, `submitted_at`, question codes, attributes) under
the source file's own row numbers. A cell that does not score is a problem at that row and at
the column as the tool wrote it, so a person finds it in the file they have.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from sawt.imports.problems import ImportFailed, ProblemCollector, RowProblem
from sawt.imports.readers import Table, normalise_header
from sawt.imports.values import ValueProblem, cell_key, cell_text, local_zone, parse_datetime
from sawt.surveys.choices import QuestionKind
from sawt.surveys.importers.responses import RESPONDENT, SUBMITTED
from sawt.surveys.models import Question

# Shown in a "not one of the choices" message; a long list is cut with an ellipsis.
CHOICES_SHOWN = 12
# Column names that say they hold personal data: never kept as attributes, whatever the tool.
_PERSONAL = re.compile(
    r"e-?mail|phone|mobile|\bip\b|ipaddress|ip_address|latitude|longitude|altitude|geo|gps|"
    r"location|address|national|iqama|passport|\bname\b|_name$|^name_|firstname|lastname|"
    r"جوال|هاتف|بريد|هوية|إقامة|اسم",
)


def looks_personal(name: str) -> bool:
    """Whether a column's name says it holds personal data (dropped, never an attribute)."""
    return bool(_PERSONAL.search(name.lower()))


class Scorer:
    """One question's cells as `parse_responses` takes them: a choice name or answer code becomes
    its score, a number stays as written (the scale is checked later), text stays text."""

    __slots__ = ("exact", "folded", "is_text", "names")

    def __init__(self, question: Question) -> None:
        self.is_text = question.kind == QuestionKind.TEXT
        choices: dict[str, Any] = question.choices or {}
        self.exact = {str(name).strip(): score for name, score in choices.items()}
        self.folded: dict[str, Any] = {}
        for name, score in self.exact.items():
            self.folded.setdefault(cell_key(name).casefold(), score)
        self.names = list(self.exact)

    def __call__(self, value: Any) -> Any:
        if self.is_text or value is None:
            return value
        text = cell_text(value)
        if not text:
            return None
        if self.exact:
            score = self.exact.get(text)
            if score is None:
                score = self.folded.get(cell_key(text).casefold())
            if score is not None:
                return score
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if re.fullmatch(r"[+-]?\d+(?:\.0+)?", cell_key(text)):
            return text
        if not self.names:
            raise ValueProblem(
                _(
                    "“%(value)s” is not a score, and this question has no choices in its "
                    "definition to score it by: import the definition from the tool's form "
                    "(`sawt import-survey --from xlsform` or `--from limesurvey`), or export "
                    "the answers as numbers."
                )
                % {"value": text}
            )
        shown = ", ".join(self.names[:CHOICES_SHOWN])
        if len(self.names) > CHOICES_SHOWN:
            shown += ", …"
        raise ValueProblem(
            _("“%(value)s” is not one of this question's choices (%(choices)s), nor a score.")
            % {"value": text, "choices": shown}
        )


class QuestionIndex:
    """The survey's questions by the names a tool's column may carry: each question's
    `source_key` first, then its code, compared without case."""

    def __init__(self, questions: Iterable[Question]) -> None:
        self.keys: dict[str, Question] = {}
        questions = list(questions)
        for question in questions:
            if question.source_key:
                self.keys.setdefault(normalise_header(question.source_key), question)
        for question in questions:
            self.keys.setdefault(normalise_header(question.code), question)

    def find(self, *names: str, separators: str = "") -> Question | None:
        """The question a column holds: a name whole, else its longest tail after one of the
        `separators` (a group path such as `stage/sub/name` ends in the question's name)."""
        for name in names:
            name = normalise_header(name)
            if not name:
                continue
            if name in self.keys:
                return self.keys[name]
            for index, char in enumerate(name):
                if char in separators and name[index + 1 :] in self.keys:
                    return self.keys[name[index + 1 :]]
        return None


@dataclass
class SourceNotes:
    """What a source did with the file, for the import's report: the columns read as what, the
    columns dropped, and the rows left out and why."""

    source: str
    read_as: dict[str, str] = field(default_factory=dict)
    attributes: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    other: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line each, in the person's language."""
        out: list[str] = []
        if self.read_as:
            read = ", ".join(f"{k} → {v}" for k, v in self.read_as.items())
            out.append(_("Columns read: %(columns)s.") % {"columns": read})
        if self.attributes:
            out.append(
                _("Kept as attributes: %(columns)s.") % {"columns": ", ".join(self.attributes)}
            )
        if self.dropped:
            out.append(
                _("Dropped (never stored): %(columns)s.") % {"columns": ", ".join(self.dropped)}
            )
        for reason, count in self.skipped.items():
            out.append(
                _("Rows skipped (%(reason)s): %(count)s.") % {"reason": reason, "count": count}
            )
        return out + self.other


@dataclass
class SourceTable(Table):
    """A source's table in sawt's shape, with what the source did (`notes`) and, for each of
    sawt's columns, the column of the file it came from (`in_file`)."""

    notes: SourceNotes = field(default_factory=lambda: SourceNotes(""))
    in_file: dict[str, str] = field(default_factory=dict)


@contextmanager
def named_as_in_file(table: SourceTable) -> Iterator[SourceTable]:
    """Yield `table`; then the problems found on its rows (a score outside the scale, a
    respondent twice) name the file's own columns (`Q1`, `_uuid`), not sawt's."""
    try:
        yield table
    finally:
        collector = table.problems
        collector.problems = [
            RowProblem(p.row, table.in_file.get(p.column, p.column), p.message) if p.column else p
            for p in collector.problems
        ]


@dataclass
class ColumnMap:
    """Which source column (by index) feeds each of sawt's columns; the rest are dropped."""

    respondent: int
    submitted: int | None
    questions: list[tuple[int, Question]]
    attributes: list[tuple[int, str]]


def map_columns(
    table: Table,
    questions: Iterable[Question],
    *,
    notes: SourceNotes,
    respondent: Sequence[str],
    submitted: Sequence[str],
    is_meta: Callable[[str], bool],
    separators: str = "",
    other_names: Sequence[Sequence[str]] = (),
    is_dropped: Callable[[int, str], bool] = lambda index, name: False,
    attribute_tail: bool = True,
    hint: str = "",
) -> ColumnMap:
    """Decide what each column of `table` is. `respondent` and `submitted` are the candidate
    names of the id and time columns (the first present wins); meta columns and columns whose
    names look personal are dropped; a column matching a question feeds it; the rest are
    attributes. `other_names[i]` are more names column i may match a question by (Qualtrics'
    ImportId). An attribute is named by the column's last path part (`attribute_tail`) or its
    whole name. `hint` follows the message of a file with no question column. Refused (row 1)
    without an id column, without any question column, or with two columns for one question.
    """
    header, raw = table.header, table.raw_header or table.header
    _forgive_meta_twice(table, is_meta)
    index = QuestionIndex(questions)
    rid = _first(header, respondent)
    when = _first(header, submitted)
    found: list[tuple[int, Question]] = []
    taken: dict[int, int] = {}
    attributes: list[tuple[int, str]] = []
    names_used: set[str] = set()
    problems: list[RowProblem] = []
    for i, name in enumerate(header):
        if not name:
            continue
        shown = raw[i] if i < len(raw) and raw[i] else name
        if i == rid:
            notes.read_as[shown] = RESPONDENT
            continue
        if i == when:
            notes.read_as[shown] = SUBMITTED
            continue
        extra = other_names[i] if i < len(other_names) else ()
        question = None if is_meta(name) else index.find(name, *extra, separators=separators)
        if question is not None:
            if question.pk in taken:
                problems.append(
                    RowProblem(
                        1,
                        shown,
                        _("This column and column %(other)s both hold question “%(code)s”.")
                        % {
                            "other": raw[taken[question.pk]] or header[taken[question.pk]],
                            "code": question.code,
                        },
                    )
                )
                continue
            taken[question.pk] = i
            found.append((i, question))
            notes.read_as[shown] = question.code
            continue
        attribute = _attribute_name(name, separators if attribute_tail else "")
        if (
            is_meta(name)
            or looks_personal(name)
            or is_dropped(i, name)
            or attribute in names_used
            or attribute in (RESPONDENT, SUBMITTED)
        ):
            notes.dropped.append(shown)
            continue
        names_used.add(attribute)
        attributes.append((i, attribute))
        notes.attributes.append(shown)
    if rid is None:
        problems.append(
            RowProblem(
                1,
                None,
                _(
                    "The column “%(column)s” (the respondent's id in a %(source)s export) is "
                    "missing from the first row."
                )
                % {"column": respondent[0], "source": notes.source},
            )
        )
    if not found:
        codes = ", ".join(q.code for q in index.keys.values())
        problems.append(
            RowProblem(
                1,
                None,
                _(
                    "No column holds a question of this survey (matched by the question's code "
                    "or the tool's own name for it); its questions are: %(codes)s."
                )
                % {"codes": codes}
                + (f" {hint}" if hint else ""),
            )
        )
    if problems:
        raise ImportFailed(problems)
    assert rid is not None
    return ColumnMap(rid, when, found, attributes)


def _forgive_meta_twice(table: Table, is_meta: Callable[[str], bool]) -> None:
    """A meta column's name may appear twice (ODK Central's `DeviceID` beside the form's own
    `deviceid`): both are dropped, so the header's "appears more than once" does not apply."""
    collector = table.problems
    collector.problems = [
        p for p in collector.problems if not (p.row == 1 and p.column and is_meta(p.column))
    ]


def _first(header: list[str], names: Sequence[str]) -> int | None:
    """The index of the first of `names` (as the tool spells them) that the header has."""
    for name in names:
        key = normalise_header(name)
        if key in header:
            return header.index(key)
    return None


def _attribute_name(name: str, separators: str) -> str:
    # `stage/region` is kept as `region`: the group path is the tool's layout, not a name.
    for char in separators:
        name = name.rsplit(char, 1)[-1]
    return normalise_header(name)


def time_in(zone: dt.tzinfo) -> Callable[[Any], dt.datetime]:
    """A reader of times that are in `zone` when they carry no offset of their own."""

    def read(value: Any) -> dt.datetime:
        parsed = parse_datetime(value)
        # parse_datetime puts a time without an offset in sawt's zone (a ZoneInfo); an offset
        # written in the cell gives a fixed timezone instead.
        if parsed.tzinfo is local_zone() and zone is not local_zone():
            parsed = parsed.replace(tzinfo=zone)
        return parsed

    return read


UTC = dt.UTC


def zone_named(name: str) -> dt.tzinfo | None:
    """`Z`/`UTC` or an IANA zone name (as Qualtrics writes it), else None."""
    if name.strip().upper() in ("Z", "UTC", "GMT"):
        return UTC
    try:
        return zoneinfo.ZoneInfo(name.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def sawt_table(
    source: Table,
    columns: ColumnMap,
    notes: SourceNotes,
    rows: Iterable[tuple[int, Sequence[Any]]] | None = None,
    when: Callable[[Any], Any] = parse_datetime,
) -> SourceTable:
    """The source's rows (`rows`, else all of `source`'s) as a table in sawt's shape, each row
    under its number in the source file."""
    problems: ProblemCollector = source.problems
    raw = source.raw_header or source.header

    def shown(i: int) -> str:
        return raw[i] if i < len(raw) and raw[i] else source.header[i]

    header = [RESPONDENT]
    if columns.submitted is not None:
        header.append(SUBMITTED)
    header += [normalise_header(q.code) for _, q in columns.questions]
    header += [name for _, name in columns.attributes]
    scorers = [(i, Scorer(q), shown(i)) for i, q in columns.questions]
    attributes = [i for i, _ in columns.attributes]
    rid, submitted = columns.respondent, columns.submitted
    time_column = shown(submitted) if submitted is not None else ""

    def build() -> Iterable[tuple[int, Sequence[Any]]]:
        for number, cells in rows if rows is not None else source.rows():
            out: list[Any] = [cells[rid]]
            if submitted is not None:
                value = cells[submitted]
                moment = None
                if cell_text(value):
                    try:
                        moment = when(value)
                    except ValueProblem as problem:
                        problems.add(number, time_column, problem.message)
                out.append(moment)
            for i, score, name in scorers:
                try:
                    out.append(score(cells[i]))
                except ValueProblem as problem:
                    problems.add(number, name, problem.message)
                    out.append(None)
            out += [cells[i] for i in attributes]
            yield number, out

    in_file = {RESPONDENT: shown(rid)}
    if submitted is not None:
        in_file[SUBMITTED] = time_column
    for i, question in columns.questions:
        in_file[question.code] = in_file[normalise_header(question.code)] = shown(i)
    for i, name in columns.attributes:
        in_file[name] = shown(i)
    return SourceTable(
        kind=source.kind,
        header=header,
        problems=problems,
        _source=iter(build()),
        raw_header=list(header),
        notes=notes,
        in_file=in_file,
    )
