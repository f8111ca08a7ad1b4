"""Arabic text helpers with no Django: digits, normalisation for matching, PII redaction.

Originals are kept for display; normalised text is only for matching, models and search.
"""

from __future__ import annotations

import re

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


_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_LETTER_MAP = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"}
)
_REPEATS = re.compile(r"(.)\1{2,}")


def normalize_arabic(text: str) -> str:
    """Fold spelling variants for matching: hamza forms, taa marbuta, alef maqsura, diacritics,
    tatweel, digits, letters stretched for emphasis (e.g. جداااا → جدا), Latin case."""
    text = western_digits(text).replace(_TATWEEL, "")
    text = _DIACRITICS.sub("", text).translate(_LETTER_MAP)
    text = _REPEATS.sub(r"\1", text)
    return " ".join(text.lower().split())


# --- PII redaction -------------------------------------------------------------------------
# Each pattern runs on text whose digits were made ASCII, so ٠٥٥١٢٣٤٥٦٧ is caught like
# 0551234567. Order matters: IBANs and cards before IDs and phones, which they contain.
_SEP = r"[ \-.]?"
PLACEHOLDERS = {
    "email": "[بريد_إلكتروني]",
    "iban": "[آيبان]",
    "card": "[رقم_بطاقة]",
    "national_id": "[رقم_هوية]",
    "mobile": "[جوال]",
    "phone": "[هاتف]",
}
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)),
    (
        "iban",
        re.compile(
            r"(?<![A-Za-z0-9])SA\d{2}(?:" + _SEP + r"?[A-Za-z0-9]){20}(?![A-Za-z0-9])", re.I
        ),
    ),
    ("card", re.compile(r"(?<!\d)\d{4}(?:" + _SEP + r"\d{4}){3}(?!\d)")),
    # National ID (starts 1) and iqama (starts 2): every such 10-digit number, Luhn or not.
    ("national_id", re.compile(r"(?<!\d)[12]\d{9}(?!\d)")),
    (
        "mobile",
        re.compile(r"(?<![\d+])(?:(?:\+|00)966" + _SEP + r"?|0)?5\d(?:" + _SEP + r"?\d){7}(?!\d)"),
    ),
    (
        "phone",
        re.compile(
            r"(?<![\d+])(?:(?:\+|00)966" + _SEP + r"?|0)1[1-7](?:" + _SEP + r"?\d){7}(?!\d)"
        ),
    ),
]


_MAY_HOLD_PII = re.compile("[0-9@\u0660-\u0669\u06f0-\u06f9]")


def redact_pii(text: str) -> str:
    """Replace personal data with typed placeholders such as [رقم_هوية] and [جوال].

    Digits are matched in any script; text without personal data is returned unchanged."""
    # Every kind of personal data sawt redacts holds a digit (in some script) or an "@": most
    # complaints hold neither and skip the patterns altogether.
    if not text or not _MAY_HOLD_PII.search(text):
        return text
    ascii_digits = western_digits(text)
    if ascii_digits != text and len(ascii_digits) == len(text):
        # Find matches on the ASCII copy and cut the same spans out of the original, so the
        # rest of the text keeps the digits the writer used.
        spans = _find_spans(ascii_digits)
        return _apply(text, spans)
    return _apply(text, _find_spans(text))


def _find_spans(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    taken = [False] * len(text)
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(taken[start:end]):
                continue
            for i in range(start, end):
                taken[i] = True
            spans.append((start, end, kind))
    return sorted(spans)


def _apply(text: str, spans: list[tuple[int, int, str]]) -> str:
    if not spans:
        return text
    out, last = [], 0
    for start, end, kind in spans:
        out.append(text[last:start])
        out.append(PLACEHOLDERS[kind])
        last = end
    out.append(text[last:])
    return "".join(out)
