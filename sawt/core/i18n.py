"""Bilingual names: every domain object carries Arabic and English text side by side."""

from __future__ import annotations

from django.utils.translation import get_language


def pick(ar: str, en: str, lang: str | None = None) -> str:
    """The text in the active (or given) language, falling back to the other one."""
    lang = (lang or get_language() or "ar")[:2]
    return (en or ar) if lang == "en" else (ar or en)


def isolated(text: str) -> str:
    """`text` between Unicode first-strong isolates (FSI … PDI), for a name or code put into a
    translated sentence as plain text (a message, a PDF line): an English name inside Arabic
    keeps its own order and leaves the sentence's alone. Pages use <bdi> for the same."""
    return f"\u2068{text}\u2069"
