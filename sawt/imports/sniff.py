"""Files that are not tables, named for what they are before a table reader misreads them.

A LimeSurvey archive is a ZIP file like an XLSX workbook, and would be refused as "a damaged
workbook"; a JSON or XML export would be read as a CSV of one odd column. Looking costs a few
kilobytes of the file's start and, for a ZIP file, its directory (its declared size bounded
first, as sawt.imports.xlsx does).
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from sawt.imports.problems import ImportFailed
from sawt.imports.xlsx import MAX_PARTS, _declared_parts

_ZIP_MAGIC = b"PK\x03\x04"
_LOOK_BYTES = 4096


def foreign_document(path: Path, magic: bytes) -> str | None:
    """What `path` is when it is recognisably not a CSV or XLSX table (a message), else None."""
    if magic.startswith(_ZIP_MAGIC):
        return _archive(path)
    with path.open("rb") as handle:
        start = handle.read(_LOOK_BYTES)
    return _document(start)


def _zip_names(path: Path) -> list[str] | None:
    try:
        with path.open("rb") as handle:
            parts = _declared_parts(handle, path.stat().st_size)
        if parts > MAX_PARTS:
            return None  # the workbook reader refuses it with its own message
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except (ImportFailed, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return None


def _archive(path: Path) -> str | None:
    names = _zip_names(path)
    if names is None:
        return None
    lowered = [name.lower() for name in names]
    if "[content_types].xml" in lowered and any(n.startswith("xl/") for n in lowered):
        return None  # an XLSX workbook
    if any(n.endswith((".lss", ".lsr", ".lsi", ".lst")) for n in lowered):
        return _(
            "This looks like a LimeSurvey archive (.lsa), not a table: import its responses "
            "with `sawt import-responses --from limesurvey`, or its survey with "
            "`sawt import-survey --from limesurvey`."
        )
    if "mimetype" in lowered and "content.xml" in lowered:
        return _(
            "This is an OpenDocument spreadsheet (.ods), not an XLSX workbook: save it as XLSX "
            "or as CSV UTF-8 and try again."
        )
    if any(n.startswith("word/") for n in lowered):
        return _("This is a Word document, not a table: sawt reads CSV or XLSX files.")
    return None  # the workbook reader says what is wrong with it


def _document(start: bytes) -> str | None:
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = start.decode("utf-16", errors="ignore")
    else:
        text = start.decode("utf-8", errors="ignore")
    text = text.lstrip("\ufeff \t\r\n")
    head = text[:200].lower()
    if text.startswith("{") or (text.startswith("[") and text[1:].lstrip()[:1] in ("{", "[", "]")):
        if "_uuid" in text or "_submission_time" in text:
            return _(
                "This looks like a KoboToolbox export in JSON, not a table: export the data as "
                "XLSX or CSV from KoboToolbox and use `--from kobo`."
            )
        return _(
            "This is a JSON document, not a table: sawt reads CSV or XLSX. Export a table from "
            "the program that wrote it, and give `--from` with its name when sawt knows it "
            "(kobo, odk, qualtrics, limesurvey, forms, spss)."
        )
    if head.startswith(("<!doctype html", "<html")):
        return _(
            "This is a web page (HTML), not a table, even if it is named like one: open it in a "
            "spreadsheet program and save it as XLSX or CSV UTF-8."
        )
    if text.startswith("<"):
        if "limesurveydoctype" in text.lower():
            return _(
                "This looks like a LimeSurvey survey structure (.lss): a survey definition, not "
                "a table; import it with `sawt import-survey --from limesurvey`."
            )
        if "urn:schemas-microsoft-com:office:spreadsheet" in text:
            return _(
                "This is an Excel 2003 XML spreadsheet: save it as XLSX or as CSV UTF-8 and "
                "try again."
            )
        return _(
            "This is an XML document, not a table: sawt reads CSV or XLSX. Export a table from "
            "the program that wrote it, and give `--from` with its name when sawt knows it "
            "(kobo, odk, qualtrics, limesurvey, forms, spss)."
        )
    return None
