"""A responses file (CSV or XLSX, one row per respondent) checked into compact rows.

The loop runs once per row of files with a million rows: converters are prepared per column
before it starts, and each kept row is one tuple (answers aligned with the question columns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from sawt.imports.problems import ImportFailed, ProblemCollector, RowProblem
from sawt.imports.readers import Table
from sawt.imports.values import (
    DateReader,
    ValueProblem,
    cell_key,
    cell_text,
    clean_text,
    parse_whole,
    score_lookup,
)
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Question, Response
from sawt.textanalytics.arabic import redact_pii

RESPONDENT, SUBMITTED = "respondent_id", "submitted_at"
_MISS = object()


class _NotApplicable:
    """An answer given as one of the question's `na_values`: stored as "not applicable"."""

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


# One object, so a parsed row and a stored one compare equal (the import's change detection).
NOT_APPLICABLE = _NotApplicable()
RESPONDENT_MAX = Response._meta.get_field("respondent_id").max_length or 100

# (respondent_id, submitted_at, answers aligned with Layout.questions, attributes)
ResponseRow = tuple[str, dt.datetime | None, tuple[Any, ...], dict[str, str]]


@dataclass(frozen=True)
class Layout:
    """Which column holds what: the respondent, the time, each question, each attribute."""

    respondent: int
    submitted: int | None
    questions: tuple[Question, ...]
    question_columns: tuple[int, ...]
    attributes: tuple[tuple[int, str], ...]


def response_layout(header: list[str], questions: Sequence[Question]) -> Layout:
    """Map the header to the survey's questions; refuse files without respondents or questions."""
    by_code = {q.code.lower(): q for q in questions}
    found: list[tuple[int, Question]] = []
    attributes: list[tuple[int, str]] = []
    for index, name in enumerate(header):
        if not name or name in (RESPONDENT, SUBMITTED):
            continue
        if name in by_code:
            found.append((index, by_code[name]))
        else:
            attributes.append((index, name))
    problems = []
    if RESPONDENT not in header:
        problems.append(
            RowProblem(1, None, _("The column “respondent_id” is missing from the first row."))
        )
    if not found:
        codes = ", ".join(q.code for q in questions)
        problems.append(
            RowProblem(
                1,
                None,
                _(
                    "No column is named after a question of this survey; its question codes "
                    "are: %(codes)s."
                )
                % {"codes": codes},
            )
        )
    if problems:
        raise ImportFailed(problems)
    return Layout(
        respondent=header.index(RESPONDENT),
        submitted=header.index(SUBMITTED) if SUBMITTED in header else None,
        questions=tuple(q for _, q in found),
        question_columns=tuple(i for i, _ in found),
        attributes=tuple(attributes),
    )


class _Column:
    """One question column's converter: a dict hit for usual scores, the slow path otherwise."""

    __slots__ = ("code", "high", "index", "is_text", "lookup", "low", "na")

    def __init__(self, index: int, question: Question) -> None:
        self.index, self.code = index, question.code
        self.is_text = question.kind == QuestionKind.TEXT
        self.low, self.high = question.scale_min or 0, question.scale_max or 0
        # Blank cells are the commonest miss, so they are in the table too (as "no answer").
        self.lookup: dict[Any, int | None] = {"": None, None: None}
        if not self.is_text:
            self.lookup.update(score_lookup(self.low, self.high))
        self.na = frozenset(str(v).strip() for v in question.na_values or ())

    def not_applicable(self, value: Any) -> bool:
        """Whether the cell holds one of the question's "not applicable" values."""
        if not self.na or value is None:
            return False
        text = cell_text(value)
        if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
            text = text[:-2]  # a whole number from a spreadsheet
        return text in self.na

    def slow(self, value: Any) -> Any:
        """Blank → None; text answers → redacted text; scores → int in scale or ValueProblem."""
        if self.is_text:
            text = clean_text(value)
            return redact_pii(text) if text else None
        if not cell_text(value):
            return None
        try:
            score = parse_whole(value)
        except ValueProblem as problem:
            raise ValueProblem(
                _(
                    "“%(value)s” is not a whole number; this question is scored from %(low)s "
                    "to %(high)s."
                )
                % {"value": cell_text(value), "low": self.low, "high": self.high}
            ) from problem
        if not self.low <= score <= self.high:
            raise ValueProblem(
                _("%(value)s is outside this question's scale, %(low)s to %(high)s.")
                % {"value": score, "low": self.low, "high": self.high}
            )
        return score


