"""Two figures about a survey's responses, kept up to date as responses are written instead of
counted at every read:

- `Survey.empty_responses`: responses with no answer other than "not applicable" (a row of
  blanks, or of not-applicable values only). Completed responses, the response rate's
  numerator, are the responses minus these.
- `Survey.respondent_groups`: `{attribute: {value: responses}}` over the responses'
  attributes, which the segment picker lists and the minimum group size is checked against.
- `Survey.responses_version`, moved on by every write: what is computed from the respondents'
  answers themselves (the key drivers) is kept until it moves.

Counting both at read time meant an anti-join and a GROUP BY per attribute over every response:
about 1.5 s of the journey page's 2 s on a survey of a million responses (docs/benchmarks.md).
The writers (the file and API imports, the public form) take turns on a survey, so a tally
updated inside their transaction cannot drift; `tallies_recount` rebuilds both from the records
(the migration that added them uses it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Exists, F, OuterRef

from sawt.surveys.models import Answer, Response, Survey

# Response ids per query: well under SQLite's limit on bound parameters.
CHUNK = 5000


def group_value(value: Any) -> str | None:
    """An attribute's value as the segment filter reads it (JSON text), or None to skip it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value) if str(value).strip() else None  # a blank is no group
    return None


def _groups(attributes: Iterable[Mapping[str, Any] | None]) -> Counter[tuple[str, str]]:
    counted: Counter[tuple[str, str]] = Counter()
    for attrs in attributes:
        for name, value in (attrs or {}).items():
            text = group_value(value)
            if text is not None:
                counted[(name, text)] += 1
    return counted


def has_answer() -> Exists:
    """A response filter: it has at least one answer that is not "not applicable" (what makes
    it a completed response)."""
    return Exists(Answer.objects.filter(response=OuterRef("pk")).exclude(not_applicable=True))


def _empty(response_ids: list[int]) -> int:
    """How many of these responses have no answer other than "not applicable"."""
    return sum(
        Response.objects.filter(id__in=response_ids[i : i + CHUNK]).exclude(has_answer()).count()
        for i in range(0, len(response_ids), CHUNK)
    )


def _stored_attributes(response_ids: list[int]) -> list[Any]:
    return [
        attrs
        for i in range(0, len(response_ids), CHUNK)
        for attrs in Response.objects.filter(id__in=response_ids[i : i + CHUNK]).values_list(
            "attributes", flat=True
        )
    ]


def tallies_before(response_ids: list[int]) -> tuple[int, Counter[tuple[str, str]]]:
    """What responses about to be rewritten count for now: (empty ones, their groups)."""
    if not response_ids:
        return 0, Counter()
    return _empty(response_ids), _groups(_stored_attributes(response_ids))


def tallies_update(
    survey: Survey,
    *,
    response_ids: list[int],
    attributes: Iterable[Mapping[str, Any] | None] | None = None,
    before: tuple[int, Counter[tuple[str, str]]] | None = None,
) -> None:
    """Move the survey's tallies by what these responses count for now, less what they counted
    `before` they were rewritten (nothing, for new ones). `attributes`, when the writer has
    them at hand, are the responses' attributes as written (else they are read back). Inside
    the writer's transaction."""
    if not response_ids:
        return
    empty_before, groups_before = before or (0, Counter())
    empty_delta = _empty(response_ids) - empty_before
    groups_delta = _groups(_stored_attributes(response_ids) if attributes is None else attributes)
    groups_delta.subtract(groups_before)
    stored = Survey.objects.select_for_update().only("respondent_groups").get(pk=survey.pk)
    if stored.respondent_groups is None:  # never counted: count everything once
        tallies_recount(survey)
        return
    groups: dict[str, dict[str, int]] = {
        name: dict(values) for name, values in stored.respondent_groups.items()
    }
    for (name, value), delta in groups_delta.items():
        if not delta:
            continue
        values = groups.setdefault(name, {})
        values[value] = values.get(value, 0) + delta
        if values[value] <= 0:
            del values[value]
        if not values:
            del groups[name]
    Survey.objects.filter(pk=survey.pk).update(
        empty_responses=F("empty_responses") + empty_delta,
        respondent_groups=groups,
        responses_version=F("responses_version") + 1,
    )


def tallies_recount(survey: Survey) -> None:
    """Both tallies counted again from the records."""
    ids = list(Response.objects.filter(survey=survey).values_list("id", flat=True))
    groups: dict[str, dict[str, int]] = {}
    for (name, value), n in _groups(_stored_attributes(ids)).items():
        groups.setdefault(name, {})[value] = n
    Survey.objects.filter(pk=survey.pk).update(
        empty_responses=_empty(ids),
        respondent_groups=groups,
        responses_version=F("responses_version") + 1,
    )
