"""Any table read as sawt's own: a mapping profile, and the built-in aliases of common headers.

Complaint systems and CRMs export what they export: Arabic headers, title lines above them, the
data on a second sheet, dates as `dd/mm/yyyy`, Excel serials or Hijri. A mapping profile (YAML,
docs/formats.md "Mapping profile") says where the table is and which column is which; without
one, the common Arabic and English header names (`رقم البلاغ`, `Date received`...) are known
as they are. `mapped_table` wraps an opened `Table` so that its header is sawt's column names and
its cells carry the profile's value maps; the importers then check it by their usual rules, with
the dates read by the profile's `DateRule`. `ColumnReport` says what became of every column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext as _

from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.readers import Table, normalise_header
from sawt.imports.values import CALENDARS, DateRule, cell_key, date_pattern
from sawt.imports.yamldoc import MISSING, Shape, key_text, load_yaml

Target = Literal["complaints", "responses"]

# sawt's own columns of each table, and those of them that hold dates.
COLUMNS: dict[str, tuple[str, ...]] = {
    "complaints": ("complaint_id", "received_at", "text", "channel", "category"),
    "responses": ("respondent_id", "submitted_at"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "complaints": ("complaint_id", "received_at", "text"),
    "responses": ("respondent_id",),
}
DATE_COLUMNS = ("received_at", "submitted_at")

# Header names read as sawt's columns without a mapping (compared by `alias_key`: without
# case, hamza forms, tā' marbūṭa, spaces, "_" or "-").
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "complaints": {
        "complaint_id": (
            "رقم الشكوى",
            "رقم البلاغ",
            "رقم الشكوي",
            "معرف الشكوى",
            "رقم التذكرة",
            "complaint id",
            "complaint no",
            "complaint number",
            "ticket id",
            "ticket number",
            "case id",
            "case number",
        ),
        "received_at": (
            "تاريخ الاستلام",
            "تاريخ الشكوى",
            "تاريخ البلاغ",
            "تاريخ الورود",
            "تاريخ التقديم",
            "تاريخ الإنشاء",
            "received",
            "received date",
            "date received",
            "received on",
            "created",
            "created at",
            "created date",
            "creation date",
        ),
        "text": (
            "نص الشكوى",
            "نص البلاغ",
            "وصف الشكوى",
            "وصف البلاغ",
            "تفاصيل الشكوى",
            "تفاصيل البلاغ",
            "الشكوى",
            "complaint",
            "complaint text",
            "description",
            "details",
        ),
        "channel": (
            "القناة",
            "قناة الاستقبال",
            "قناة الورود",
            "قناة التواصل",
            "قناة البلاغ",
            "source channel",
        ),
        "category": ("التصنيف", "تصنيف الشكوى", "تصنيف البلاغ", "فئة الشكوى"),
    },
    "responses": {
        "respondent_id": (
            "رقم المستفيد",
            "رقم المستجيب",
            "معرف المستجيب",
            "معرف المستفيد",
            "respondent",
            "respondent id",
            "respondent no",
        ),
        "submitted_at": (
            "تاريخ الرد",
            "تاريخ الإجابة",
            "تاريخ الاستجابة",
            "تاريخ التعبئة",
            "وقت الإرسال",
            "submitted",
            "submitted on",
            "submission date",
            "date submitted",
        ),
    },
}

_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
_SEPARATORS = re.compile(r"[\s_\-.:/]+")
_CODE_SHAPE = re.compile(r"[^a-z0-9]+")


def alias_key(name: Any) -> str:
    """A header name as aliases compare it: `Complaint_ID`, `complaint id` and `رقم الشكوي`
    (for `رقم الشكوى`) are alike."""
    text = normalise_header(name).translate(_FOLD)
    return _SEPARATORS.sub(" ", text).strip()


_ALIAS_OF: dict[str, dict[str, str]] = {
    target: {alias_key(a): column for column, names in aliases.items() for a in names}
    for target, aliases in ALIASES.items()
}


def alias_of(target: Target, name: Any) -> str | None:
    """The sawt column a header name is read as without a profile (its own name or a
    built-in alias), if any."""
    own = normalise_header(name)
    if own in COLUMNS[target]:
        return own
    return _ALIAS_OF[target].get(alias_key(name))


# --- The profile ----------------------------------------------------------------------------

PROFILE_KEYS = ("sheet", "header_row", "columns", "dates", "values", "drop")
MAX_HEADER_ROW = 1000


@dataclass(frozen=True)
class MappingProfile:
    """Where the table is in the file and which column is which (docs/formats.md).

    `sheet` is a name or a position from 0 (the YAML counts from 1); `columns` maps sawt's
    column to the source column as written; `values` maps, per sawt column, a cell (as an id
    compares: marks dropped, digits ASCII, without case) to the value sawt stores."""

    sheet: str | int | None = None
    header_row: int = 1
    columns: dict[str, str] = field(default_factory=dict)
    date_format: str = ""
    calendar: str = "gregorian"
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    drop: tuple[str, ...] = ()

    def date_rule(self) -> DateRule:
        """How the date columns are read: the profile's format and calendar, Excel serials."""
        return DateRule(self.date_format, self.calendar, serials=True)


