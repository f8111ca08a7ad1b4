"""Google Forms and Microsoft Forms responses (CSV or XLSX, as each downloads them).

- **Columns are question texts**: a header feeds the question whose Arabic or English text (or
  code) it is, compared as `collected.fold` compares texts (no case, punctuation, diacritics,
  direction marks or Arabic letter variants). A grid's `Text [Row]` also matches a question
  written `Text - Row`, or `Row` alone. A header that looks like a question (a `?`/`؟`, four
  words or more, or a grid's brackets) and matches none is a problem; a short one (`Region`)
  becomes an attribute.
- **The time**: Google's `Timestamp` (`الطابع الزمني`), Microsoft's `Completion time`. Written
  `2022/06/15 10:04:11 PM GMT+3` (Forms' own CSV), `6/15/2022 22:04:11` or `15/06/2022
  22:04:11` (a sheet's locale), ISO, or an XLSX date. Which of day and month comes first is
  decided from the file's own dates (a part over 12), else from the survey's period. A time
  without an offset is in SAWT_TIME_ZONE (the account's zone is not in the file).
- **No respondent id** in either export (Microsoft's `ID` is dropped with `Email` and `Name`):
  each row's id is `forms-` + the first 16 hex digits of SHA-256 over its time (as an instant,
  UTC) and its kept cells in column order; a second identical row in the file gets `-2`. So the
  same export imported twice changes nothing; a response edited after submission (a new time)
  is a new respondent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sawt.imports.problems import ProblemCollector
from sawt.imports.readers import Table, open_table
from sawt.imports.values import ValueProblem, cell_key, cell_text, local_zone, parse_datetime
from sawt.surveys.importers.responses import SUBMITTED
from sawt.surveys.models import Question
from sawt.surveys.sources.collected import Shape, fold, shaped_table
from sawt.surveys.sources.common import looks_personal

TIME_COLUMNS = ("timestamp", "الطابع الزمني", "طابع زمني", "completion time", "وقت الإكمال")
# Never read: Microsoft's ID and who answered, quiz marks, and the other times.
DROPPED = frozenset(
    {
        "id",
        "email",
        "name",
        "email address",
        "username",
        "عنوان البريد الإلكتروني",
        "البريد الإلكتروني",
        "الاسم",
        "المعرف",
        "start time",
        "وقت البدء",
        "last modified time",
        "score",
        "النتيجة",
        "total points",
        "quiz feedback",
    }
)
_QUIZ = re.compile(r"^(?:points|feedback)\s*-\s", re.IGNORECASE)
_GRID = re.compile(r"^(.*)\[([^\]]+)\]\s*$")
_MERIDIEM = r"(?P<half>am|pm|a\.m\.|p\.m\.|ص|م)?"
_ZONE = r"(?:(?:gmt|utc)\s*(?P<sign>[+-])(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?|gmt|utc|z)?"
_CLOCK = r"(?:[ t,]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
_YEAR_FIRST = re.compile(
    rf"^(?P<y>\d{{4}})[/.-](?P<a>\d{{1,2}})[/.-](?P<b>\d{{1,2}}){_CLOCK}\s*{_MERIDIEM}\s*{_ZONE}$"
)
_YEAR_LAST = re.compile(
    rf"^(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})[/.-](?P<y>\d{{4}}){_CLOCK}\s*{_MERIDIEM}"
    rf"\s*{_ZONE}$"
)


def looks_like(header: list[str]) -> bool:
    names = set(header)
    google = bool(names & {"timestamp", "الطابع الزمني"})
    microsoft = {"id", "start time", "completion time"} <= names
    return google or microsoft


def _looks_like_question(text: str) -> bool:
    return bool(re.search("[?؟]", text)) or len(fold(text).split()) >= 4 or bool(_GRID.match(text))


class _Texts:
    """The survey's questions by their folded texts and codes."""

    def __init__(self, questions: list[Question]) -> None:
        self.by: dict[str, Question] = {}
        for question in questions:
            for text in (question.text_ar, question.text_en, question.code):
                if text and fold(text):
                    self.by.setdefault(fold(text), question)

    def find(self, header: str) -> Question | None:
        found = self.by.get(fold(header))
        grid = _GRID.match(header)
        if found is None and grid is not None:
            found = self.by.get(fold(grid.group(2)))
        return found


@contextmanager
def open_source(
    path: Path, survey: Any, problems: ProblemCollector, progress: bool = False
) -> Iterator[Table]:
    """A Google or Microsoft Forms export as a table in sawt's shape."""
    texts = _Texts(list(survey.questions.all()))
    with open_table(path, problems=problems, progress=progress) as table:
        raw = [r or h for r, h in zip(table.raw_header, table.header, strict=False)]
        shape = Shape("Forms")
        time_at: int | None = None
        kept: list[int] = []
        for i, name in enumerate(table.header):
            shown = raw[i] if i < len(raw) else name
            if not name:
                continue
            if name in TIME_COLUMNS and time_at is None:
                time_at = i
                shape.read_as(shown, SUBMITTED)
                continue
            if name in DROPPED or _QUIZ.match(name):
                shape.drop(shown)
                continue
            question = texts.find(shown)
            if question is not None:
                kept.append(i)
                shape.add_question(i, shown, question, problems)
            elif looks_personal(name):
                shape.drop(shown)
            elif _looks_like_question(shown):
                problems.add(
                    1,
                    shown[:120],
                    _(
                        "This column looks like a question, but its text matches none of this "
                        "survey's questions (compared without case, punctuation, diacritics or "
                        "Arabic letter variants). Write it in the definition as the form asks "
                        "it, or name the column after the question's code."
                    ),
                )
            else:
                kept.append(i)
                shape.add_attribute(i, name, shown)
        shape.notes.other.append(
            _(
                "Respondent ids are made from each row's time and answers (forms- and 16 hex "
                "digits), as neither Google nor Microsoft Forms exports one."
            )
        )
        if time_at is None:
            problems.add(
                1,
                None,
                _(
                    "No column holds the time of each response (Google's “Timestamp”, "
                    "Microsoft's “Completion time”); a Forms export always has one."
                ),
            )
            problems.raise_if_any()
        assert time_at is not None
        order = _day_month_order(path, time_at, survey.period, problems, raw[time_at])
        header = shape.header()
        rows = _rows(table, shape, time_at, raw[time_at], kept, order, problems)
        yield shaped_table(shape, header, rows, problems)


