"""Helpers the import tests of every app share: XLSX builders and database snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from django.apps import apps

# Tables an import may write; a refused or repeated import must leave all of them as they were.
SNAPSHOT_MODELS = (
    "catalog.Agency",
    "catalog.Journey",
    "catalog.Stage",
    "catalog.GapCategory",
    "surveys.Survey",
    "surveys.Question",
    "surveys.Response",
    "surveys.Answer",
    "complaints.Complaint",
    "core.AuditEvent",
)


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    """A one-sheet workbook with `rows` (the first is the header), as Excel would save it."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in SNAPSHOT_MODELS}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every stored value of every table an import touches, timestamps included."""
    return {
        label: sorted(apps.get_model(label).objects.values_list(), key=repr)
        for label in SNAPSHOT_MODELS
    }
