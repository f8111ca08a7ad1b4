"""responses_import: one row per respondent, all or nothing, idempotent on respondent_id."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import Any

from django.db.models import TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _
from tqdm import tqdm

from sawt.core.access import authorize
from sawt.core.audit import audit_record
from sawt.core.events import event_announce
from sawt.core.exceptions import ApplicationError
from sawt.core.periods import parse_period
from sawt.imports.db import (
    JoinedText,
    bulk_insert,
    bulk_update,
    delete_where_in,
    import_lock,
    import_transaction,
    refresh_statistics,
    waits_its_turn,
)
from sawt.imports.items import item_problems, items_table
from sawt.imports.mapping import ColumnReport, MappingProfile, mapped_table, unmapped_table
from sawt.imports.problems import ImportFailed, ProblemCollector, RowProblem
from sawt.imports.progress import READING, ProgressCallback, report, report_reading, report_saving
from sawt.imports.readers import normalise_header, open_table
from sawt.imports.results import ImportResult, rows_import_result
from sawt.imports.values import DateReader, DateWindow
from sawt.surveys.choices import QuestionKind
from sawt.surveys.importers import Layout, parse_responses, response_layout
from sawt.surveys.importers.responses import (
    NOT_APPLICABLE,
    RESPONDENT,
    SUBMITTED,
    ResponseRow,
)
from sawt.surveys.models import Answer, Response, Survey
from sawt.surveys.services.population import population_check
from sawt.surveys.services.tallies import tallies_before, tallies_update
from sawt.surveys.signals import responses_imported
from sawt.surveys.sources import available, opener
from sawt.surveys.sources.recognise import TOOL_NAMES, recognised_source

ACTION = "survey.responses_import"
ANSWER_COLUMNS = (
    "response_id",
    "question_id",
    "score",
    "text",
    "category_id",
    "category_source",
    "not_applicable",
)
RESPONSE_COLUMNS = ("survey_id", "respondent_id", "submitted_at", "attributes")
# Separators of the stored-answers fingerprint; imported text never holds control characters.
_UNIT, _RECORD = "\x1f", "\x1e"
# What is stored for a respondent: (response id, submitted_at, attributes, answers aligned
# with the file's question columns).
Stored = tuple[int, Any, dict[str, Any], tuple[Any, ...]]


@waits_its_turn
def responses_import(
    *,
    survey_code: str,
    path: Path,
    source: str = "sawt",
    actor: Any = None,
    progress: bool = False,
    on_progress: ProgressCallback | None = None,
    mapping: MappingProfile | None = None,
) -> ImportResult:
    """Import survey responses from CSV or XLSX: all or nothing, keyed on respondent_id.

    `source` says whose export the file is (sawt.surveys.sources): sawt's own table by
    default, or another tool's, read into the same shape and checked by the same rules.
    `mapping` (sawt's table only) says where the table is and which column is which
    (sawt.imports.mapping). The result tells what became of each column.

    `progress` shows a bar on a terminal; `on_progress(done, total, stage)` hears of the rows
    read, then saved (a background import's page)."""
    authorize(actor, ACTION)
    survey = Survey.objects.filter(code=survey_code.strip()).first()
    if survey is None:
        raise ApplicationError(_("No survey has the code “%(code)s”.") % {"code": survey_code})
    try:
        read_source = opener(source)
    except ValueError:
        raise ApplicationError(
            _("“%(source)s” is not a source sawt reads. Sources: %(known)s.")
            % {"source": source, "known": ", ".join(available())}
        ) from None
    if mapping is not None and source != "sawt":
        raise ApplicationError(
            _(
                "A mapping profile reads a table of sawt's own shape: give --mapping or "
                "--from, not both."
            )
        )
    problems = ProblemCollector()
    profile = mapping or MappingProfile()
    questions = list(survey.questions.all())
    # Dates before 1990, in the future or far outside the survey's period are row problems.
    read_date = DateReader(profile.date_rule(), DateWindow(_period_days(survey.period)))
    # Reading and checking run before the transaction: on SQLite an open write transaction
    # blocks every other writer, and checking a large file takes a while.
    opening = (
        open_table(
            path,
            problems=problems,
            progress=progress,
            sheet=profile.sheet,
            header_row=profile.header_row,
        )
        if source == "sawt"
        else read_source(path, survey, problems, progress)
    )
    with opening as opened:
        try:
            mapped = (
                mapped_table(opened, "responses", profile, questions=questions)
                if source == "sawt"
                else unmapped_table(opened)
            )
            table = mapped.table
            layout = response_layout(table.header, questions)
        except ImportFailed:
            _refuse_other_tools(opened, source, mapping)
            raise
        report_reading(table, on_progress)
        rows, read = parse_responses(table, layout, problems, read_date)
    notes = getattr(getattr(opened, "notes", None), "lines", None)
    columns = mapped.report(
        [layout.respondent, *layout.question_columns]
        + ([layout.submitted] if layout.submitted is not None else []),
        [i for i, _name in layout.attributes],
        ignored=False,
    )
    if notes is not None:  # another tool's source says what it read as what, and dropped
        columns = ColumnReport(notes=tuple(notes()))
    report(on_progress, read, None, READING)
    problems.raise_if_any()
    with import_transaction():
        # Two imports into one survey take turns, so both see what the other wrote.
        import_lock(f"survey:{survey.code}")
        new, changed = _plan(rows, _stored(survey, layout), layout)
        del rows
        population_check(survey, adding=len(new))
        _write(survey, layout, new, changed, progress, on_progress)
        result = rows_import_result(
            read=read,
            created=len(new),
            updated=len(changed),
            action=ACTION,
            obj=survey,
            path=path,
            actor=actor,
        )
    _after(survey, result, actor)
    return replace(result, columns=columns)


def _period_days(period: str) -> tuple[Any, Any] | None:
    """The survey's period as its first and last day (None if it cannot be read)."""
    try:
        start, after = parse_period(period)
    except ApplicationError:
        return None
    return start, after - dt.timedelta(days=1)


def _refuse_other_tools(table: Any, source: str, mapping: MappingProfile | None) -> None:
    """A table sawt cannot read as its own that another tool wrote: say so, and how."""
    if source != "sawt" or mapping is not None:
        return
    found = recognised_source(table.raw_header or table.header, table.header)
    if found is not None:
        raise ImportFailed(
            [
                RowProblem(
                    1,
                    None,
                    _("This looks like a %(tool)s export: use `--from %(source)s`.")
                    % {"tool": TOOL_NAMES.get(found, found), "source": found},
                )
            ]
        )


def _after(survey: Survey, result: ImportResult, actor: Any) -> None:
    refresh_statistics([Response, Answer], result.created + result.updated)
    if result.created or result.updated:
        # Classification, above this app, listens and refreshes its stored themes (signals.py).
        responses_imported.send(sender=Response, survey=survey, actor=actor)


# --- Responses pushed through the API (POST /api/v1/surveys/<code>/responses/) --------------


@dataclass(frozen=True)
class ResponsesPush:
    """What a batch did: counts, and each item's outcome (created, updated or unchanged)."""

    created: int
    updated: int
    unchanged: int
    outcomes: list[str]


@waits_its_turn
def responses_push(
    *, survey: Survey, items: Sequence[Mapping[str, Any]], actor: Any
) -> ResponsesPush:
    """Save a batch of responses collected elsewhere, each `{respondent_id, submitted_at,
    answers: {question code: value}, attributes: {name: text}}`, by the file import's rules
    (the same parser, sawt.surveys.importers): all or nothing, keyed on respondent_id. An item
    is a whole response: a question it leaves out has no answer, as a blank cell in a file."""
    authorize(actor, ACTION, survey)
    questions = list(survey.questions.all())
    codes = [normalise_header(q.code) for q in questions]
    problems = ProblemCollector()
    flat: list[tuple[int, dict[str, Any]]] = []
    paths: dict[str, str] = {}
    for index, item in enumerate(items):
        flat.append((index, _flatten(index, item, set(codes), paths, problems)))
    table = items_table(flat, problems, columns=(RESPONDENT, SUBMITTED, *codes))
    layout = response_layout(table.header, questions)
    rows, _read = parse_responses(table, layout, problems)
    if problems:
        ordered = sorted(problems.problems, key=lambda p: (p.row or 0, p.column or ""))
        raise item_problems(ImportFailed(ordered, more=problems.more), paths)
    outcomes = ["unchanged"] * len(items)
    index_of = {row[0]: i for (i, _item), row in zip(flat, rows, strict=True)}
    with import_transaction():
        import_lock(f"survey:{survey.code}")
        new, changed = _plan(rows, _stored(survey, layout), layout)
        population_check(survey, adding=len(new))
        for row in new:
            outcomes[index_of[row[0]]] = "created"
        for _pk, row in changed:
            outcomes[index_of[row[0]]] = "updated"
        _write(survey, layout, new, changed, False)
        result = ImportResult(
            rows=len(rows),
            created=len(new),
            updated=len(changed),
            unchanged=len(rows) - len(new) - len(changed),
        )
        if result.changed:
            audit_record(
                actor=actor, action=ACTION, obj=survey, data={"source": "api", **result.as_dict()}
            )
        # As a file import's does (imports/results.py): other systems hear of it.
        event_announce("import.finished", survey, action=ACTION, source="api", **result.as_dict())
    # Refreshing the themes is the system's follow-up work: a token may push responses only.
    _after(survey, result, None)
    return ResponsesPush(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        outcomes=outcomes,
    )


def _flatten(
    index: int,
    item: Mapping[str, Any],
    codes: set[str],
    paths: dict[str, str],
    problems: ProblemCollector,
) -> dict[str, Any]:
    """An item as the row of a file: its answers under their question codes, its attributes
    under their names. A key that is not a question, or an attribute named like a question or
    a column of its own, is a problem of the item."""
    row: dict[str, Any] = {}
    for key in (RESPONDENT, SUBMITTED):
        if key in item:
            row[key] = item[key]
    for group in ("answers", "attributes"):
        values = item.get(group) or {}
        if not isinstance(values, Mapping):
            problems.add(index, group, _("This must be an object of names and values."))
            continue
        for key, value in values.items():
            name = normalise_header(key)
            is_question = name in codes
            if group == "answers" and not is_question:
                problems.add(
                    index,
                    f"answers.{key}",
                    _("No question of this survey has the code “%(code)s”.") % {"code": key},
                )
                continue
            if group == "attributes" and (is_question or name in (RESPONDENT, SUBMITTED)):
                problems.add(
                    index,
                    f"attributes.{key}",
                    _("“%(name)s” names a question or a field of its own; choose another name.")
                    % {"name": key},
                )
                continue
            paths.setdefault(name, f"{group}.{name}")
            row[name] = value
    unknown = sorted(set(item) - {RESPONDENT, SUBMITTED, "answers", "attributes"})
    for key in unknown:
        problems.add(index, str(key), _("Unknown field: use answers and attributes."))
    return row


def _stored(survey: Survey, layout: Layout) -> dict[str, Stored]:
    """Every stored respondent of the survey with a fingerprint of its answers, in one query."""
    column_of = {q.pk: j for j, q in enumerate(layout.questions)}
    width = len(layout.questions)
    fingerprint = JoinedText(
        Concat(
            Cast("answers__question_id", TextField()),
            Value(_UNIT),
            Cast("answers__score", TextField()),
            Value(_UNIT),
            Cast("answers__not_applicable", TextField()),
            Value(_UNIT),
            "answers__text",
            output_field=TextField(),
        ),
        _RECORD,
    )
    query = (
        Response.objects.filter(survey=survey)
        .values_list("respondent_id", "id", "submitted_at", "attributes")
        .annotate(fingerprint=fingerprint)
        .order_by()
    )
    return {
        rid: (pk, when, attributes, _aligned(joined, column_of, width))
        for rid, pk, when, attributes, joined in query.iterator(chunk_size=10_000)
    }


def _aligned(joined: str | None, column_of: dict[int, int], width: int) -> tuple[Any, ...]:
    answers: list[Any] = [None] * width
    for part in (joined or "").split(_RECORD):
        pieces = part.split(_UNIT, 3)
        if len(pieces) < 4 or not pieces[0]:
            continue  # a response without answers joins to one empty record
        question, score, na, text = pieces
        j = column_of.get(int(question))
        if j is not None:  # answers to questions the file has no column for stay as they are
            # A true boolean casts to "1" on SQLite and "true" on PostgreSQL.
            if na in ("1", "true"):
                answers[j] = NOT_APPLICABLE
            else:
                answers[j] = int(score) if score else text
    return tuple(answers)


def _plan(
    rows: list[ResponseRow], stored: dict[str, Stored], layout: Layout
) -> tuple[list[ResponseRow], list[tuple[int, ResponseRow]]]:
    """New rows, and changed ones with their response id; identical rows drop out.

    A file speaks only for its own columns: without a submitted_at column the stored time
    stays, and attributes the file has no column for are kept."""
    own = {name for _, name in layout.attributes}
    new: list[ResponseRow] = []
    changed: list[tuple[int, ResponseRow]] = []
    for row in rows:
        before = stored.get(row[0])
        if before is None:
            new.append(row)
            continue
        pk, when, attributes, answers = before
        if layout.submitted is not None:
            when = row[1]
        attributes = {**{k: v for k, v in attributes.items() if k not in own}, **row[3]}
        if (when, attributes, answers) != (before[1], before[2], row[2]):
            changed.append((pk, (row[0], when, row[2], attributes)))
    return new, changed


def _write(
    survey: Survey,
    layout: Layout,
    new: list[ResponseRow],
    changed: list[tuple[int, ResponseRow]],
    progress: bool,
    on_progress: ProgressCallback | None = None,
) -> None:
    if not new and not changed:
        return
    labels: dict[tuple[int, int], tuple[str, int, str]] = {}
    ids: list[int] = []
    before = None
    if changed:
        ids = [pk for pk, _ in changed]
        # What the rewritten responses count for in the survey's tallies, before they change.
        before = tallies_before(ids)
        text_questions = [q.pk for q in layout.questions if q.kind == QuestionKind.TEXT]
        labels = _labels(ids, text_questions) if text_questions else {}
        # A changed respondent's answers to the file's questions are replaced; the response
        # row and its answers to other questions stay.
        delete_where_in(
            Answer, "response_id", ids, question_id__in=[q.pk for q in layout.questions]
        )
        bulk_update(
            Response, ("submitted_at", "attributes"), ((pk, r[1], r[3]) for pk, r in changed)
        )
    pairs: Iterable[tuple[int, tuple[Any, ...]]] = ((pk, r[2]) for pk, r in changed)
    if new:
        bulk_insert(Response, RESPONSE_COLUMNS, ((survey.pk, r[0], r[1], r[3]) for r in new))
        query = Response.objects.filter(survey=survey).values_list("respondent_id", "id")
        id_of = dict(query.iterator(chunk_size=10_000))
        pairs = chain(pairs, ((id_of[r[0]], r[2]) for r in new))
        ids += [id_of[r[0]] for r in new]
    bar = tqdm(
        report_saving(pairs, len(new) + len(changed), on_progress),
        total=len(new) + len(changed),
        unit="row",
        desc=_("Saving"),
        file=sys.stderr,
        delay=1.0,
        leave=False,
        disable=not progress,
    )
    bulk_insert(Answer, ANSWER_COLUMNS, _answer_rows(bar, layout, labels))
    bar.close()
    # Changed rows first, then new ones: the order of `ids`.
    written = [r[3] for _pk, r in changed] + [r[3] for r in new]
    tallies_update(survey, response_ids=ids, attributes=written, before=before)


def _labels(
    response_ids: list[int], questions: list[int]
) -> dict[tuple[int, int], tuple[str, int, str]]:
    """Gap categories on the open-text answers about to be replaced, to keep on equal text."""
    found = {}
    for start in range(0, len(response_ids), 5000):
        query = Answer.objects.filter(
            response_id__in=response_ids[start : start + 5000],
            question_id__in=questions,
            category__isnull=False,
        ).values_list("response_id", "question_id", "text", "category_id", "category_source")
        for response_id, question_id, text, category_id, source in query:
            found[(response_id, question_id)] = (text, category_id, source)
    return found


def _answer_rows(
    pairs: Iterable[tuple[int, tuple[Any, ...]]],
    layout: Layout,
    labels: dict[tuple[int, int], tuple[str, int, str]],
) -> Iterator[tuple[Any, ...]]:
    columns = [(q.pk, q.kind == QuestionKind.TEXT) for q in layout.questions]
    for response_id, answers in pairs:
        for (question_id, is_text), value in zip(columns, answers, strict=True):
            if value is None:
                continue
            if value is NOT_APPLICABLE:
                yield (response_id, question_id, None, "", None, "", True)
                continue
            if not is_text:
                yield (response_id, question_id, value, "", None, "", None)
                continue
            label = labels.get((response_id, question_id))
            if label is not None and label[0] == value:
                yield (response_id, question_id, None, value, label[1], label[2], None)
            else:
                yield (response_id, question_id, None, value, None, "", None)
