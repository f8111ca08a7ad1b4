"""An XLSForm (KoboToolbox, ODK; `.xlsx`) read as a journey definition.

Sheets `survey` and `choices` (and `settings` for the title and default language) are read
with sawt's own XLSX reader, so a hostile workbook costs what any upload costs. Problems name
the sheet and the row as a spreadsheet shows them. The rules are in docs/formats.md
("Definitions from XLSForm").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from tqdm import tqdm

from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.readers import normalise_header, refuse
from sawt.imports.values import cell_text
from sawt.imports.xlsx import sheet_names, sheet_rows
from sawt.surveys.choices import MAX_SCORE, MIN_SCORE
from sawt.surveys.importers.definition import Definition, NamedSpec, QuestionSpec
from sawt.surveys.importers.tools import (
    NAME_LIMIT,
    ToolTarget,
    check_code,
    code_used,
    finish,
    language_of,
    make_code,
    new_definition,
    ordered_scores,
    pick_texts,
    question,
    scale_problem,
)

# Rows that carry no question sawt can score or read: the form's metadata and its logic.
IGNORED_TYPES = frozenset(
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
        "note",
        "calculate",
        "hidden",
        "start-geopoint",
        "background-audio",
        "background-geopoint",
        "xml-external",
        "csv-external",
        "instanceid",
    }
)
_BEGIN_GROUP = {"begin_group", "begin group"}
_END_GROUP = {"end_group", "end group"}
_BEGIN_REPEAT = {"begin_repeat", "begin repeat"}
_END_REPEAT = {"end_repeat", "end repeat"}
_BOUND = re.compile(r"^\s*\.\s*(>=|<=|>|<)\s*(-?\d+)\s*$")
_PARAMETER = re.compile(r"([A-Za-z_]+)\s*=\s*(\S+)")


@dataclass
class _Sheet:
    name: str
    header: list[str]
    written: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)

    def column(self, name: str) -> int | None:
        return self.header.index(name) if name in self.header else None

    def get(self, cells: list[Any], name: str) -> str:
        index = self.column(name)
        if index is None or index >= len(cells) or cells[index] is None:
            return ""
        return cell_text(cells[index]).strip()

    def texts(self, cells: list[Any], base: str, default: str | None) -> dict[str | None, str]:
        """A row's texts by language from `label`, `label::English (en)`, `label::ar` …"""
        found: dict[str | None, str] = {}
        for index, name in enumerate(self.header):
            if name == base:
                language = default
            elif name.startswith(f"{base}::"):
                language = language_of(self.written[index].split("::", 1)[1])
                if language is None:
                    continue
            else:
                continue
            value = cell_text(cells[index]).strip() if index < len(cells) else ""
            if value and not found.get(language):
                found[language] = value
        return found


def _where(sheet: str, column: str) -> str:
    return _("%(column)s in sheet %(sheet)s") % {"column": column, "sheet": sheet}


def _read_sheet(path: Path, name: str, limit_rows: int = 20_000) -> _Sheet:
    with tqdm(disable=True) as bar, sheet_rows(path, bar, name) as rows:
        sheet: _Sheet | None = None
        for number, cells in _bounded(rows, limit_rows, name):
            if sheet is None:
                written = [cell_text(c).strip() if c is not None else "" for c in cells]
                sheet = _Sheet(name, [normalise_header(c) for c in written], written)
                continue
            sheet.rows.append((number, list(cells)))
    return sheet or _Sheet(name, [], [])


def _bounded(
    rows: Iterator[tuple[int, list[Any]]], limit: int, name: str
) -> Iterator[tuple[int, list[Any]]]:
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise refuse(
                _(
                    "The sheet %(sheet)s has more than %(limit)s rows, far more than a form "
                    "has. Check that this is the right file."
                )
                % {"sheet": name, "limit": f"{limit:,}"}
            )
        yield row


def parse_xlsform(path: Path, target: ToolTarget, problems: ProblemCollector) -> Definition | None:
    """Read and check an XLSForm; problems are collected, None if a sheet is missing."""
    try:
        names = {n.strip().lower(): n for n in sheet_names(path)}
    except ImportFailed as failed:
        if path.stat().st_size and path.read_bytes()[:4] != b"PK\x03\x04":
            raise refuse(
                _(
                    "An XLSForm is an XLSX workbook (sheets survey and choices); this file is "
                    "not one."
                )
            ) from None
        raise failed
    for required in ("survey", "choices"):
        if required not in names:
            problems.add(
                None,
                None,
                _(
                    "The workbook has no sheet “%(sheet)s”, which an XLSForm needs; its sheets "
                    "are: %(sheets)s."
                )
                % {"sheet": required, "sheets": ", ".join(names.values()) or "—"},
            )
    if problems:
        return None
    survey = _read_sheet(path, names["survey"])
    choices = _read_sheet(path, names["choices"])
    settings = _read_sheet(path, names["settings"], 100) if "settings" in names else None
    for sheet, columns in ((survey, ("type", "name")), (choices, ("list_name", "name"))):
        for column in columns:
            if sheet.column(column) is None and not (
                column == "list_name" and sheet.column("list name") is not None
            ):
                problems.add(
                    1,
                    _where(sheet.name, column),
                    _("The column “%(column)s” is missing from the first row of sheet %(sheet)s.")
                    % {"column": column, "sheet": sheet.name},
                )
    if problems:
        return None
    default, title = _settings(settings)
    lists = _lists(choices, default, problems)
    return _Reader(survey, lists, target, default, problems).definition(title)


