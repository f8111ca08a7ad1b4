"""Segments: the respondents who share one attribute value (region = الرياض, channel = sms).

A response file's extra columns are kept on each response as `attributes` (a JSON object of
texts). A segment filters the answers through that object; the database reads the key with
its own JSON functions (SQLite JSON_EXTRACT, PostgreSQL ->>), the key passed as a parameter.

Small groups identify people: a value held by fewer than SAWT_MIN_SEGMENT respondents (default
10) is never shown, not even by name, and a segment under that size is refused wherever it is
asked for (the summary, the journey page, the report).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils.translation import gettext as _

from sawt.core.exceptions import ApplicationError
from sawt.metrics import stats
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Answer, Question, Response, Survey
from sawt.surveys.services.tallies import has_answer

# An attribute name as an import writes it: letters (any script), digits, _, -, . and spaces.
_NAME = re.compile(r"\w[\w\-. ]{0,99}")
# Attribute names are read from this many first and last responses of a survey: one import
# writes the same columns for every row, so both ends of the table show every file's columns.
NAME_SAMPLE = 500
ALPHA = 0.05


def min_segment() -> int:
    """The smallest segment shown (SAWT_MIN_SEGMENT, default 10)."""
    return int(getattr(settings, "SAWT_MIN_SEGMENT", 10))


def min_n() -> int:
    """The smallest base for a significance test (SAWT_MIN_N, default 30)."""
    return int(getattr(settings, "SAWT_MIN_N", 30))


@dataclass(frozen=True)
class Segment:
    """The respondents whose attribute `attribute` is `value`."""

    attribute: str
    value: str

    def __str__(self) -> str:
        return f"{self.attribute}={self.value}"


def parse_segment(text: str) -> Segment:
    """`ATTRIBUTE=VALUE` (the value may itself hold '='), e.g. `region=الرياض`."""
    attribute, sep, value = (text or "").partition("=")
    attribute, value = attribute.strip(), value.strip()
    if not sep or not attribute or not value:
        raise ApplicationError(
            _("A segment is written ATTRIBUTE=VALUE, for example region=Riyadh; got “%(text)s”.")
            % {"text": text}
        )
    if not _NAME.fullmatch(attribute):
        raise ApplicationError(
            _(
                "“%(name)s” is not an attribute name: use letters, digits, spaces, "
                "'_', '-' and '.' only."
            )
            % {"name": attribute}
        )
    return Segment(attribute, value)


def attribute_names(survey: Survey) -> list[str]:
    """The attribute names the survey's responses carry, sorted."""
    if survey.respondent_groups is not None:  # kept by the writers (surveys/services/tallies)
        return sorted(k for k in survey.respondent_groups if _NAME.fullmatch(k))
    responses = Response.objects.filter(survey=survey)
    names: set[str] = set()
    for order in ("id", "-id"):
        for attributes in responses.order_by(order).values_list("attributes", flat=True)[
            :NAME_SAMPLE
        ]:
            if isinstance(attributes, dict):
                names.update(k for k in attributes if _NAME.fullmatch(k))
    return sorted(names)


def attribute_counts(
    survey: Survey, names: Iterable[str] | None = None
) -> dict[str, dict[str, int]]:
    """{attribute: {value: responses}} for every attribute of the survey, every value (small
    ones included: for internal use; show only `segment_attributes`). Read from the survey's
    tally, kept as responses are written: a GROUP BY per attribute over a million responses
    took a quarter of a second each."""
    if survey.respondent_groups is not None:
        groups = survey.respondent_groups
        return {
            name: dict(groups.get(name, {}))
            for name in (attribute_names(survey) if names is None else names)
        }
    counts: dict[str, dict[str, int]] = {}
    responses = Response.objects.filter(survey=survey)
    for name in attribute_names(survey) if names is None else names:
        rows = (
            responses.annotate(v=KeyTextTransform(name, "attributes"))
            .filter(v__isnull=False)
            .values("v")
            .annotate(c=Count("id"))
            .values_list("v", "c")
        )
        counts[name] = {str(v): c for v, c in rows if str(v).strip()}
    return counts


def segment_attributes(survey: Survey) -> dict[str, list[tuple[str, int]]]:
    """{attribute: [(value, respondents)]} of the values a person may filter by: those held by
    at least SAWT_MIN_SEGMENT respondents, largest first (`segment_picker` says how many
    smaller groups were hidden)."""
    return {a["attribute"]: a["values"] for a in segment_picker(survey)}