def load_mapping(path: Path) -> MappingProfile:
    """A mapping profile from YAML (read by the hostile-safe loader); problems name the line."""
    problems = ProblemCollector(unit="line")
    data, lines = load_yaml(path, problems)
    profile = mapping_profile(data, lines, problems)
    problems.raise_if_any()
    return profile


def mapping_profile(data: Any, lines: dict[str, int], problems: ProblemCollector) -> MappingProfile:
    """A parsed profile document checked into a `MappingProfile` (problems by key path)."""
    shape = Shape(lines, problems)
    root = shape.mapping({} if data is None else data, "", (), PROFILE_KEYS)
    if root is None:
        return MappingProfile()
    sheet = _sheet(shape, root.get("sheet"))
    header_row = 1
    if root.get("header_row") is not None:
        header_row = shape.positive(root["header_row"], "header_row") or 1
        if header_row > MAX_HEADER_ROW:
            shape.problem(
                "header_row",
                _("The header row is at most row %(limit)s.") % {"limit": MAX_HEADER_ROW},
            )
    columns: dict[str, str] = {}
    given = root.get("columns", MISSING)
    if given is not MISSING and _free(shape, given, "columns"):
        for key, value in given.items():
            path = f"columns.{key_text(key)}"
            column = normalise_header(key)
            if not column or not re.fullmatch(r"[-a-z0-9_]+", column):
                shape.problem(
                    path,
                    _(
                        "A sawt column is named in Latin letters, digits, “-” or “_” "
                        "(complaint_id, received_at, a question code…)."
                    ),
                )
                continue
            source = shape.text(_scalar_text(value), path, max_length=255)
            if source:
                columns[column] = source
    date_format, calendar = _dates(shape, root.get("dates", MISSING))
    values: dict[str, dict[str, str]] = {}
    given = root.get("values", MISSING)
    if given is not MISSING and _free(shape, given, "values"):
        for key, table in given.items():
            path = f"values.{key_text(key)}"
            if not _free(shape, table, path):
                continue
            mapped: dict[str, str] = {}
            for written, stored in table.items():
                text = shape.text(_scalar_text(stored), f"{path}.{key_text(written)}")
                mapped[cell_key(str(written)).casefold()] = text
            values[normalise_header(key)] = mapped
    drop = tuple(
        shape.text(_scalar_text(item), f"drop[{number}]", max_length=255)
        for number, item in enumerate(shape.sequence(root.get("drop", MISSING), "drop"), start=1)
    )
    return MappingProfile(
        sheet=sheet,
        header_row=header_row,
        columns=columns,
        date_format=date_format,
        calendar=calendar,
        values=values,
        drop=tuple(d for d in drop if d),
    )


def profile_from_dict(data: Any) -> MappingProfile:
    """A profile stored as its YAML document's data (a saved mapping, a job's payload),
    checked as a `--mapping` file is; problems name the key."""
    problems = ProblemCollector(unit="line")
    profile = mapping_profile(data, {}, problems)
    problems.raise_if_any()
    return profile


def _free(shape: Shape, value: Any, path: str) -> bool:
    """Whether `value` is a set of keys and values (any keys), else a problem at `path`."""
    if value is None:
        return False
    if not isinstance(value, dict):
        shape.problem(path, _("This must be a set of keys and values."))
        return False
    return True


def _scalar_text(value: Any) -> Any:
    # YAML reads `رقم: 12` or `- 2023` as numbers: a column name is text all the same.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _sheet(shape: Shape, value: Any) -> str | int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            shape.problem("sheet", _("A sheet is counted from 1 (the first sheet is 1)."))
            return None
        return value - 1
    text = shape.text(value, "sheet", max_length=255)
    return text or None