def _settings(sheet: _Sheet | None) -> tuple[str | None, tuple[str, str]]:
    """The default language and the form's title, from the settings sheet's first row."""
    if sheet is None or not sheet.rows:
        return None, ("", "")
    _number, cells = sheet.rows[0]
    default = language_of(sheet.get(cells, "default_language") or "")
    title = pick_texts({default: sheet.get(cells, "form_title")})
    return default, (title[0][:NAME_LIMIT], title[1][:NAME_LIMIT])


@dataclass
class _List:
    row: int
    # (choice name as written, texts, row)
    choices: list[tuple[str, int]] = field(default_factory=list)


def _lists(sheet: _Sheet, default: str | None, problems: ProblemCollector) -> dict[str, _List]:
    list_column = "list_name" if sheet.column("list_name") is not None else "list name"
    lists: dict[str, _List] = {}
    for number, cells in sheet.rows:
        name = sheet.get(cells, list_column)
        choice = sheet.get(cells, "name")
        if not name and not choice:
            continue
        if not name or not choice:
            missing = list_column if not name else "name"
            problems.add(
                number,
                _where(sheet.name, missing),
                _("This choice has no %(column)s.") % {"column": missing},
            )
            continue
        found = lists.setdefault(name, _List(number))
        if any(existing == choice for existing, _row in found.choices):
            problems.add(
                number,
                _where(sheet.name, "name"),
                _("The list “%(list)s” already has a choice named “%(name)s”.")
                % {"list": name, "name": choice},
            )
            continue
        found.choices.append((choice, number))
    return lists


