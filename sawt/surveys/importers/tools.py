"""What the definition readers of other survey tools (XLSForm, LimeSurvey) share.

A tool's file says which questions there are, their texts, groups and answer options; it does
not say which journey and month the survey belongs to (the command's `--journey`, `--period`,
`--survey`, `--agency`), nor which item is overall satisfaction or effort (an optional overlay,
`--overlay FILE`). Each reader builds the same `Definition` the YAML reader builds, so the
service checks and writes it the same way.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext as _

from sawt.core.periods import PERIOD_RE
from sawt.imports.problems import ProblemCollector
from sawt.imports.yamldoc import MISSING, Shape, key_text, load_yaml
from sawt.surveys.choices import MAX_SCORE, MIN_SCORE, SCORED_KINDS, QuestionKind
from sawt.surveys.importers.definition import (
    Definition,
    NamedSpec,
    QuestionSpec,
    SurveySpec,
    check_references,
    code_taken,
)

Best = Literal["first", "last"]
# Which end of an ordered list is best when --best is not given: the last, as tools and
# people write scales from worst to best ("very dissatisfied" … "very satisfied").
DEFAULT_BEST: Best = "last"
TEXT_LIMIT = 2000
NAME_LIMIT = 255
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_NOT_CODE = re.compile(r"[^A-Za-z0-9_-]+")
_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ToolTarget:
    """Where a tool's survey goes in sawt, and how to read it (the command's options)."""

    journey: str
    period: str
    survey: str
    agency: str | None = None
    best: Best = DEFAULT_BEST
    overlay: Path | None = None


def check_target(target: ToolTarget, problems: ProblemCollector) -> None:
    """The options' values, each a problem naming its option."""
    slug = re.compile(r"^[-a-zA-Z0-9_]+$")
    for option, value, longest in (
        ("--journey", target.journey, 100),
        ("--survey", target.survey, 100),
        ("--agency", target.agency, 64),
    ):
        if value is None:
            continue
        if not slug.match(value) or len(value) > longest:
            problems.add(
                None,
                option,
                _(
                    "A code must be Latin letters, digits, “-” or “_”, without spaces, "
                    "at most %(limit)s characters."
                )
                % {"limit": longest},
            )
    if not PERIOD_RE.match(target.period or ""):
        problems.add(
            None,
            "--period",
            _("The period must be a month written YYYY-MM, for example 2022-06."),
        )
    if target.best not in ("first", "last"):
        problems.add(None, "--best", _("--best is “first” or “last”."))


def make_code(name: str) -> str:
    """A tool's question or group name as a sawt code: every run of characters other than
    Latin letters, digits, “-” and “_” becomes one “_” (`grp.q1` → `grp_q1`), and “_” at
    either end is dropped. Longer than 64 characters, or empty, it is a problem."""
    return _NOT_CODE.sub("_", unicodedata.normalize("NFKC", name).strip()).strip("_")


def plain_text(value: str) -> str:
    """HTML tags removed and entities resolved (LimeSurvey writes texts as HTML), spaces
    collapsed."""
    from html import unescape

    return _SPACES.sub(" ", unescape(_TAG.sub(" ", value))).strip()


def has_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))


def language_of(name: str) -> str | None:
    """`ar`/`en` for a language as tools name it: `Arabic (ar)`, `English`, `ar`, `en-GB`."""
    text = name.strip().lower()
    found = re.search(r"\(([a-z]{2,3})(?:[-_][a-z0-9]+)?\)", text)
    if found:
        text = found.group(1)
    text = re.split(r"[-_ ]", text, maxsplit=1)[0] if text else text
    return {"ar": "ar", "arabic": "ar", "العربية": "ar", "en": "en", "english": "en"}.get(text)


def pick_texts(texts: dict[str | None, str]) -> tuple[str, str]:
    """(Arabic, English) from a tool's texts by language (None: a language not said). Arabic
    falls back on the unsaid language, then on English (sawt needs an Arabic text to show),
    so a form written in English only still imports; English is English's own text."""
    unsaid = texts.get(None, "")
    arabic = texts.get("ar") or (unsaid if has_arabic(unsaid) else "")
    english = texts.get("en") or (unsaid if unsaid and not has_arabic(unsaid) else "")
    return arabic or unsaid or english, english


def ordered_scores(count: int, best: Best) -> list[int] | None:
    """The scores of an ordered list of `count` answers, in their order: 1…n from the worst
    end; eleven answers (a 0–10 scale) score 0…10. None when the list cannot be a scale."""
    if count < 2 or count > MAX_SCORE - MIN_SCORE + 1:
        return None
    low = MIN_SCORE if count == MAX_SCORE - MIN_SCORE + 1 else 1
    scores = list(range(low, low + count))
    return scores if best == "last" else scores[::-1]


