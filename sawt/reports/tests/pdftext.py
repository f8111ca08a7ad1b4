"""Reading a rendered PDF back as text, the way the tests and a person's search would."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pypdfium2 as pdfium

# Invisible bidi isolates and joiners the renderer keeps in the text layer.
_INVISIBLE = dict.fromkeys(map(ord, "\u2060\u2066\u2067\u2068\u2069\u200e\u200f"))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Page:
    """One page's text as pypdfium2 and as pypdf extract it, folded with NFKC.

    Both are kept because each misreads something: pypdfium2 keeps lines in order but spells
    lam-alef ligatures backwards (الأساسية → األساسية); pypdf spells Arabic words right but
    may move a number to the other end of its line."""

    pdfium: str
    pypdf: str

    def __contains__(self, needle: str) -> bool:
        return needle in self.pdfium or needle in self.pypdf


def pages_of(pdf: bytes) -> list[Page]:
    """Every page of the PDF as text."""
    document = pdfium.PdfDocument(pdf)
    try:
        first = [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()
    second = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    return [Page(_fold(a), _fold(b)) for a, b in zip(first, second, strict=True)]


def page_with(pages: list[Page], needle: str) -> int:
    """The index of the first page whose text holds `needle`."""
    return next(i for i, page in enumerate(pages) if needle in page)


def save_png(pdf: bytes, index: int, path: Path, scale: float = 1.5) -> Path:
    """Render one page to PNG for a person to look at."""
    document = pdfium.PdfDocument(pdf)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        document[index].render(scale=scale).to_pil().save(path)
    finally:
        document.close()
    return path
