"""The public survey form's fields and layout: what a person posts, and how the items appear.

The posted form is plain HTML, so that it works without JavaScript: each scored question is a
radio group named by its `code` (values are the scores), each open question a text box named by
its `code`, each scored question's optional "what went wrong?" box `<code>__why`; `partial=1`
saves without sending; `website` is the honeypot (hidden from people, filled only by bots).
These fields only carry text of bounded length: the answers themselves are checked by the
import's checks, in `response_submit`, so the form and an import can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from sawt.surveys.choices import REASON_SUFFIX, QuestionKind
from sawt.surveys.models import Question, Survey

# A long open answer still fits; a pasted book does not.
TEXT_MAX = 4000
HONEYPOT = "website"
# The anonymous link's signed key (sawt.distribution.services.form.open_key_new).
OPEN_KEY = "form_key"


class LanguageParam(forms.Form):
    """`?lang=` on the form's pages: the language switch, which needs no sign-in."""

    lang = forms.ChoiceField(choices=[("ar", "ar"), ("en", "en")], required=False)


class AnswersForm(forms.Form):
    """What the form posts; built for one survey's questions."""

    partial = forms.BooleanField(required=False)
    website = forms.CharField(required=False, max_length=500)
    form_key = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            if question.kind == QuestionKind.TEXT:
                self.fields[question.code] = forms.CharField(
                    required=False, max_length=TEXT_MAX, strip=False
                )
            else:
                # A score's longest spelling (e.g. "10.0"); the scale is checked by the import's
                # checks, with their message.
                self.fields[question.code] = forms.CharField(required=False, max_length=8)
                self.fields[question.code + REASON_SUFFIX] = forms.CharField(
                    required=False, max_length=TEXT_MAX, strip=False
                )

    def values(self) -> dict[str, str]:
        """The answers posted ({field name: text}), once the form is valid."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("partial", HONEYPOT, OPEN_KEY)
        }

    def field_errors(self) -> dict[str, list[str]]:
        return {name: [str(e) for e in errors] for name, errors in self.errors.items()}


@dataclass
class Point:
    """One point of a scale: its value and, at the ends, its words."""

    value: int
    anchor: str = ""


@dataclass
class Item:
    """One question as the form shows it."""

    question: Question
    name: str
    text: str
    value: str = ""
    errors: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    # Scored items: the highest score that reveals the "what went wrong?" box.
    anchor_low: str = ""
    anchor_high: str = ""
    low_max: int | None = None
    why_name: str = ""
    why_value: str = ""
    why_errors: list[str] = field(default_factory=list)

    @property
    def is_text(self) -> bool:
        return self.question.kind == QuestionKind.TEXT


@dataclass
class Section:
    """Items under one heading: a journey stage, the overall view, or the open questions."""

    heading: str
    items: list[Item]


def anchors(kind: str) -> tuple[str, str]:
    """The words at both ends of a scale, by what it measures (stored higher is better)."""
    if kind == QuestionKind.EFFORT:
        return _("A great deal of effort"), _("Very little effort")
    if kind == QuestionKind.NPS:
        return _("Not at all likely"), _("Extremely likely")
    return _("Not at all satisfied"), _("Very satisfied")


def low_max(question: Question) -> int:
    """Scores up to this one ask "what went wrong?": the lowest quarter of the scale (1 and 2
    on 1–5, 0 to 2 on 0–10)."""
    low, high = question.scale_min or 0, question.scale_max or 0
    return low + (high - low) // 4


def _item(question: Question, values: Mapping[str, Any], errors: Mapping[str, list[str]]) -> Item:
    code = question.code
    item = Item(
        question=question,
        name=code,
        text=question.text,
        value=str(values.get(code) or ""),
        errors=list(errors.get(code, [])),
    )
    if question.kind != QuestionKind.TEXT:
        low, high = question.scale_min or 0, question.scale_max or 0
        first, last = anchors(question.kind)
        item.points = [Point(v) for v in range(low, high + 1)]
        item.points[0].anchor, item.points[-1].anchor = first, last
        item.anchor_low, item.anchor_high = first, last
        item.low_max = low_max(question)
        item.why_name = code + REASON_SUFFIX
        item.why_value = str(values.get(item.why_name) or "")
        item.why_errors = list(errors.get(item.why_name, []))
    return item


def form_sections(
    survey: Survey, values: Mapping[str, Any], errors: Mapping[str, list[str]]
) -> list[Section]:
    """The form's items: each journey stage in order under its name (its scored and open items
    in the definition's order), then the items of no stage ("Overall"), then the open
    questions of no stage. The overall view comes after the stages: a person judges the whole
    once they have recalled each step."""
    questions = list(survey.questions.select_related("stage").order_by("position", "id"))
    staged = [q for q in questions if q.stage is not None]
    stages = sorted({q.stage for q in staged if q.stage}, key=lambda s: (s.position, s.pk))
    sections = [
        Section(stage.name, [_item(q, values, errors) for q in staged if q.stage_id == stage.pk])
        for stage in stages
    ]
    overall = [q for q in questions if q.stage is None and q.kind != QuestionKind.TEXT]
    if overall:
        sections.append(Section(_("Overall"), [_item(q, values, errors) for q in overall]))
    open_ = [q for q in questions if q.stage is None and q.kind == QuestionKind.TEXT]
    if open_:
        sections.append(Section(_("In your own words"), [_item(q, values, errors) for q in open_]))
    return sections


def answered(sections: list[Section]) -> tuple[int, int]:
    """(questions answered, questions in all), for the progress indicator."""
    items = [item for section in sections for item in section.items]
    return sum(1 for item in items if item.value.strip()), len(items)
