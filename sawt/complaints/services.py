"""Writes on complaints: imports come in through complaints_import only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sawt.catalog.choices import CategorySource
from sawt.catalog.models import Journey
from sawt.complaints.importers import ComplaintRow, complaint_layout, parse_complaints
from sawt.complaints.models import Complaint
from sawt.complaints.signals import complaints_imported
from sawt.core.access import authorize
from sawt.core.exceptions import ApplicationError
from sawt.imports.db import (
    bulk_insert,
    bulk_update,
    import_lock,
    import_transaction,
    refresh_statistics,
    waits_its_turn,
)
from sawt.imports.problems import ProblemCollector
from sawt.imports.progress import READING, SAVING, ProgressCallback, report, report_reading
from sawt.imports.readers import open_table
from sawt.imports.results import ImportResult, rows_import_result

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
) -> ImportResult:
    """Import complaints from CSV or XLSX: all or nothing, keyed on complaint_id, PII redacted.

    `progress` shows a bar on a terminal; `on_progress(done, total, stage)` hears of the rows
    read, then saved (a background import's page)."""
    authorize(actor, "complaint.import")
    journey = Journey.objects.filter(slug=journey_slug.strip()).first()
    if journey is None:
        raise ApplicationError(_("No journey has the slug “%(slug)s”.") % {"slug": journey_slug})
    categories = {c.code.lower(): c.pk for c in journey.gap_categories.all()}
    problems = ProblemCollector()
    # Checked before the transaction, so a long file does not hold SQLite's write lock.
    with open_table(path, problems=problems, progress=progress) as table:
        report_reading(table, on_progress)
        layout = complaint_layout(table.header)
        rows, read = parse_complaints(table, layout, categories, problems)
    report(on_progress, read, None, READING)
    problems.raise_if_any()
    with import_transaction():
        # Two imports into one journey take turns, so both see what the other wrote.
        import_lock(f"journey:{journey.slug}")
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
        result = rows_import_result(
            read=read,
            created=len(new),
            updated=len(changed),
            action="complaint.import",
            obj=journey,
            path=path,
            actor=actor,
        )
    refresh_statistics([Complaint], result.created + result.updated)
    if result.created or result.updated:
        # Classification, above this app, listens and queues sorting them (signals.py).
        complaints_imported.send(sender=Complaint, journey=journey, actor=actor)
    return result


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
