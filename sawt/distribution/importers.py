"""A sample file (CSV or XLSX, one row per service user) checked into rows, before anything is
written: the contacts normalised, every problem collected by row and column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from sawt.distribution.choices import Language
from sawt.distribution.contacts import normalise_email, normalise_mobile
from sawt.distribution.models import Invitee
from sawt.imports.problems import ImportFailed, ProblemCollector, RowProblem
from sawt.imports.readers import Table, normalise_header
from sawt.imports.values import ValueProblem, cell_key, cell_text, parse_datetime
from sawt.textanalytics.arabic import redact_pii

REFERENCE, MOBILE, EMAIL, COMPLETED, LANGUAGE = (
    "reference_id",
    "mobile",
    "email",
    "completed_at",
    "language",
)
# Columns with a meaning of their own; every other named column is a respondent attribute.
KNOWN = (REFERENCE, MOBILE, EMAIL, COMPLETED, LANGUAGE)
REFERENCE_MAX = Invitee._meta.get_field("reference_id").max_length or 100
STRATUM_MAX = Invitee._meta.get_field("stratum").max_length or 100
LANGUAGES = frozenset(Language.values)


@dataclass(frozen=True)
class SampleLayout:
    """Which column holds what; `strata` is the stratifying attribute's name ('' for none)."""

    reference: int
    mobile: int | None
    email: int | None
    completed: int | None
    language: int | None
    attributes: tuple[tuple[int, str], ...]
    strata: str = ""


@dataclass(frozen=True, slots=True)
class SampleRow:
    """One valid row: the person, their normalised contacts, and what the file said of them."""

    number: int
    reference_id: str
    mobile: str
    email: str
    language: str
    completed_at: dt.datetime | None
    attributes: dict[str, str]
    stratum: str


def sample_layout(header: list[str], strata: str = "") -> SampleLayout:
    """Map the header; refuse a file without reference_id or without any contact column, and a
    stratifying column that is not one of its attribute columns."""
    problems = []
    if REFERENCE not in header:
        problems.append(
            RowProblem(1, None, _("The column “reference_id” is missing from the first row."))
        )
    if MOBILE not in header and EMAIL not in header:
        problems.append(
            RowProblem(
                1,
                None,
                _(
                    "The first row needs a column “mobile” or a column “email” (or both): "
                    "the invitations go to them."
                ),
            )
        )
    attributes = tuple((i, name) for i, name in enumerate(header) if name and name not in KNOWN)
    wanted = normalise_header(strata) if strata else ""
    if wanted and wanted not in {name for _i, name in attributes}:
        names = ", ".join(name for _i, name in attributes)
        problems.append(
            RowProblem(
                1,
                None,
                (
                    _(
                        "The sample is to be stratified by “%(column)s”, but no attribute "
                        "column has that name; the attribute columns are: %(names)s."
                    )
                    if names
                    else _(
                        "The sample is to be stratified by “%(column)s”, but the file has no "
                        "attribute columns (columns other than reference_id, mobile, email, "
                        "completed_at and language)."
                    )
                )
                % {"column": strata, "names": names},
            )
        )
    if problems:
        raise ImportFailed(problems)

    def position(name: str) -> int | None:
        return header.index(name) if name in header else None

    return SampleLayout(
        reference=header.index(REFERENCE),
        mobile=position(MOBILE),
        email=position(EMAIL),
        completed=position(COMPLETED),
        language=position(LANGUAGE),
        attributes=attributes,
        strata=wanted,
    )


def parse_sample(
    table: Table, layout: SampleLayout, problems: ProblemCollector
) -> tuple[list[SampleRow], int]:
    """Every row checked; the valid ones returned, with the count of rows read.

    Repeated people are not problems here: the service drops them and reports them."""
    rows: list[SampleRow] = []
    read = 0
    # Attribute values repeat (regions, grades): redact each distinct value once.
    redacted: dict[str, str] = {}
    for number, cells in table.rows():
        read += 1
        before = problems.count
        reference = _reference(cells[layout.reference], number, problems)
        mobile = _contact(cells, layout.mobile, MOBILE, normalise_mobile, number, problems)
        email = _contact(cells, layout.email, EMAIL, normalise_email, number, problems)
        if not mobile and not email and problems.count == before:
            problems.add(
                number,
                None,
                _("This row has neither a mobile number nor an e-mail address."),
            )
        completed = _completed(cells, layout.completed, number, problems)
        language = _language(cells, layout.language, number, problems)
        attributes: dict[str, str] = {}
        for index, name in layout.attributes:
            text = cell_text(cells[index])
            if text:
                if text not in redacted:
                    # Attributes are segments, not identifiers: personal data in them goes.
                    redacted[text] = redact_pii(text)
                attributes[name] = redacted[text]
        stratum = attributes.get(layout.strata, "") if layout.strata else ""
        if len(stratum) > STRATUM_MAX:
            problems.add(
                number,
                layout.strata,
                _("A stratum is at most %(limit)s characters.") % {"limit": STRATUM_MAX},
            )
        if problems.count == before:
            rows.append(
                SampleRow(
                    number, reference, mobile, email, language, completed, attributes, stratum
                )
            )
    return rows, read


def _reference(cell: Any, number: int, problems: ProblemCollector) -> str:
    value = cell_key(cell)
    if not value:
        problems.add(number, REFERENCE, _("A reference_id is required on every row."))
    elif len(value) > REFERENCE_MAX:
        problems.add(
            number,
            REFERENCE,
            _("A reference_id is at most %(limit)s characters.") % {"limit": REFERENCE_MAX},
        )
    return value


def _contact(
    cells: Sequence[Any],
    index: int | None,
    column: str,
    normalise: Any,
    number: int,
    problems: ProblemCollector,
) -> str:
    if index is None:
        return ""
    written = cell_key(cells[index]) if column == MOBILE else cell_text(cells[index])
    if not written:
        return ""
    try:
        return str(normalise(written))
    except ValueProblem as problem:
        problems.add(number, column, problem.message)
        return ""


def _completed(
    cells: Sequence[Any], index: int | None, number: int, problems: ProblemCollector
) -> dt.datetime | None:
    if index is None or not cell_text(cells[index]):
        return None
    try:
        return parse_datetime(cells[index])
    except ValueProblem as problem:
        problems.add(number, COMPLETED, problem.message)
        return None


def _language(
    cells: Sequence[Any], index: int | None, number: int, problems: ProblemCollector
) -> str:
    written = cell_key(cells[index]).lower() if index is not None else ""
    if not written:
        return Language.AR.value
    if written not in LANGUAGES:
        problems.add(
            number,
            LANGUAGE,
            _("The language is “ar” (Arabic) or “en” (English), not “%(value)s”.")
            % {"value": cell_text(cells[index] if index is not None else "")},
        )
        return Language.AR.value
    return written
