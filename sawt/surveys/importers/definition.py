"""A journey definition (YAML) parsed and checked into plain data, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sawt.core.periods import PERIOD_RE
from sawt.imports.problems import ProblemCollector
from sawt.imports.values import ValueProblem, parse_whole
from sawt.imports.yamldoc import MISSING, Shape, load_yaml
from sawt.surveys.choices import (
    FORM_FIELDS,
    MAX_SCORE,
    MIN_SCORE,
    REASON_SUFFIX,
    SCORED_KINDS,
    QuestionKind,
)

# Column names with a meaning of their own in a responses file; no question may take them.
RESERVED_COLUMNS = ("respondent_id", "submitted_at")
TOP_KEYS = ("journey", "journey_name", "agency", "stages", "gap_categories", "survey", "questions")


@dataclass(frozen=True)
class NamedSpec:
    """A stage, gap category or agency as the file gives it."""

    code: str
    name_ar: str
    name_en: str
    path: str


@dataclass(frozen=True)
class InvitationsSpec:
    """The survey's optional `invitations:` block, as plain data: its numbers (None: the
    default) and its texts by InvitationSettings field name ('' : sawt's own text). The apps
    that send invitations check the texts and store it all (surveys.signals)."""

    valid_days: int | None
    reminder_after_days: int | None
    max_reminders: int | None
    texts: dict[str, str]
    path: str = "survey.invitations"
    # Continuous sampling of the transactions pushed through the API: a rate in percent
    # (None: off), a daily cap (None: none) and a seed (None: drawn once and kept).
    continuous_rate: Decimal | None = None
    continuous_daily_cap: int | None = None
    continuous_seed: int | None = None


@dataclass(frozen=True)
class SurveySpec:
    code: str
    period: str
    # None: not set by hand; the survey's sample is then the number of people sawt invited.
    sample_size: int | None
    population_size: int | None
    path: str = "survey"
    invitations: InvitationsSpec | None = None


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    kind: str
    text_ar: str
    text_en: str
    scale: tuple[int, int] | None
    stage_code: str | None
    path: str
    # From a survey tool's file: its answer codes and their scores, and its id of the question.
    choices: dict[str, int] = field(default_factory=dict)
    source_key: str = ""
    # Answer values meaning "not applicable", as text (["0"], ["99"]).
    na_values: list[str] = field(default_factory=list)


@dataclass
class Definition:
    """A checked journey definition: every code valid, unique and resolvable inside the file."""

    journey_slug: str
    journey_name: tuple[str, str]
    agency: NamedSpec
    stages: list[NamedSpec]
    categories: list[NamedSpec]
    survey: SurveySpec
    questions: list[QuestionSpec]
    lines: dict[str, int] = field(default_factory=dict)
    # What a survey tool's file held that sawt left out (one line each), for the person to see.
    skipped: list[str] = field(default_factory=list)

    def item_count(self) -> int:
        invitations = 1 if self.survey.invitations is not None else 0
        return 3 + len(self.stages) + len(self.categories) + len(self.questions) + invitations


def parse_definition(path: Path, problems: ProblemCollector) -> Definition | None:
    """Read and check a journey definition; problems are collected, None if the shape is off."""
    data, lines = load_yaml(path, problems)
    shape = Shape(lines, problems)
    doc = shape.mapping(data if data is not None else {}, "", TOP_KEYS)
    if doc is None:
        return None
    agency = _agency(shape, doc.get("agency", MISSING))
    definition = Definition(
        journey_slug=shape.code(doc.get("journey", MISSING), "journey", max_length=100),
        journey_name=shape.names(doc.get("journey_name", MISSING), "journey_name"),
        agency=agency,
        stages=_named_list(shape, doc.get("stages", MISSING), "stages"),
        categories=_named_list(shape, doc.get("gap_categories", MISSING), "gap_categories"),
        survey=_survey(shape, doc.get("survey", MISSING)),
        questions=[
            _question(shape, item, f"questions[{n}]")
            for n, item in enumerate(
                shape.sequence(doc.get("questions", MISSING), "questions"), start=1
            )
        ],
        lines=lines,
    )
    if "questions" in doc and not definition.questions:
        shape.problem("questions", _("A survey needs at least one question."))
    _check_references(shape, definition)
    return definition


def _agency(shape: Shape, value: Any) -> NamedSpec:
    agency = shape.mapping(value, "agency", ("code", "name"))
    if agency is None:
        return NamedSpec("", "", "", "agency")
    name_ar, name_en = shape.names(agency.get("name", MISSING), "agency.name")
    return NamedSpec(
        shape.code(agency.get("code", MISSING), "agency.code"), name_ar, name_en, "agency"
    )


def _named_list(shape: Shape, value: Any, path: str) -> list[NamedSpec]:
    items = []
    for number, item in enumerate(shape.sequence(value, path), start=1):
        where = f"{path}[{number}]"
        if shape.mapping(item, where, ("code", "name")) is None:
            continue
        name_ar, name_en = shape.names(item.get("name", MISSING), f"{where}.name")
        items.append(
            NamedSpec(
                shape.code(item.get("code", MISSING), f"{where}.code"), name_ar, name_en, where
            )
        )
    return items


def _survey(shape: Shape, value: Any) -> SurveySpec:
    survey = shape.mapping(
        value, "survey", ("code", "period"), ("sample_size", "population_size", "invitations")
    )
    if survey is None:
        return SurveySpec("", "", None, None)
    period = survey.get("period", MISSING)
    if "period" in survey and not (isinstance(period, str) and PERIOD_RE.match(period.strip())):
        shape.problem(
            "survey.period",
            _("The period must be a month written YYYY-MM, for example 2022-06."),
        )
    return SurveySpec(
        code=shape.code(survey.get("code", MISSING), "survey.code", max_length=100),
        period=period.strip() if isinstance(period, str) else "",
        sample_size=shape.positive(
            survey.get("sample_size", MISSING), "survey.sample_size", required=False
        ),
        population_size=shape.positive(
            survey.get("population_size"), "survey.population_size", required=False
        ),
        invitations=_invitations(shape, survey.get("invitations", MISSING)),
    )


# The texts of the `invitations:` block, each {ar, en}, and the longest each may be.
INVITATION_TEXTS = {"sms_text": 160, "email_subject": 200, "email_text": 5000}
INVITATION_NUMBERS = ("valid_days", "reminder_after_days", "max_reminders")
CONTINUOUS = "continuous_sampling"
# The largest seed a person may write (sawt.distribution.sampling.SEED_MAX).
_SEED_MAX = 2**63 - 1


def _invitations(shape: Shape, value: Any) -> InvitationsSpec | None:
    path = "survey.invitations"
    block = shape.mapping(value, path, (), (*INVITATION_NUMBERS, *INVITATION_TEXTS, CONTINUOUS))
    if block is None:
        return None
    valid_days = shape.positive(block.get("valid_days"), f"{path}.valid_days", required=False)
    texts = {}
    for key, longest in INVITATION_TEXTS.items():
        where = f"{path}.{key}"
        pair = block.get(key, MISSING)
        if pair is MISSING or shape.mapping(pair, where, (), ("ar", "en")) is None:
            continue
        for language in ("ar", "en"):
            texts[f"{key}_{language}"] = shape.text(
                pair.get(language), f"{where}.{language}", required=False, max_length=longest
            )
    rate, cap, seed = _continuous(shape, block.get(CONTINUOUS, MISSING), f"{path}.{CONTINUOUS}")
    return InvitationsSpec(
        valid_days=valid_days,
        reminder_after_days=_count(
            shape, block.get("reminder_after_days"), path, "reminder_after_days"
        ),
        max_reminders=_count(shape, block.get("max_reminders"), path, "max_reminders"),
        texts=texts,
        continuous_rate=rate,
        continuous_daily_cap=cap,
        continuous_seed=seed,
    )


def _continuous(
    shape: Shape, value: Any, path: str
) -> tuple[Decimal | None, int | None, int | None]:
    """`continuous_sampling: {rate: 10, daily_cap: 200, seed: 42}`: a rate in percent above 0
    and at most 100 (two decimals at most), an optional daily cap and seed."""
    block = shape.mapping(value, path, ("rate",), ("daily_cap", "seed"))
    if block is None:
        return None, None, None
    written = block.get("rate", MISSING)
    rate: Decimal | None = None
    if written is not MISSING:
        try:
            if isinstance(written, bool) or not isinstance(written, int | float | str):
                raise InvalidOperation
            rate = Decimal(str(written).strip().rstrip("%").strip())
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or not 0 < rate <= 100 or rate != round(rate, 2):
            shape.problem(
                f"{path}.rate",
                _("The rate is a percentage above 0 and at most 100, like 10 or 2.5."),
            )
            rate = None
    cap = shape.positive(block.get("daily_cap", MISSING), f"{path}.daily_cap", required=False)
    seed = None
    if "seed" in block:
        try:
            seed = parse_whole(block["seed"])
        except ValueProblem:
            seed = -1
        if not 0 <= seed <= _SEED_MAX:
            shape.problem(
                f"{path}.seed",
                _("The seed must be a whole number from 0 to %(max)s.") % {"max": _SEED_MAX},
            )
            seed = None
    return rate, cap, seed


def _count(shape: Shape, value: Any, path: str, key: str) -> int | None:
    """A whole number, zero allowed (no reminders); None when absent."""
    if value is None:
        return None
    try:
        number = parse_whole(value)
    except ValueProblem:
        number = -1
    if number < 0 or number > 365:
        shape.problem(
            f"{path}.{key}",
            _("This must be a whole number from 0 to 365, without commas."),
        )
        return None
    return number


def _question(shape: Shape, value: Any, path: str) -> QuestionSpec:
    item = shape.mapping(value, path, ("code", "kind", "text"), ("scale", "stage", "na_values"))
    if item is None:
        return QuestionSpec("", "", "", "", None, None, path)
    kind = item.get("kind", MISSING)
    if "kind" in item and kind not in QuestionKind.values:
        shape.problem(
            f"{path}.kind",
            _("The kind must be one of: %(kinds)s.") % {"kinds": ", ".join(QuestionKind.values)},
        )
    code = shape.code(item.get("code", MISSING), f"{path}.code")
    if taken := code_taken(code):
        shape.problem(f"{path}.code", taken)
    text_ar, text_en = shape.names(item.get("text", MISSING), f"{path}.text")
    stage = item.get("stage")
    stage_code = shape.code(stage, f"{path}.stage") if stage is not None else None
    if kind == QuestionKind.OVERALL and stage is not None:
        shape.problem(f"{path}.stage", _("An overall question stands apart from the stages."))
    scale = _scale(shape, item, kind, path)
    return QuestionSpec(
        code=code,
        kind=kind if kind in QuestionKind.values else "",
        text_ar=text_ar,
        text_en=text_en,
        scale=scale,
        stage_code=stage_code or None,
        path=path,
        na_values=_na_values(shape, item.get("na_values"), scale, f"{path}.na_values"),
    )


def _na_values(shape: Shape, value: Any, scale: tuple[int, int] | None, path: str) -> list[str]:
    """The answer values that mean "not applicable", as text. On a scored question a value
    inside the scale would be both a score and not one: refused."""
    if value is None:
        return []
    good = isinstance(value, list) and all(
        isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip() for v in value
    )
    if not good:
        shape.problem(path, _('This must be a list of answer values, for example [0] or ["99"].'))
        return []
    values = [str(v).strip() for v in value]
    if scale is not None:
        inside = [v for v in values if v.lstrip("-").isdigit() and scale[0] <= int(v) <= scale[1]]
        if inside:
            shape.problem(
                path,
                _(
                    "%(value)s is a score on this question's scale (%(low)s to %(high)s): a "
                    "not-applicable value must lie outside it."
                )
                % {"value": inside[0], "low": scale[0], "high": scale[1]},
            )
            return []
    return values


def code_taken(code: str) -> str | None:
    """Why a question may not have this code (a name with a meaning of its own), or None."""
    if code.lower() in RESERVED_COLUMNS:
        return _("“%(code)s” names a column of the responses file; choose another code.") % {
            "code": code
        }
    if code.lower() in FORM_FIELDS or code.lower().endswith(REASON_SUFFIX):
        return _("“%(code)s” names a field of the public survey form; choose another code.") % {
            "code": code
        }
    return None


def _scale(shape: Shape, item: dict[str, Any], kind: Any, path: str) -> tuple[int, int] | None:
    where = f"{path}.scale"
    if kind == QuestionKind.TEXT:
        if "scale" in item:
            shape.problem(where, _("An open-text question has no scale; remove this key."))
        return None
    if kind not in SCORED_KINDS:
        return None
    if "scale" not in item:
        shape.problem(where, _("A scored question needs a scale, for example [1, 5]."))
        return None
    scale = item["scale"]
    valid = (
        isinstance(scale, list)
        and len(scale) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in scale)
        and MIN_SCORE <= scale[0] < scale[1] <= MAX_SCORE
    )
    if not valid:
        shape.problem(
            where,
            _(
                "The scale must be two whole numbers [lowest, highest] with "
                "%(min)s ≤ lowest < highest ≤ %(max)s, for example [1, 5]."
            )
            % {"min": MIN_SCORE, "max": MAX_SCORE},
        )
        return None
    return scale[0], scale[1]


def check_references(shape: Shape, definition: Definition) -> None:
    """Codes unique within their lists, and every question's stage one of the file's."""
    _check_references(shape, definition)


def _check_references(shape: Shape, definition: Definition) -> None:
    for items in (definition.stages, definition.categories):
        _unique(shape, [(s.code, f"{s.path}.code") for s in items])
    _unique(shape, [(q.code, f"{q.path}.code") for q in definition.questions])
    stage_codes = {s.code for s in definition.stages}
    for question in definition.questions:
        if question.stage_code and question.stage_code not in stage_codes:
            if stage_codes:
                message = _("No stage has the code “%(code)s”; the stages are: %(codes)s.")
            else:
                message = _("No stage has the code “%(code)s”; the file defines no stages.")
            shape.problem(
                f"{question.path}.stage",
                message % {"code": question.stage_code, "codes": ", ".join(sorted(stage_codes))},
            )


def _unique(shape: Shape, codes: list[tuple[str, str]]) -> None:
    # Question codes become column names, which compare without case; so do all codes here.
    first: dict[str, str] = {}
    for code, path in codes:
        key = code.lower()
        if not key:
            continue
        if key in first:
            shape.problem(
                path,
                _("The code “%(code)s” is already used at %(other)s.")
                % {"code": code, "other": first[key]},
            )
        else:
            first[key] = path
