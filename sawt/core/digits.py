"""Digits both ways: what people type in Arabic-Indic or Persian digits is read as ASCII, and
figures are shown in Arabic-Indic digits when asked. Pure Python with no Django, so the text
helpers (sawt.textanalytics) use it as well as the number formatting (sawt.core.numbers)."""

from __future__ import annotations

# Arabic-Indic (U+0660–0669) and Persian/Urdu (U+06F0–06F9) digits, both read as 0–9.
_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
_DIGITS[0x066B] = "."  # Arabic decimal separator
_DIGITS[0x066C] = ","  # Arabic thousands separator


def western_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian digits (and separators) with ASCII ones."""
    return text.translate(_DIGITS)


_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def arabic_digits(text: str) -> str:
    """Replace ASCII digits with Arabic-Indic ones (for display when asked)."""
    return text.translate(_ARABIC_INDIC)
