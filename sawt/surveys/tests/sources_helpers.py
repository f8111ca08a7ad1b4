"""What the tests of the Kobo, ODK and Qualtrics sources share: the example survey with the
tool's choice names on its questions, and a look at what was stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sawt.surveys.models import Response, Survey
from sawt.surveys.services import survey_definition_import

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
CODE = "cc-2022-07"
SATISFACTION = {
    "very_dissatisfied": 1,
    "dissatisfied": 2,
    "neutral": 3,
    "satisfied": 4,
    "very_satisfied": 5,
}
EFFORT = {"very_high": 1, "high": 2, "moderate": 3, "low": 4, "very_low": 5}


def contractors_survey(
    choices: dict[str, dict[str, int]] | None = None, source_keys: dict[str, str] | None = None
) -> Survey:
    """docs/examples' survey; scored questions get Kobo-style choice names unless `choices`
    gives {kind: choices}."""
    survey = survey_definition_import(path=EXAMPLES / "contractor-classification.yaml").survey
    by_kind = choices if choices is not None else {"effort": EFFORT}
    for question in survey.questions.all():
        if question.kind != "text":
            question.choices = by_kind.get(question.kind, by_kind.get("*", SATISFACTION))
        question.source_key = (source_keys or {}).get(question.code, "")
        question.save(update_fields=["choices", "source_key"])
    return survey


def stored() -> dict[str, dict[str, Any]]:
    """Each respondent: time, attributes and {question code: score or text}."""
    out = {}
    for response in Response.objects.prefetch_related("answers__question"):
        out[response.respondent_id] = {
            "submitted_at": response.submitted_at,
            "attributes": response.attributes,
            "answers": {
                a.question.code: a.score if a.score is not None else a.text
                for a in response.answers.all()
            },
        }
    return out


def everything_stored() -> str:
    """Every attribute and answer text stored, as one string to search for leaks."""
    texts = [repr(r.attributes) for r in Response.objects.all()]
    texts += [a.text for r in Response.objects.all() for a in r.answers.all()]
    return "\n".join(texts)
