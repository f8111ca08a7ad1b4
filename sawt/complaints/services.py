"""Writes on complaints: a file through complaints_import, a batch from the API through
complaints_push; both check their rows with the same rules (sawt.complaints.importers)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sawt.catalog.choices import CategorySource
from sawt.catalog.models import Journey
from sawt.complaints.importers import (
    OPTIONAL,
    REQUIRED,
    ComplaintRow,
    complaint_layout,
    parse_complaints,
)
from sawt.complaints.models import Complaint
from sawt.complaints.signals import complaints_imported
from sawt.core.access import authorize
from sawt.core.audit import audit_record
from sawt.core.events import event_announce
from sawt.core.exceptions import ApplicationError
from sawt.imports.db import (
    bulk_insert,
    bulk_update,
    import_lock,
    import_transaction,
    refresh_statistics,
    waits_its_turn,
)
from sawt.imports.items import item_problems, items_table
from sawt.imports.mapping import MappingProfile, mapped_table
from sawt.imports.problems import ImportFailed, ProblemCollector, RowProblem
from sawt.imports.progress import READING, SAVING, ProgressCallback, report, report_reading
from sawt.imports.readers import Table, open_table
from sawt.imports.results import ImportResult, rows_import_result
from sawt.imports.values import DateReader

ACTION = "complaint.import"
INSERT_COLUMNS = (
    "journey_id",
    "complaint_id",
    "received_at",
    "channel",
    "text",
    "category_id",
    "category_source",
    "category_confidence",
    "created_at",
    "updated_at",
)
UPDATE_COLUMNS = (*INSERT_COLUMNS[2:8], "updated_at")
# (received_at, channel, text, category_id, category_source, category_confidence)
Stored = tuple[Any, str, str, int | None, str, float | None]


@waits_its_turn
def complaints_import(
    *,
    journey_slug: str,
    path: Path,
    actor: Any = None,
    progress: bool = False,
    on_progress: ProgressCallback | None = None,
    mapping: MappingProfile | None = None,
) -> ImportResult:
    """Import complaints from CSV or XLSX: all or nothing, keyed on complaint_id, PII redacted.

    `mapping` says where the table is and which column is which (sawt.imports.mapping);
    without one, sawt's column names and the built-in aliases are read. The result tells what
    became of each column.

    `progress` shows a bar on a terminal; `on_progress(done, total, stage)` hears of the rows
    read, then saved (a background import's page)."""
    authorize(actor, ACTION)
    journey = Journey.objects.filter(slug=journey_slug.strip()).first()
    if journey is None:
        raise ApplicationError(_("No journey has the slug “%(slug)s”.") % {"slug": journey_slug})
    problems = ProblemCollector()
    # Checked before the transaction, so a long file does not hold SQLite's write lock.
    profile = mapping or MappingProfile()
    with open_table(
        path,
        problems=problems,
        progress=progress,
        sheet=profile.sheet,
        header_row=profile.header_row,
    ) as opened:
        mapped = mapped_table(opened, "complaints", profile)
        table = mapped.table
        report_reading(table, on_progress)
        rows, read = _parse(journey, table, problems, DateReader(mapped.dates))
        columns = mapped.report(complaint_layout(table.header).values())
    report(on_progress, read, None, READING)
    problems.raise_if_any()
    with import_transaction():
        # Two imports into one journey take turns, so both see what the other wrote.
        import_lock(f"journey:{journey.slug}")
        new, changed = _save(journey, rows, on_progress)
        result = rows_import_result(
            read=read,
            created=len(new),
            updated=len(changed),
            action=ACTION,
            obj=journey,
            path=path,
            actor=actor,
        )
    _after(journey, result, actor)
    return replace(result, columns=columns)


def _parse(
    journey: Journey,
    table: Table,
    problems: ProblemCollector,
    read_date: Callable[[Any], Any] | None = None,
) -> tuple[list[ComplaintRow], int]:
    """A file's or a batch's rows checked by the same rules (sawt.complaints.importers)."""
    categories = {c.code.lower(): c.pk for c in journey.gap_categories.all()}
    layout = complaint_layout(table.header)
    return parse_complaints(table, layout, categories, problems, read_date)


def _save(
    journey: Journey, rows: list[ComplaintRow], on_progress: ProgressCallback | None = None
) -> tuple[list[str], list[str]]:
    """Write checked rows (inside the caller's transaction, under the journey's lock); the
    complaint ids created and those updated (the others were unchanged)."""
    stored = _stored(journey)
    now = timezone.now()
    new, changed = [], []
    for row in rows:
        before = stored.get(row[0])
        if before is None:
            category = (row[4], CategorySource.IMPORT, None) if row[4] else (None, "", None)
            new.append((journey.pk, row[0], row[1], row[2], row[3], *category, now, now))
            continue
        after = (row[1], row[2], row[3], *_category(row, before[1]))
        if after != before[1]:
            changed.append((before[0], *after, now))
    saving = len(new) + len(changed)
    report(on_progress, 0, saving, SAVING)
    bulk_insert(Complaint, INSERT_COLUMNS, new)
    bulk_update(Complaint, UPDATE_COLUMNS, changed)
    report(on_progress, saving, saving, SAVING)
    stored_ids = {pk: complaint_id for complaint_id, (pk, _rest) in stored.items()}
    return [row[1] for row in new], [stored_ids[row[0]] for row in changed]


def _after(journey: Journey, result: ImportResult, actor: Any) -> None:
    """Once committed: the planner's statistics, and classification told (signals.py)."""
    refresh_statistics([Complaint], result.created + result.updated)
    if result.created or result.updated:
        # Classification, above this app, listens and queues sorting them (signals.py).
        complaints_imported.send(sender=Complaint, journey=journey, actor=actor)


# --- Complaints pushed through the API (POST /api/v1/complaints/) ----------------------------

# The keys of a pushed complaint: the file's columns, and the journey it belongs to.
PUSH_KEYS = ("journey", *REQUIRED, *OPTIONAL)


@dataclass(frozen=True)
class ComplaintsPush:
    """What a batch did: counts, and each item's outcome (created, updated or unchanged)."""

    created: int
    updated: int
    unchanged: int
    outcomes: list[str]


@waits_its_turn
def complaints_push(
    *, batches: Mapping[Journey, Sequence[tuple[int, Mapping[str, Any]]]], actor: Any
) -> ComplaintsPush:
    """Save a batch of complaints (items as (index in the batch, object), grouped by their
    journey) by the file import's rules and redaction: all or nothing, across journeys too;
    keyed on (journey, complaint_id), so a resend changes nothing."""
    for journey in batches:
        authorize(actor, ACTION, journey)
    problems = ProblemCollector()
    parsed: list[tuple[Journey, list[ComplaintRow], dict[str, int]]] = []
    for journey, items in batches.items():
        # The journey key names the group; the file's rules check the rest of each item.
        table = items_table(
            [(i, {k: v for k, v in item.items() if k != "journey"}) for i, item in items],
            problems,
            columns=(*REQUIRED, *OPTIONAL),
        )
        rows, _read = _parse(journey, table, problems)
        # Without problems every item gave its row, in order (only then is this used).
        index_of = {row[0]: i for (i, _item), row in zip(items, rows, strict=False)}
        parsed.append((journey, rows, index_of))
    if problems:
        failed = ImportFailed(sorted(problems.problems, key=_by_item), more=problems.more)
        raise item_problems(failed)
    size = sum(len(items) for items in batches.values())
    outcomes = ["unchanged"] * size
    results: list[tuple[Journey, ImportResult]] = []
    with import_transaction():
        for journey, rows, index_of in parsed:
            import_lock(f"journey:{journey.slug}")
            new, changed = _save(journey, rows)
            for complaint_id in new:
                outcomes[index_of[complaint_id]] = "created"
            for complaint_id in changed:
                outcomes[index_of[complaint_id]] = "updated"
            result = ImportResult(
                rows=len(rows),
                created=len(new),
                updated=len(changed),
                unchanged=len(rows) - len(new) - len(changed),
            )
            if result.changed:
                audit_record(
                    actor=actor,
                    action=ACTION,
                    obj=journey,
                    data={"source": "api", **result.as_dict()},
                )
            # As a file import's does (imports/results.py): other systems hear of it.
            event_announce(
                "import.finished", journey, action=ACTION, source="api", **result.as_dict()
            )
            results.append((journey, result))
    for journey, result in results:
        # Sorting them is the system's follow-up work: a token may push complaints, not
        # train or run classifiers (sawt.core.access).
        _after(journey, result, None)
    return ComplaintsPush(
        created=outcomes.count("created"),
        updated=outcomes.count("updated"),
        unchanged=outcomes.count("unchanged"),
        outcomes=outcomes,
    )


def _by_item(problem: RowProblem) -> tuple[int, str]:
    return (problem.row if problem.row is not None else -1, problem.column or "")


def _stored(journey: Journey) -> dict[str, tuple[int, Stored]]:
    query = Complaint.objects.filter(journey=journey).values_list(
        "complaint_id",
        "id",
        "received_at",
        "channel",
        "text",
        "category_id",
        "category_source",
        "category_confidence",
    )
    return {row[0]: (row[1], row[2:]) for row in query.iterator(chunk_size=10_000)}


def _category(row: ComplaintRow, before: Stored) -> tuple[int | None, str, float | None]:
    """The label after a re-import: an analyst's label is never overwritten by a file.

    A category in the file replaces a model's guess; a blank one clears only what an earlier
    import set, and leaves an analyst's or a model's label alone."""
    category, source, confidence = before[3:]
    if source == CategorySource.ANALYST:
        return category, source, confidence
    if row[4] is not None:
        return row[4], CategorySource.IMPORT.value, None
    if source == CategorySource.IMPORT:
        return None, "", None
    return category, source, confidence