def segment_picker(survey: Survey) -> list[dict]:
    """The picker's choices: `[{attribute, values: [(value, n)], hidden}]`, `hidden` being how
    many values fell under SAWT_MIN_SEGMENT (they are not named)."""
    floor = min_segment()
    picker = []
    for name, values in attribute_counts(survey).items():
        shown = sorted(
            ((v, n) for v, n in values.items() if n >= floor), key=lambda p: (-p[1], p[0])
        )
        picker.append({"attribute": name, "values": shown, "hidden": len(values) - len(shown)})
    return picker


def in_segment(responses: QuerySet[Response], segment: Segment) -> QuerySet[Response]:
    """Those of `responses` in the segment: the one place a segment becomes a filter, for one
    survey (the summary) or several (the trend)."""
    # A JSON key lookup (the value compared as JSON text on every database), built from the
    # expression rather than `attributes__<name>` so a name holding "__" stays one key.
    return responses.alias(segment_value=KeyTransform(segment.attribute, "attributes")).filter(
        segment_value=segment.value
    )


def segment_responses(survey: Survey, segment: Segment) -> QuerySet[Response]:
    """The survey's responses in the segment."""
    return in_segment(Response.objects.filter(survey=survey), segment)


def segment_check(survey: Survey, segment: Segment) -> int:
    """The segment's number of respondents, or an error when the survey has no such attribute
    or the segment is under SAWT_MIN_SEGMENT (its respondents could be recognised)."""
    if segment.attribute not in attribute_names(survey):
        known = ", ".join(attribute_names(survey)) or "—"
        raise ApplicationError(
            _(
                "The survey's responses have no attribute “%(name)s”. "
                "Attributes they have: %(known)s."
            )
            % {"name": segment.attribute, "known": known}
        )
    n = segment_responses(survey, segment).count()
    if n < min_segment():
        # The same message for 0 and for 9: whether a small group exists is itself not shown.
        raise ApplicationError(
            _(
                "The segment %(segment)s is not shown: fewer than %(min)s respondents are in "
                "it, and a group that small could identify them."
            )
            % {"segment": str(segment), "min": min_segment()}
        )
    return n