class _Attributes:
    """Attribute columns as small shared dicts: segments repeat, so most rows reuse one."""

    def __init__(self, columns: tuple[tuple[int, str], ...]) -> None:
        self.columns = columns
        self.values: dict[str, str] = {}
        self.shared: dict[tuple[str, ...], dict[str, str]] = {}

    def __call__(self, cells: Sequence[Any]) -> dict[str, str]:
        raw = tuple(cells[i] for i, _ in self.columns)
        found = self.shared.get(raw)
        if found is None:
            values = [self._value(v) for v in raw]
            found = {name: v for (_, name), v in zip(self.columns, values, strict=True) if v}
            self.shared[raw] = found
        return found

    def _value(self, cell: Any) -> str:
        # Attributes are segments, not identifiers: personal data in them is redacted too, and
        # direction marks and digit scripts dropped (‏الرياض‏ is الرياض).
        text = clean_text(cell)
        if text not in self.values:
            self.values[text] = redact_pii(text)
        return self.values[text]


def parse_responses(
    table: Table,
    layout: Layout,
    problems: ProblemCollector,
    read_date: Callable[[Any], dt.datetime] | None = None,
) -> tuple[list[ResponseRow], int]:
    """Every row checked; the valid ones returned as compact tuples, with the count of rows read.

    `read_date` reads submitted_at (ISO 8601 by default, or a mapping's rule, checked against
    the survey's period by the service); a date before 1990 or in the future is a row problem."""
    read_date = read_date or DateReader()
    columns = [
        _Column(i, q) for i, q in zip(layout.question_columns, layout.questions, strict=True)
    ]
    attributes = _Attributes(layout.attributes)
    respondent, submitted = layout.respondent, layout.submitted
    seen: dict[str, int] = {}
    rows: list[ResponseRow] = []
    read = 0
    for number, cells in table.rows():
        read += 1
        before = problems.count
        rid = _respondent(cells[respondent], number, seen, problems)
        when = None
        if submitted is not None and cell_text(cells[submitted]):
            try:
                when = read_date(cells[submitted])
            except ValueProblem as problem:
                problems.add(number, SUBMITTED, problem.message)
        answers: list[Any] = [None] * len(columns)
        for j, column in enumerate(columns):
            value = cells[column.index]
            if column.na and column.not_applicable(value):
                answers[j] = NOT_APPLICABLE
                continue
            score = column.lookup.get(value, _MISS)
            if score is _MISS:
                try:
                    score = column.slow(value)
                except ValueProblem as problem:
                    problems.add(number, column.code, problem.message)
            answers[j] = score
        if problems.count == before:
            rows.append((rid, when, tuple(answers), attributes(cells)))
    return rows, read


def answers_check(
    questions: Sequence[Question], values: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """One respondent's answers by question code, checked as an import checks a row's cells
    (a score in any digit script within its scale, open text trimmed and redacted): the answers
    given, and the problem of each refused one. A blank or missing value is no answer."""
    answers: dict[str, Any] = {}
    refused: dict[str, str] = {}
    for question in questions:
        value = values.get(question.code)
        column = _Column(0, question)
        score = column.lookup.get(value, _MISS) if isinstance(value, str | None) else _MISS
        if score is _MISS:
            try:
                score = column.slow(value)
            except ValueProblem as problem:
                refused[question.code] = problem.message
                continue
        if score is not None:
            answers[question.code] = score
    return answers, refused


def attributes_check(values: Mapping[str, Any]) -> dict[str, str]:
    """Respondent attributes as an import keeps its extra columns: text, personal data
    redacted, blank ones dropped."""
    columns = tuple((i, str(name)) for i, name in enumerate(values))
    return _Attributes(columns)(list(values.values()))


def _respondent(cell: Any, number: int, seen: dict[str, int], problems: ProblemCollector) -> str:
    rid = cell_key(cell)
    if not rid:
        problems.add(number, RESPONDENT, _("A respondent_id is required on every row."))
    elif len(rid) > RESPONDENT_MAX:
        problems.add(
            number,
            RESPONDENT,
            _("A respondent_id is at most %(limit)s characters.") % {"limit": RESPONDENT_MAX},
        )
    elif rid in seen:
        problems.add(
            number,
            RESPONDENT,
            _("The respondent “%(id)s” already appears on row %(row)s.")
            % {"id": rid, "row": seen[rid]},
        )
    else:
        seen[rid] = number
    return rid