def _rows(
    table: Table,
    shape: Shape,
    time_at: int,
    time_name: str,
    kept: list[int],
    order: str,
    problems: ProblemCollector,
) -> Iterator[tuple[int, Sequence[Any]]]:
    seen: Counter[str] = Counter()
    for number, cells in table.rows():
        when = None
        try:
            when = forms_time(cells[time_at], order)
        except ValueProblem as problem:
            problems.add(number, time_name, problem.message)
        rid = stable_id(when, cells[time_at], [cells[i] for i in kept])
        seen[rid] += 1
        if seen[rid] > 1:
            rid = f"{rid}-{seen[rid]}"
        yield number, [rid, when, *shape.answers(number, cells, problems)]


def stable_id(when: dt.datetime | None, raw_time: Any, cells: Sequence[Any]) -> str:
    """`forms-` + 16 hex digits of SHA-256 over the instant (UTC) and the cells, in order."""
    moment = when.astimezone(dt.UTC).isoformat() if when is not None else cell_text(raw_time)
    joined = "\x1f".join([moment, *(cell_text(c) for c in cells)])
    return "forms-" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


# --- times ----------------------------------------------------------------------------------


def forms_time(value: Any, order: str = "mdy") -> dt.datetime | None:
    """A Forms time as an aware datetime (`order`: `mdy` or `dmy` for `6/15/2022`)."""
    if isinstance(value, dt.datetime | dt.date):
        return parse_datetime(value)
    written = cell_key(value)
    text = written.lower()
    if not text:
        return None
    shaped = _YEAR_FIRST.match(text)
    if shaped is not None:
        year, month, day = int(shaped["y"]), int(shaped["a"]), int(shaped["b"])
    else:
        shaped = _YEAR_LAST.match(text)
        if shaped is None:
            return parse_datetime(written)  # ISO, or its message
        year, first, second = int(shaped["y"]), int(shaped["a"]), int(shaped["b"])
        day_first = order == "dmy" or shaped["sep"] == "."
        day, month = (first, second) if day_first else (second, first)
    hour = int(shaped["h"] or 0)
    half = shaped["half"]
    if half and not 1 <= hour <= 12:
        raise _not_a_time(text)
    if half in ("pm", "p.m.", "م"):
        hour = hour % 12 + 12
    elif half:
        hour %= 12
    zone: dt.tzinfo = local_zone()
    if shaped["oh"]:
        minutes = int(shaped["oh"]) * 60 + int(shaped["om"] or 0)
        zone = dt.timezone(dt.timedelta(minutes=-minutes if shaped["sign"] == "-" else minutes))
    elif re.search(r"(gmt|utc|z)$", text):
        zone = dt.UTC
    try:
        return dt.datetime(
            year, month, day, hour, int(shaped["mi"] or 0), int(shaped["s"] or 0), tzinfo=zone
        )
    except ValueError:
        raise _not_a_time(text) from None


def _not_a_time(text: str) -> ValueProblem:
    return ValueProblem(_("“%(value)s” is not a real date or time.") % {"value": text})


def _day_month_order(
    path: Path, column: int, period: str, problems: ProblemCollector, name: str
) -> str:
    """`dmy` or `mdy` for times written `a/b/yyyy`: a part over 12 tells; else the reading that
    puts more of them in the survey's period (a first pass over the time column only)."""
    firsts, seconds, month_first, day_first, ambiguous = False, False, 0, 0, 0
    year, month = (int(p) for p in period.split("-"))
    with open_table(path, problems=ProblemCollector()) as table:
        for _number, cells in table.rows():
            value = cells[column]
            shaped = _YEAR_LAST.match(cell_key(value).lower()) if isinstance(value, str) else None
            if shaped is None or shaped["sep"] == ".":
                continue
            a, b, y = int(shaped["a"]), int(shaped["b"]), int(shaped["y"])
            firsts, seconds = firsts or a > 12, seconds or b > 12
            month_first += (y, a) == (year, month)
            day_first += (y, b) == (year, month)
            ambiguous += a != b
    if firsts and seconds:
        problems.add(
            1,
            name,
            _("The dates in this column put the day first in some rows and the month in others."),
        )
        return "mdy"
    if firsts or seconds:
        return "dmy" if firsts else "mdy"
    if day_first == month_first and ambiguous:
        problems.add(
            1,
            name,
            _(
                "The dates in this column could be read day first or month first, and neither "
                "reading puts more of them in the survey's period: save the export again with "
                "dates written as 2022-06-15."
            ),
        )
    return "dmy" if day_first > month_first else "mdy"