def scale_problem(count: int) -> str:
    if count < 2:
        return _(
            "A scored question needs at least two answers in order; this one has %(count)s."
        ) % {"count": count}
    return _(
        "A scored question has at most %(limit)s answers (a 0–10 scale); this one has "
        "%(count)s. Leave it out of the form, or make it a text question."
    ) % {"limit": MAX_SCORE - MIN_SCORE + 1, "count": count}


def question(
    code: str,
    scored: bool,
    texts: tuple[str, str],
    scale: tuple[int, int] | None,
    stage: str | None,
    path: str,
    choices: dict[str, int] | None = None,
    source_key: str = "",
) -> QuestionSpec:
    """A question as a tool's file gives it: scored items are `satisfaction` until the
    overlay says otherwise."""
    return QuestionSpec(
        code=code,
        kind=QuestionKind.SATISFACTION if scored else QuestionKind.TEXT,
        text_ar=texts[0][:TEXT_LIMIT],
        text_en=texts[1][:TEXT_LIMIT],
        scale=scale,
        stage_code=stage,
        path=path,
        choices=choices or {},
        source_key=source_key,
    )


def check_code(code: str, written: str, add: Any) -> None:
    """`add(message)` for a tool's name that makes no usable sawt code."""
    if not code:
        add(
            _(
                "The name “%(name)s” has no Latin letters or digits, so it makes no question "
                "code; rename it in the form."
            )
            % {"name": written}
        )
    elif len(code) > 64:
        add(_("A code is at most %(limit)s characters.") % {"limit": 64})
    elif taken := code_taken(code):
        add(taken)


def code_used(name: str, code: str, first: str) -> str:
    return _(
        "The name “%(name)s” makes the code “%(code)s”, which %(first)s already gives a question."
    ) % {"name": name, "code": code, "first": first}


def new_definition(
    target: ToolTarget,
    title: tuple[str, str],
    stages: list[NamedSpec],
    questions: list[QuestionSpec],
    lines: dict[str, int],
) -> Definition:
    """The Definition of a tool's file: the journey's own names, agency and gap categories
    are filled in from the database by the service (a tool's file does not hold them)."""
    return Definition(
        journey_slug=target.journey,
        journey_name=title,
        agency=NamedSpec(target.agency or "", "", "", "--agency"),
        stages=stages,
        categories=[],
        survey=SurveySpec(
            code=target.survey,
            period=target.period,
            sample_size=None,
            population_size=None,
            path="--survey",
        ),
        questions=questions,
        lines=lines,
    )


def finish(definition: Definition, problems: ProblemCollector) -> None:
    """The checks every definition gets: unique codes, stages that exist, a question at all."""
    if not definition.questions:
        problems.add(
            None,
            None,
            _("The form has no question sawt can use (scored choices, numbers or text)."),
        )
    check_references(Shape(definition.lines, problems), definition)


# --- the overlay -----------------------------------------------------------------------------

OVERLAY_KEYS = ("questions", "stages")


def apply_overlay(definition: Definition, path: Path) -> None:
    """Set kinds and stages by question code from a small YAML file (refused as a whole, with
    its own lines, when anything in it is off):

        questions:
          q_overall: {kind: overall}
          q_effort: {kind: effort, stage: application}
          q_note: {stage: null}
        stages:                      # optional: names for stages the questions move to
          - code: application
            name: {ar: التقديم, en: Application}
    """
    problems = ProblemCollector(unit="line")
    data, lines = load_yaml(path, problems)
    shape = Shape(lines, problems)
    doc = shape.mapping(data if data is not None else {}, "", (), OVERLAY_KEYS)
    if doc is None:
        problems.raise_if_any()
        return
    stages = {s.code.lower(): s for s in definition.stages}
    for number, item in enumerate(shape.sequence(doc.get("stages", MISSING), "stages"), 1):
        where = f"stages[{number}]"
        if shape.mapping(item, where, ("code", "name")) is None:
            continue
        code = shape.code(item.get("code", MISSING), f"{where}.code")
        name_ar, name_en = shape.names(item.get("name", MISSING), f"{where}.name")
        if code:
            stages[code.lower()] = NamedSpec(code, name_ar, name_en, where)
    by_code = {q.code.lower(): n for n, q in enumerate(definition.questions)}
    items = doc.get("questions", MISSING)
    if items is not MISSING and not isinstance(items, dict):
        shape.problem("questions", _("This must be a set of keys and values."))
        items = {}
    for written, change in (items if items is not MISSING else {}).items():
        where = f"questions.{key_text(written)}"
        index = by_code.get(str(written).lower())
        if index is None:
            shape.problem(
                where,
                _("No question has the code “%(code)s”; the codes are: %(codes)s.")
                % {
                    "code": key_text(written),
                    "codes": ", ".join(q.code for q in definition.questions),
                },
            )
            continue
        if shape.mapping(change, where, (), ("kind", "stage")) is None:
            continue
        definition.questions[index] = _changed(
            shape, definition.questions[index], change, where, stages
        )
    problems.raise_if_any()
    used = {q.stage_code.lower() for q in definition.questions if q.stage_code}
    known = {s.code.lower() for s in definition.stages}
    definition.stages = [
        *definition.stages,
        *(s for key, s in stages.items() if key not in known and key in used),
    ]


