"""Texts and labels out of the rows of a table, as `sawt classifier` takes them: no Django.

Cells arrive as the import readers give them (text, numbers read from XLSX, None). Texts are
redacted (national IDs, phones, IBANs …) here, before any model sees them, so no personal data
ends up in a stored model's vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sawt.textanalytics.arabic import redact_pii


@dataclass(frozen=True)
class LabelledTexts:
    """Redacted texts with their labels, and how many rows lacked a text or a label."""

    texts: list[str]
    labels: list[str]
    skipped: int


def cell_text(value: Any) -> str:
    """A cell as text, stripped; a whole number read from XLSX as 3.0 is "3"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # labels such as 3 read from XLSX as 3.0
    return str(value).strip()


def labelled_texts(rows: Sequence[Sequence[Any]], text_at: int, label_at: int) -> LabelledTexts:
    """The redacted text and the label of every row that has both; the others are counted."""
    texts: list[str] = []
    labels: list[str] = []
    skipped = 0
    for cells in rows:
        text, label = cell_text(cells[text_at]), cell_text(cells[label_at])
        if not text or not label:
            skipped += 1
            continue
        texts.append(redact_pii(text))
        labels.append(label)
    return LabelledTexts(texts, labels, skipped)


def texts_to_predict(rows: Sequence[Sequence[Any]], text_at: int) -> tuple[list[int], list[str]]:
    """The positions of the rows that have a text, and those texts redacted."""
    texts = [cell_text(cells[text_at]) for cells in rows]
    filled = [i for i, text in enumerate(texts) if text]
    return filled, [redact_pii(texts[i]) for i in filled]
