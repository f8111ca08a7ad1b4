"""What the LimeSurvey, Forms and SPSS sources share: scoring a cell through the question's
choices, matching texts written in another tool, and building the table in sawt's shape.

A cell is scored by `Question.choices` first (trimmed; as written, then without case, then
with its text folded as `fold` folds it), so a choice named `5` may score 1 when the tool's
best answer comes first. A number that is not a choice passes on as written, and
`parse_responses` checks it against the scale with its usual message.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _

from sawt.imports.problems import ProblemCollector
from sawt.imports.values import ValueProblem, cell_text, parse_whole
from sawt.surveys.choices import QuestionKind
from sawt.surveys.importers.responses import RESPONDENT, SUBMITTED
from sawt.surveys.models import Question
from sawt.surveys.sources.common import SourceNotes, SourceTable
from sawt.textanalytics.arabic import normalize_arabic

# Choices named in a message, at most (a list of fifty codes helps nobody).
_NAMED = 12


def fold(value: Any) -> str:
    """Text compared as a person reads it: Arabic letter variants, diacritics, direction marks,
    case, punctuation and runs of spaces do not count."""
    text = normalize_arabic(unicodedata.normalize("NFKC", cell_text(value)))
    kept = "".join(" " if unicodedata.category(c)[0] in "PSZ" else c for c in text)
    return " ".join(kept.split())


class Scorer:
    """One question's cells: a choice's score, a number as written, text as text."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self.is_text = question.kind == QuestionKind.TEXT
        self.exact: dict[str, int] = {}
        self.lower: dict[str, int] = {}
        self.folded: dict[str, int] = {}
        for key, score in (question.choices or {}).items():
            name = str(key).strip()
            self.exact.setdefault(name, int(score))
            self.lower.setdefault(name.lower(), int(score))
            self.folded.setdefault(fold(name), int(score))

    def choice(self, value: Any) -> int | None:
        """The score of a choice written `value`, or None when no choice is written so."""
        text = cell_text(value)
        if not text or not self.exact:
            return None
        found = self.exact.get(text)
        if found is None:
            found = self.lower.get(text.lower())
        if found is None:
            found = self.folded.get(fold(text))
        return found

    def __call__(self, value: Any, label: Any = None) -> Any:
        """`value` scored (or `label`, its value label, when the tool gives one); ValueProblem
        for a word that is neither a choice nor a number."""
        if not cell_text(value):
            return None
        if self.is_text:
            return value
        for candidate in (value, label) if label is not None else (value,):
            found = self.choice(candidate)
            if found is not None:
                return found
        try:
            score = parse_whole(value)
        except ValueProblem:
            raise ValueProblem(self._unknown(value)) from None
        low, high = self.question.scale_min or 0, self.question.scale_max or 0
        if label is not None and cell_text(label) != cell_text(value) and not low <= score <= high:
            # A labelled code that is not a score ("9: Don't know"): name the label too.
            raise ValueProblem(
                _(
                    "%(value)s (“%(label)s”) is neither one of this question's answers nor a "
                    "score from %(low)s to %(high)s."
                )
                % {"value": score, "label": cell_text(label)[:100], "low": low, "high": high}
            )
        return value

    def _unknown(self, value: Any) -> str:
        question = self.question
        where = {
            "value": cell_text(value)[:100],
            "low": question.scale_min,
            "high": question.scale_max,
        }
        if not self.exact:
            return (
                _(
                    "“%(value)s” is not a score from %(low)s to %(high)s, and the survey's "
                    "definition lists no answers of this question to look it up in."
                )
                % where
            )
        # By score, then name: PostgreSQL's jsonb does not keep the definition's order.
        names = sorted(self.exact, key=lambda name: (self.exact[name], name))
        listed = ", ".join(names[:_NAMED]) + (", …" if len(names) > _NAMED else "")
        return _(
            "“%(value)s” is neither one of this question's answers (%(choices)s) nor a score "
            "from %(low)s to %(high)s."
        ) % {**where, "choices": listed}


class Shape:
    """Where each of sawt's columns comes from in the source's rows, and how it is scored; what
    became what is written down in `notes` for the import's report."""

    def __init__(self, source: str) -> None:
        self.notes = SourceNotes(source)
        self.questions: list[tuple[int, str, Scorer]] = []  # (source index, source name, …)
        self.attributes: list[tuple[int, str]] = []
        self.taken: dict[int, str] = {}  # question pk → the source column that feeds it

    def read_as(self, shown: str, name: str) -> None:
        self.notes.read_as[shown] = name

    def drop(self, shown: str) -> None:
        self.notes.dropped.append(shown)

    def add_attribute(self, index: int, name: str, shown: str) -> None:
        if name in (RESPONDENT, SUBMITTED) or any(name == n for _, n in self.attributes):
            self.drop(shown)
            return
        self.attributes.append((index, name))
        self.notes.attributes.append(shown)

    def add_question(
        self, index: int, name: str, question: Question, problems: ProblemCollector
    ) -> None:
        first = self.taken.get(question.pk)
        if first is not None:
            problems.add(
                1,
                name,
                _("This column and the column “%(other)s” both hold question %(code)s.")
                % {"other": first, "code": question.code},
            )
            return
        self.taken[question.pk] = name
        self.questions.append((index, name, Scorer(question)))
        self.read_as(name, question.code)

    def header(self, timed: bool = True) -> list[str]:
        """sawt's columns: without `submitted_at` when the source has no time (a re-import
        then keeps the stored time, as a sawt file without the column does)."""
        codes = [scorer.question.code.lower() for _, _, scorer in self.questions]
        own = set(codes)
        self.attributes = [(i, name) for i, name in self.attributes if name not in own]
        first = [RESPONDENT, SUBMITTED] if timed else [RESPONDENT]
        return [*first, *codes, *(name for _, name in self.attributes)]

    def answers(
        self,
        number: int,
        cells: Sequence[Any],
        problems: ProblemCollector,
        labels: Sequence[Any] | None = None,
    ) -> list[Any]:
        """The question cells scored, then the attribute cells as they are; a cell that does not
        score is a problem at its source row and column and passes on blank."""
        out: list[Any] = []
        for index, name, scorer in self.questions:
            try:
                out.append(scorer(cells[index], labels[index] if labels else None))
            except ValueProblem as problem:
                problems.add(number, name, problem.message)
                out.append(None)
        out.extend(cells[i] for i, _ in self.attributes)
        return out


def shaped_table(
    shape: Shape,
    header: list[str],
    rows: Iterator[tuple[int, Sequence[Any]]],
    problems: ProblemCollector,
) -> SourceTable:
    """The rows (source row number, cells in sawt's order) as a table `parse_responses` reads,
    with the shape's notes for the import's report."""
    return SourceTable(
        kind="csv",
        header=header,
        problems=problems,
        _source=rows,
        raw_header=header,
        notes=shape.notes,
    )