def _changed(
    shape: Shape,
    spec: QuestionSpec,
    change: dict[str, Any],
    where: str,
    stages: dict[str, NamedSpec],
) -> QuestionSpec:
    kind, stage = spec.kind, spec.stage_code
    if "kind" in change:
        wanted = change["kind"]
        if wanted not in QuestionKind.values:
            shape.problem(
                f"{where}.kind",
                _("The kind must be one of: %(kinds)s.")
                % {"kinds": ", ".join(QuestionKind.values)},
            )
        elif (wanted == QuestionKind.TEXT) != (spec.kind == QuestionKind.TEXT):
            if spec.kind == QuestionKind.TEXT:
                message = _("“%(code)s” is a text question in the form; it stays one.")
            else:
                message = _(
                    "“%(code)s” is a scored question in the form; its kind is one of %(kinds)s."
                )
            shape.problem(
                f"{where}.kind",
                message % {"code": spec.code, "kinds": ", ".join(SCORED_KINDS)},
            )
        else:
            kind = wanted
    if "stage" in change:
        wanted = change["stage"]
        if wanted is None or wanted == "":
            stage = None
        else:
            code = shape.code(wanted, f"{where}.stage")
            if code and code.lower() not in stages:
                shape.problem(
                    f"{where}.stage",
                    _(
                        "No stage has the code “%(code)s”; the form's groups give: %(codes)s. "
                        "Name a new stage under `stages:`."
                    )
                    % {"code": code, "codes": ", ".join(s.code for s in stages.values()) or "—"},
                )
            elif code:
                stage = stages[code.lower()].code
    if kind == QuestionKind.OVERALL:
        if "stage" in change and change["stage"] not in (None, ""):
            shape.problem(f"{where}.stage", _("An overall question stands apart from the stages."))
        stage = None  # overall satisfaction belongs to no stage, whatever group held it
    return QuestionSpec(
        code=spec.code,
        kind=kind,
        text_ar=spec.text_ar,
        text_en=spec.text_en,
        scale=spec.scale,
        stage_code=stage,
        path=spec.path,
        choices=spec.choices,
        source_key=spec.source_key,
    )


# --- recognising a tool's file given as YAML ----------------------------------------------------


def foreign_definition(path: Path) -> str | None:
    """What `path` is when it is recognisably a tool's survey rather than sawt's YAML."""
    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
    except OSError:
        return None
    if start.startswith(b"PK\x03\x04"):
        return _foreign_archive(path)
    text = start.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("<") and "LimeSurveyDocType" in text:
        return _use("lss")
    return None


def _foreign_archive(path: Path) -> str | None:
    from sawt.imports.problems import ImportFailed
    from sawt.imports.xlsx import MAX_PARTS, _declared_parts, sheet_names

    try:
        with path.open("rb") as handle:
            if _declared_parts(handle, path.stat().st_size) > MAX_PARTS:
                return None
        with zipfile.ZipFile(path) as archive:
            names = [n.lower() for n in archive.namelist()]
    except (ImportFailed, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return None
    if any(n.endswith(".lss") for n in names):
        return _use("lsa")
    if any(n.startswith("xl/") for n in names):
        try:
            sheets = {s.strip().lower() for s in sheet_names(path)}
        except ImportFailed:
            sheets = set()
        if "survey" in sheets:
            return _use("xlsform")
        return _(
            "This is an XLSX workbook, not a journey definition (YAML). A survey made in "
            "KoboToolbox or ODK is imported with `sawt import-survey --from xlsform`."
        )
    return None


def _use(what: str) -> str:
    command = (
        "`sawt import-survey --from %s FILE --journey SLUG --period YYYY-MM --survey CODE`"
        % ("xlsform" if what == "xlsform" else "limesurvey")
    )
    messages = {
        "lss": _(
            "This looks like a LimeSurvey survey (.lss), not a journey definition (YAML): "
            "use %(command)s."
        ),
        "lsa": _(
            "This looks like a LimeSurvey archive (.lsa), not a journey definition (YAML): "
            "use %(command)s."
        ),
        "xlsform": _(
            "This looks like an XLSForm (KoboToolbox, ODK), not a journey definition (YAML): "
            "use %(command)s."
        ),
    }
    return messages[what] % {"command": command}
