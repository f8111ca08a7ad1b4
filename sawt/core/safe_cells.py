"""Text that is safe to put in a spreadsheet cell: no formula injection, no characters XML forbids.

A spreadsheet evaluates a cell whose text starts with `=`, `+`, `-` or `@` (and some also treat a
leading tab, CR or NUL as a way to smuggle one in), so a complaint or a category name typed by
anyone could run a formula — or, through DDE, a command — on the machine of whoever opens the
export. The standard defence (OWASP "CSV injection") is a leading apostrophe: the cell then reads
as text in Excel and LibreOffice, and stays text if the sheet is later saved as CSV.
"""

from __future__ import annotations

import re
import unicodedata

# What makes a spreadsheet read a cell as a formula, or hides one (tab, CR, NUL).
TRIGGERS = frozenset("=+-@\t\r\0")
# Invisible direction and format marks a hostile text can put in front of the trigger so that
# it is not the first character, yet still looks like it: LRM, RLM, ALM, the embeddings and
# overrides U+202A–U+202E, the isolates U+2066–U+2069, zero-width characters and the BOM. All are
# Unicode category Cf, which is what the check uses, so a new mark needs no change here.
BIDI_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
PREFIX = "'"
# Control characters XML 1.0 cannot carry; openpyxl refuses the whole workbook if one appears.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _starts_like_formula(text: str) -> bool:
    for char in text:
        if char in TRIGGERS:
            return True
        # Tab and CR are triggers (checked above) although they are also white space.
        if char.isspace() or unicodedata.category(char) == "Cf":
            continue
        return False
    return False


def neutralise(text: str) -> str:
    """`text` with a leading apostrophe if, past any direction marks and white space, it starts
    with `= + - @`, tab, CR or NUL; any other text is returned unchanged."""
    return PREFIX + text if _starts_like_formula(text) else text


def cell_text(text: str) -> str:
    """Text ready for a cell: neutralised, then with XML-illegal control characters shown as
    U+FFFD (after the check, so a leading NUL still earns the apostrophe)."""
    return _XML_ILLEGAL.sub("\ufffd", neutralise(text))