class _Reader:
    """The survey sheet, row by row: groups open and close stages, questions become items."""

    def __init__(
        self,
        sheet: _Sheet,
        lists: dict[str, _List],
        target: ToolTarget,
        default: str | None,
        problems: ProblemCollector,
    ) -> None:
        self.sheet = sheet
        self.lists = lists
        self.target = target
        self.default = default
        self.problems = problems
        self.stages: list[NamedSpec] = []
        self.questions: list[QuestionSpec] = []
        self.lines: dict[str, int] = {}
        self.skipped: list[str] = []
        # Open groups and repeats: (kind, row); the outermost group is the stage.
        self.open: list[tuple[str, int]] = []
        self.stage: str | None = None
        self.repeat_depth = 0
        self.codes: dict[str, int] = {}

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.add(row, _where(self.sheet.name, column), message)

    def definition(self, title: tuple[str, str]) -> Definition:
        for number, cells in self.sheet.rows:
            self.row(number, cells)
        for kind, row in self.open:
            self.add(
                row,
                "type",
                _("This group is never closed: add an “end_group” row after its questions.")
                if kind == "group"
                else _("This repeat is never closed: add an “end_repeat” row."),
            )
        used = {q.stage_code for q in self.questions if q.stage_code}
        self.stages = [s for s in self.stages if s.code in used]
        definition = new_definition(self.target, title, self.stages, self.questions, self.lines)
        definition.skipped = self.skipped
        finish(definition, self.problems)
        return definition

    def row(self, number: int, cells: list[Any]) -> None:
        written = self.sheet.get(cells, "type")
        kind = " ".join(written.lower().split())
        if not kind:
            if self.sheet.get(cells, "name"):
                self.add(number, "type", _("This row has a name but no type."))
            return
        if kind in _BEGIN_REPEAT:
            self.open.append(("repeat", number))
            self.repeat_depth += 1
            self.skipped.append(
                _("row %(row)s: the repeat “%(name)s” and its questions (asked many times)")
                % {"row": number, "name": self.sheet.get(cells, "name")}
            )
            return
        if kind in _END_REPEAT:
            self._close(number, "repeat")
            return
        if kind in _BEGIN_GROUP:
            self.open.append(("group", number))
            if len(self.open) == 1:
                self._begin_stage(number, cells)
            return
        if kind in _END_GROUP:
            self._close(number, "group")
            return
        if self.repeat_depth or kind in IGNORED_TYPES:
            return
        head, _space, rest = kind.partition(" ")
        name = self.sheet.get(cells, "name")
        if head in ("select_one", "integer", "range", "text"):
            if not name:
                self.add(number, "name", _("This question has no name."))
                return
            self._question(number, cells, head, rest, name)
        else:
            self.skipped.append(
                _("row %(row)s: “%(name)s” (%(type)s)")
                % {"row": number, "name": name or "—", "type": written}
            )

    def _close(self, number: int, kind: str) -> None:
        if not self.open or self.open[-1][0] != kind:
            message = (
                _("This “end_group” closes no open group.")
                if kind == "group"
                else _("This “end_repeat” closes no open repeat.")
            )
            self.add(number, "type", message)
            return
        self.open.pop()
        if kind == "repeat":
            self.repeat_depth -= 1
        if not self.open:
            self.stage = None

    def _begin_stage(self, number: int, cells: list[Any]) -> None:
        name = self.sheet.get(cells, "name")
        code = make_code(name)
        problems: list[str] = []
        check_code(code, name, problems.append)
        if not name:
            problems = [_("This group has no name.")]
        for message in problems:
            self.add(number, "name", message)
        if problems:
            self.stage = None
            return
        texts = pick_texts(self.sheet.texts(cells, "label", self.default))
        name_ar, name_en = (texts[0] or name)[:NAME_LIMIT], texts[1][:NAME_LIMIT]
        self.stage = code
        path = f"{self.sheet.name}!{name}"
        self.lines[path] = number
        if any(s.code.lower() == code.lower() for s in self.stages):
            self.add(
                number,
                "name",
                _("Another group is already named “%(name)s”.") % {"name": name},
            )
            return
        self.stages.append(NamedSpec(code, name_ar, name_en, path))

    def _question(self, number: int, cells: list[Any], head: str, rest: str, name: str) -> None:
        code = make_code(name)
        before = self.problems.count
        check_code(code, name, lambda message: self.add(number, "name", message))
        if code and (first := self.codes.setdefault(code.lower(), number)) != number:
            self.add(number, "name", code_used(name, code, _("row %(row)s") % {"row": first}))
        texts = pick_texts(self.sheet.texts(cells, "label", self.default))
        if not texts[0]:
            self.add(number, "label", _("This question has no label in any language."))
        if head == "select_one":
            scale, choices = self._choices(number, rest)
        elif head == "text":
            scale, choices = None, {}
        else:
            scale, choices = self._bounds(number, cells, head), {}
        if self.problems.count > before:
            return
        path = name
        self.lines[path] = number
        self.questions.append(
            question(
                code,
                head != "text",
                texts,
                scale,
                self.stage,
                path,
                choices=choices,
                source_key=name,
            )
        )

    def _choices(self, number: int, rest: str) -> tuple[tuple[int, int] | None, dict[str, int]]:
        list_name = rest.split(" ")[0] if rest else ""
        found = self.lists.get(list_name) if list_name else None
        if found is None:
            known = ", ".join(sorted(self.lists)) or "—"
            self.add(
                number,
                "type",
                _("The choice list “%(list)s” is not in sheet choices; its lists are: %(lists)s.")
                % {"list": list_name or "—", "lists": known},
            )
            return None, {}
        scores = ordered_scores(len(found.choices), self.target.best)
        if scores is None:
            self.add(
                number,
                "type",
                _("The list “%(list)s” (row %(row)s of sheet choices): %(problem)s")
                % {
                    "list": list_name,
                    "row": found.row,
                    "problem": scale_problem(len(found.choices)),
                },
            )
            return None, {}
        choices = {
            choice: score for (choice, _row), score in zip(found.choices, scores, strict=True)
        }
        return (min(scores), max(scores)), choices

    def _bounds(self, number: int, cells: list[Any], head: str) -> tuple[int, int] | None:
        low = high = None
        if head == "range":
            parameters = dict(
                (key.lower(), value)
                for key, value in _PARAMETER.findall(self.sheet.get(cells, "parameters"))
            )
            low, high = _whole(parameters.get("start")), _whole(parameters.get("end"))
            step = parameters.get("step", "1")
            if low is None or high is None:
                self.add(
                    number,
                    "parameters",
                    _(
                        "A range scores only with its bounds written out, such as "
                        "“start=1 end=5 step=1”."
                    ),
                )
                return None
            if _whole(step) != 1:
                self.add(
                    number,
                    "parameters",
                    _("A scored range moves in steps of 1; this one has step=%(step)s.")
                    % {"step": step},
                )
                return None
            low, high = min(low, high), max(low, high)
        else:
            constraint = self.sheet.get(cells, "constraint")
            parts = re.split(r"\s+and\s+", constraint.strip()) if constraint else []
            for part in parts:
                found = _BOUND.match(part)
                if found is None:
                    low = high = None
                    break
                operator, value = found.group(1), int(found.group(2))
                if operator in (">=", ">"):
                    low = value + (operator == ">")
                else:
                    high = value - (operator == "<")
            if low is None or high is None:
                self.add(
                    number,
                    "constraint",
                    _(
                        "An integer question scores only with both bounds in its constraint, "
                        "written like “. >= 1 and . <= 5”."
                    ),
                )
                return None
        if not MIN_SCORE <= low < high <= MAX_SCORE:
            self.add(
                number,
                "parameters" if head == "range" else "constraint",
                _(
                    "The bounds %(low)s–%(high)s are not a scale sawt can hold: %(min)s ≤ "
                    "lowest < highest ≤ %(max)s."
                )
                % {"low": low, "high": high, "min": MIN_SCORE, "max": MAX_SCORE},
            )
            return None
        return low, high


def _whole(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None