def _dates(shape: Shape, value: Any) -> tuple[str, str]:
    if value is MISSING or shape.mapping(value, "dates", (), ("format", "calendar")) is None:
        return "", "gregorian"
    spec = shape.text(value.get("format"), "dates.format", required=False, max_length=60)
    if spec and spec.lower() not in ("iso", "iso8601"):
        try:
            date_pattern(spec)
        except ValueError:
            shape.problem(
                "dates.format",
                _(
                    "“%(format)s” is not a date format sawt reads; write the day, the month and "
                    "the year, like dd/mm/yyyy, yyyy-mm-dd HH:MM or %%d/%%m/%%Y %%H:%%M."
                )
                % {"format": spec},
            )
    calendar = shape.text(value.get("calendar"), "dates.calendar", required=False).lower()
    if calendar and calendar not in CALENDARS:
        shape.problem(
            "dates.calendar",
            _("The calendar is gregorian or hijri (Umm al-Qura), not “%(calendar)s”.")
            % {"calendar": calendar},
        )
        calendar = ""
    return spec, calendar or "gregorian"


# --- The table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnReport:
    """What became of every column of the file: read as a sawt column, kept as an attribute,
    dropped by the mapping, or ignored (a complaints file's columns sawt has no use for)."""

    read: tuple[tuple[str, str], ...] = ()
    attributes: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    # What another tool's source says it did instead (sawt.surveys.sources' notes).
    notes: tuple[str, ...] = ()

    def line(self) -> str:
        """`Columns: رقم البلاغ → complaint_id, …; attributes: …; dropped: …; ignored: ….`"""
        if self.notes:
            return " ".join(self.notes)
        parts = [
            _("Columns: %(read)s")
            % {"read": ", ".join(_read_as(written, name) for written, name in self.read)}
        ]
        if self.attributes:
            parts.append(_("attributes: %(names)s") % {"names": ", ".join(self.attributes)})
        if self.dropped:
            parts.append(_("dropped: %(names)s") % {"names": ", ".join(self.dropped)})
        if self.ignored:
            parts.append(_("ignored: %(names)s") % {"names": ", ".join(self.ignored)})
        return "; ".join(parts) + "."

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": [list(pair) for pair in self.read],
            "attributes": list(self.attributes),
            "dropped": list(self.dropped),
            "ignored": list(self.ignored),
            "notes": list(self.notes),
        }


def _read_as(written: str, name: str) -> str:
    return name if normalise_header(written) == name else f"{written} → {name}"


@dataclass
class MappedTable:
    """An opened table read as sawt's columns, and what each column of the file became."""

    table: Table
    written: list[str]  # each column's name as the file writes it
    dropped: list[str]
    dates: DateRule

    def report(
        self, read: Iterable[int], attributes: Iterable[int] = (), ignored: bool = True
    ) -> ColumnReport:
        """The columns at the positions `read` (and `attributes`) as read; every other named
        column ignored (or left out when `ignored` is False)."""
        read, attributes = list(read), list(attributes)
        used = set(read) | set(attributes)
        header = self.table.header
        return ColumnReport(
            read=tuple((self.written[i], header[i]) for i in sorted(read)),
            attributes=tuple(self.written[i] for i in attributes),
            dropped=tuple(self.dropped),
            ignored=tuple(
                self.written[i]
                for i, name in enumerate(header)
                if ignored and name and i not in used
            ),
        )


def unmapped_table(table: Table) -> MappedTable:
    """A table already in sawt's shape (another tool's export read by its source), as is."""
    written = [w or h for w, h in zip(table.raw_header or table.header, table.header, strict=False)]
    written += table.header[len(written) :]
    return MappedTable(table=table, written=written, dropped=[], dates=DateRule())