def answer_counts(
    question_ids: Iterable[int], responses: QuerySet[Response]
) -> dict[int, dict[int, int]]:
    """{question id: {score: count}} over the answers of `responses`: the same shape as the
    counts the database keeps for every respondent (selectors.score_counts), which a segment
    cannot use. One GROUP BY over the (question, score) index, narrowed by the response."""
    rows = (
        Answer.objects.filter(
            question_id__in=list(question_ids),
            score__isnull=False,
            response_id__in=responses.values("id"),
        )
        .values("question_id", "score")
        .annotate(c=Count("id"))
        .order_by()
        .values_list("question_id", "score", "c")
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, score, c in rows:
        if score is not None:  # filtered out above; the column itself is nullable
            counts[question_id][score] = c
    return counts


def segment_score_counts(
    question_ids: Iterable[int], survey: Survey, segment: Segment
) -> dict[int, dict[int, int]]:
    """{question id: {score: count}} over the segment's answers."""
    return answer_counts(question_ids, segment_responses(survey, segment))


def _cell(
    code: str, inside: dict[int, int], everyone: dict[int, int], scale: tuple[int, int]
) -> dict:
    rest_counts = {s: c - inside.get(s, 0) for s, c in everyone.items() if c - inside.get(s, 0)}
    seg, rest = stats.item_stats(inside, scale), stats.item_stats(rest_counts, scale)
    # The rest is a group too: when nearly everyone is in the segment, its few others would be
    # recognisable from their mean.
    rest_shown = rest.n >= min_segment()
    cell = {
        "code": code,
        "n": seg.n,
        "mean": seg.mean,
        "rest_n": rest.n if rest_shown else None,
        "rest_mean": rest.mean if rest_shown else None,
        "difference": None,
        "p": None,
        "p_adjusted": None,
        "significant": False,
        "direction": None,
        "low_base": True,
    }
    floor = min_n()
    if (
        rest_shown
        and seg.n >= floor
        and rest.n >= floor
        and seg.sd is not None
        and rest.sd is not None
    ):
        assert seg.mean is not None and rest.mean is not None
        test = stats.welch_t_test(seg.n, seg.mean, seg.sd, rest.n, rest.mean, rest.sd)
        # No test when both groups are constant (stats.welch_t_test): the means say it all.
        cell.update(difference=seg.mean - rest.mean, p=test[2] if test else None, low_base=False)
    elif rest_shown and seg.mean is not None and rest.mean is not None:
        cell["difference"] = seg.mean - rest.mean
    return cell


def segment_comparison(survey: Survey, attribute: str) -> dict:
    """Each shown value of `attribute` against the rest of the respondents, on the overall
    score and every scored item: Welch's t-test where both groups have SAWT_MIN_N answers,
    Holm-adjusted across all the values and items of the table (docs/summary.md).

    `{attribute, alpha, min_n, hidden, items: [codes], segments: [{value, n, overall, items}]}`,
    a cell being `{code, n, mean, rest_n, rest_mean, difference, p, p_adjusted, significant,
    direction, low_base}`."""
    names = attribute_names(survey)
    if attribute not in names:
        raise ApplicationError(
            _(
                "The survey's responses have no attribute “%(name)s”. "
                "Attributes they have: %(known)s."
            )
            % {"name": attribute, "known": ", ".join(names) or "—"}
        )
    values = attribute_counts(survey, [attribute])[attribute]
    floor = min_segment()
    shown = sorted(((v, n) for v, n in values.items() if n >= floor), key=lambda p: (-p[1], p[0]))
    questions = [
        q
        for q in Question.objects.filter(survey=survey).exclude(kind=QuestionKind.TEXT)
        if q.scale_min is not None and q.scale_max is not None
    ]
    questions.sort(key=lambda q: (q.kind != QuestionKind.OVERALL, q.position, q.id))
    rows = (
        Answer.objects.filter(question_id__in=[q.id for q in questions], score__isnull=False)
        .annotate(v=KeyTextTransform(attribute, "response__attributes"))
        .values("v", "question_id", "score")
        .annotate(c=Count("id"))
        .values_list("v", "question_id", "score", "c")
    )
    everyone: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_value: dict[str, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for v, qid, score, c in rows:
        if score is None:
            continue
        everyone[qid][score] += c
        if v is not None:
            by_value[str(v)][qid][score] = c
    segments = []
    cells = []
    for value, n in shown:
        row_cells = [
            _cell(
                q.code,
                by_value[value].get(q.id, {}),
                everyone.get(q.id, {}),
                stats.scored_scale(q.scale_min, q.scale_max),
            )
            for q in questions
        ]
        cells.extend(row_cells)
        overall = row_cells[0] if questions and questions[0].kind == QuestionKind.OVERALL else None
        segments.append(
            {
                "value": value,
                "n": n,
                "overall": overall,
                "items": row_cells[1:] if overall else row_cells,
            }
        )
    tested = [c for c in cells if c["p"] is not None]
    for cell, adjusted in zip(tested, stats.holm([c["p"] for c in tested]), strict=True):
        cell["p_adjusted"] = adjusted
        cell["significant"] = adjusted < ALPHA
        if cell["significant"]:
            cell["direction"] = "higher" if cell["difference"] > 0 else "lower"
    return {
        "attribute": attribute,
        "alpha": ALPHA,
        "min_n": min_n(),
        "hidden": len(values) - len(shown),
        "items": [q.code for q in questions],
        "segments": segments,
    }


def segment_not_applicable(
    question_ids: Iterable[int], survey: Survey, segment: Segment
) -> dict[int, int]:
    """{question id: the segment's answers recorded as not applicable}."""
    rows = (
        Answer.objects.filter(
            question_id__in=list(question_ids),
            score__isnull=True,
            not_applicable=True,
            response_id__in=segment_responses(survey, segment).values("id"),
        )
        .values("question_id")
        .annotate(c=Count("id"))
        .values_list("question_id", "c")
    )
    return dict(rows)


def segment_completed(survey: Survey, segment: Segment) -> int:
    """The segment's responses with at least one answer that is not "not applicable" (as the
    survey's `completed`)."""
    return segment_responses(survey, segment).filter(has_answer()).count()


def segment_params(request: Any) -> tuple[Segment | None, str | None]:
    """The segment (?segment=ATTR=VALUE) and the attribute to compare (?compare=ATTR) a page or
    report was asked for; a malformed one is an ApplicationError. Whether the survey has them
    is checked where they are used."""
    text = (request.GET.get("segment") or "").strip()
    compare = (request.GET.get("compare") or "").strip() or None
    if compare is not None and not _NAME.fullmatch(compare):
        raise ApplicationError(_("“%(name)s” is not an attribute name.") % {"name": compare})
    return (parse_segment(text) if text else None), compare