def mapped_table(
    table: Table,
    target: Target,
    profile: MappingProfile | None = None,
    *,
    questions: Sequence[Any] = (),
) -> MappedTable:
    """`table` with sawt's column names (the profile's, then exact names, then aliases, then a
    question's text for responses), value maps applied and dropped columns blanked.

    Refused (at the header row, nothing read): a profile's column that is not in the file, two
    columns for one sawt column, a missing required column, and, for responses, a column named
    almost like a question code (`Q_1` for `q1`), which would otherwise become an attribute."""
    profile = profile or MappingProfile()
    row = profile.header_row
    written = list(table.raw_header) or list(table.header)
    written += [""] * (len(table.header) - len(written))
    written = [w.strip() or h for w, h in zip(written, table.header, strict=False)]
    problems: list[tuple[str | None, str]] = []
    by_name = {name: i for i, name in enumerate(table.header) if name}
    by_alias: dict[str, int] = {}
    for i, name in enumerate(table.header):
        if name:
            by_alias.setdefault(alias_key(name), i)

    def find(source: str) -> int | None:
        found = by_name.get(normalise_header(source))
        return found if found is not None else by_alias.get(alias_key(source))

    dropped: set[int] = set()
    for source in profile.drop:
        index = find(source)
        if index is None:
            problems.append((source, _not_in_header(row, written)))
        else:
            dropped.add(index)
    names = [name if i not in dropped else "" for i, name in enumerate(table.header)]
    given: dict[int, str] = {}
    for column, source in profile.columns.items():
        index = find(source)
        if index is None:
            problems.append((source, _not_in_header(row, written)))
        else:
            given[index] = column
    explicit = set(profile.columns)
    own = set(COLUMNS[target])
    aliases = _ALIAS_OF[target]
    by_text = _question_texts(questions) if target == "responses" else {}
    codes = {normalise_header(q.code) for q in questions}
    claims: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if not name:
            continue
        if i in given:
            name = given[i]
        else:
            if name not in own and name not in codes:
                key = alias_key(name)
                name = aliases.get(key) or by_text.get(key) or name
            if name in explicit:
                # The profile says which column this is: another named like it is left out.
                names[i] = ""
                dropped.add(i)
                continue
        unplaced = i not in given and name == table.header[i] and name not in own | codes
        if unplaced and (near := _near_code(name, codes)):
            problems.append(
                (
                    written[i],
                    _(
                        "“%(name)s” is not a question code of this survey, but looks like "
                        "“%(code)s”: rename the column, or say what it is in a mapping."
                    )
                    % {"name": written[i], "code": near},
                )
            )
        names[i] = name
        claims.setdefault(name, []).append(i)
    for name, indices in claims.items():
        # (The same name twice is already a problem of the header: see sawt.imports.readers.)
        distinct = {table.header[i] for i in indices}
        if len(distinct) > 1 and (name in own or name in codes):
            problems.append(
                (
                    None,
                    _(
                        "The columns %(columns)s can each be %(name)s; say which in a mapping "
                        "(columns:), or drop the others (drop:)."
                    )
                    % {"columns": ", ".join(f"“{written[i]}”" for i in indices), "name": name},
                )
            )
    if row != 1 or profile.columns or any(n != h for n, h in zip(names, table.header, strict=True)):
        for name in REQUIRED[target]:
            if name not in claims:
                problems.append(
                    (
                        None,
                        _(
                            "No column of row %(row)s is %(name)s: name one so, or say which "
                            "in a mapping (columns:). The columns are: %(columns)s."
                        )
                        % {"row": row, "name": name, "columns": ", ".join(w for w in written if w)},
                    )
                )
    if problems:
        collector = ProblemCollector()
        for where, message in problems:
            collector.add(row, where, message)
        raise ImportFailed(collector.problems, more=collector.more)
    value_maps = [
        (i, profile.values[name]) for i, name in enumerate(names) if name in profile.values
    ]
    mapped = Table(
        kind=table.kind,
        header=names,
        problems=table.problems,
        # The opened table's own rows, read once: its checks (width, blank rows, the problem
        # limit) run in this table's `rows()`.
        _source=_mapped_rows(table._source, dropped, value_maps),
        raw_header=written,
    )
    return MappedTable(
        table=mapped,
        written=written,
        dropped=[written[i] for i in sorted(dropped)],
        dates=profile.date_rule(),
    )


def _not_in_header(row: int, written: list[str]) -> str:
    return _("This column is not in row %(row)s; the columns are: %(columns)s.") % {
        "row": row,
        "columns": ", ".join(w for w in written if w),
    }


def _question_texts(questions: Sequence[Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for question in questions:
        for text in (getattr(question, "text_ar", ""), getattr(question, "text_en", "")):
            if text and text.strip():
                found.setdefault(alias_key(text), normalise_header(question.code))
    return found


def _near_code(name: str, codes: set[str]) -> str | None:
    """A question code that `name` spells with other case, spaces or punctuation."""
    shape = _CODE_SHAPE.sub("", name)
    if not shape:
        return None
    for code in codes:
        if _CODE_SHAPE.sub("", code) == shape:
            return code
    return None


def _mapped_rows(
    source: Iterator[tuple[int, Sequence[Any]]],
    dropped: set[int],
    value_maps: list[tuple[int, dict[str, str]]],
) -> Iterator[tuple[int, Sequence[Any]]]:
    if not dropped and not value_maps:
        yield from source
        return
    for number, cells in source:
        row = list(cells)
        width = len(row)
        for i in dropped:
            if i < width:
                row[i] = None
        for i, values in value_maps:
            if i < width:
                key = cell_key(row[i]).casefold()
                if key in values:
                    row[i] = values[key]
        yield number, row
