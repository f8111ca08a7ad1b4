"""One journey's sections as the templates show them: names in the active language, figures
formatted by Numbers, charts drawn. Pure functions of the frozen report; no database."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from sawt.core.i18n import pick
from sawt.core.numbers import Numbers
from sawt.gaps.choices import RecommendationStatus
from sawt.reports.charts import Bar, ranked_chart, score_svg
from sawt.reports.dataset import (
    LOW_BASE,
    Category,
    GapRow,
    Item,
    JourneyReport,
    Names,
)
from sawt.surveys.choices import QuestionKind

# The level of every interval the metrics engine computes (stats.t_interval).
CONFIDENCE = 0.95


def local(names: Names | None) -> str:
    """The member of an {ar, en} pair in the active language, falling back to the other."""
    return pick(names.get("ar", ""), names.get("en", "")) if names else ""


def _scale(item: Item) -> tuple[int, int]:
    # The distribution lists every point of the item's scale, answered or not.
    points = [int(p) for p in item.distribution] or [1, 5]
    return min(points), max(points)


def _state(meets: bool | None) -> tuple[str, str]:
    if meets is None:
        return "none", _("no answers")
    return ("meets", _("meets the target")) if meets else ("below", _("below the target"))


def _meta(item: Item, numbers: Numbers) -> list[str]:
    """The number of answers and the interval, one line each (they wrap badly together)."""
    return [
        _("n = %(n)s") % {"n": numbers.count(item.n)},
        _("%(level)s CI %(ci)s")
        % {"level": numbers.level(CONFIDENCE), "ci": numbers.ci(item.ci95)},
    ]


def _tiles(j: JourneyReport, numbers: Numbers) -> list[dict]:
    overall = j.overall
    rate = _("response rate %(rate)s") % {"rate": numbers.pct(j.sample.response_rate)}
    return [
        {"label": _("Survey sent to"), "value": numbers.count(j.sample.sent), "notes": []},
        {"label": _("Responses"), "value": numbers.count(j.sample.responses), "notes": [rate]},
        {
            "label": _("Complaints in the period"),
            "value": numbers.count(j.sample.complaints),
            "notes": [],
        },
        {
            "label": _("Overall satisfaction"),
            "value": numbers.score(overall.mean if overall else None),
            "notes": _meta(overall, numbers) if overall else [],
        },
    ]


def _facts(j: JourneyReport, numbers: Numbers) -> list[dict]:
    s = j.sample
    if s.population:
        margin_note = _(
            "overall satisfaction, %(level)s confidence, corrected for a population of "
            "%(population)s service users"
        ) % {"level": numbers.level(CONFIDENCE), "population": numbers.count(s.population)}
    else:
        margin_note = _("overall satisfaction, %(level)s confidence") % {
            "level": numbers.level(CONFIDENCE)
        }
    # Only what the sample's tiles do not show: the invitations, responses and complaints are
    # tiles right below, and a reader should not meet the same figures twice on one page.
    return [
        {
            "label": _("Margin of error"),
            "value": numbers.margin(s.margin_of_error),
            "note": margin_note,
        },
        {
            "label": _("Participatory workshops"),
            "value": numbers.count(s.workshops),
            "note": _("%(participants)s participants, %(notes)s notes recorded")
            % {
                "participants": numbers.count(s.workshop_participants),
                "notes": numbers.count(s.workshop_notes),
            },
        },
    ]


def _voice(
    categories: Sequence[Category], *, title: str, note: str, numbers: Numbers, rtl: bool
) -> dict:
    bars = [
        Bar(local(c.name), numbers.count(c.count), numbers.pct(c.share), float(c.count))
        for c in categories
    ]
    quoted = next((c for c in categories if c.quote), None)
    return {
        "title": title,
        "note": note,
        "chart": ranked_chart(bars, rtl=rtl, caption=title if bars else _("Nothing classified.")),
        "quote": quoted.quote if quoted else "",
        "quote_caption": _("A customer's words, as written, about “%(about)s”.")
        % {"about": local(quoted.name)}
        if quoted
        else "",
    }


def _item(item: Item, *, target: float, numbers: Numbers, rtl: bool) -> dict:
    state, state_label = _state(item.meets_target)
    return {
        "code": item.code,
        "below_target": item.meets_target is False,
        "text": local(item.text),
        "kind": QuestionKind(item.kind).label if item.kind in QuestionKind.values else item.kind,
        "effort": item.kind == QuestionKind.EFFORT,
        "score": numbers.score(item.mean),
        "meta": _meta(item, numbers),
        "low_base": item.low_base,
        "low_base_label": _("low base: fewer than %(n)s answers") % {"n": numbers.count(LOW_BASE)},
        "state": state,
        "state_label": state_label,
        "svg": score_svg(
            item.mean,
            item.ci95,
            scale=_scale(item),
            target=target,
            meets=item.meets_target,
            rtl=rtl,
        ),
    }


def _stages(j: JourneyReport, numbers: Numbers, rtl: bool) -> list[dict]:
    return [
        {
            "step": numbers.count(i),
            "name": local(stage.name),
            "mean_label": _("Stage score %(score)s") % {"score": numbers.score(stage.mean)},
            "state": _state(stage.meets_target)[0],
            "items": [_item(it, target=j.target, numbers=numbers, rtl=rtl) for it in stage.items],
        }
        for i, stage in enumerate(j.stages, 1)
    ]


def _map_rows(stages: list[dict]) -> list[list[dict | None]]:
    """The journey map as rows: row i holds the i-th item of every stage (or None). A table
    paginates row by row and repeats its header; flex columns taller than a page do not."""
    depth = max((len(s["items"]) for s in stages), default=0)
    return [[s["items"][i] if i < len(s["items"]) else None for s in stages] for i in range(depth)]


def _status_label(status: str) -> str:
    # The labels are lower case for use inside sentences; a table cell starts with a capital.
    return capfirst(str(RecommendationStatus(status).label))


def _summary_status(j: JourneyReport, numbers: Numbers) -> str:
    if j.status:
        return _status_label(j.status)
    if not j.recommendation_count:
        return _("no recommendation yet")
    return " · ".join(
        _("%(status)s: %(count)s") % {"status": _status_label(s), "count": numbers.count(n)}
        for s, n in j.by_status.items()
        if n
    )


def _gap(gap: GapRow, numbers: Numbers) -> dict:
    recs = [
        {
            "decision": local(r.text),
            "owner": local(r.owner),
            "status": _status_label(r.status),
            "code": r.status,
        }
        for r in gap.recommendations
    ]
    if not recs:
        recs = [{"decision": "—", "owner": "—", "status": _("no recommendation yet"), "code": ""}]
    return {
        "number": numbers.count(gap.number),
        "feedback": local(gap.feedback),
        "stage": local(gap.stage),
        "recs": recs,
    }


def journey_context(
    j: JourneyReport, *, numbers: Numbers, rtl: bool, title: str, period: str
) -> dict:
    """One journey's sections, ready for the templates."""
    name = local(j.name)
    stages = _stages(j, numbers, rtl)
    return {
        "slug": j.slug,
        "anchor": f"journey-{j.slug}",
        "name": name,
        "agency": local(j.agency),
        "running": f"{title} · {name} · {period}",
        "tiles": _tiles(j, numbers),
        "facts": _facts(j, numbers),
        "voice": [
            _voice(
                j.complaint_categories,
                title=_("Top gap categories (reasons for dissatisfaction) from complaint analysis"),
                note=_("Complaints of the period by reason; the share is of all complaints."),
                numbers=numbers,
                rtl=rtl,
            ),
            _voice(
                j.survey_categories,
                title=_("Top gap categories (reasons for dissatisfaction) from the survey"),
                note=_("Open answers by reason; the share is of all open answers."),
                numbers=numbers,
                rtl=rtl,
            ),
        ],
        "stages": stages,
        "map_rows": _map_rows(stages),
        "legend": _(
            "Target %(target)s. Each card gives the score (the mean), the number of answers n "
            "and the %(level)s confidence interval; its bar shows the interval as a band, the "
            "score as a mark and the target as a line."
        )
        % {"target": numbers.score(j.target), "level": numbers.level(CONFIDENCE)},
        "summary": {
            "gaps": numbers.count(j.gap_count),
            "recs": numbers.count(j.recommendation_count),
            "status": _summary_status(j, numbers),
        },
        "gaps": [_gap(g, numbers) for g in j.gaps],
    }


def method_notes(
    journeys: Sequence[JourneyReport], *, target: float, numbers: Numbers
) -> list[str]:
    """How to read the figures: the scale, the interval, the low base and the target."""
    scales = {_scale(i) for j in journeys for s in j.stages for i in s.items}
    if len(scales) == 1:
        low, high = scales.pop()
        scale = _(
            "Scores are means on a scale from %(low)s to %(high)s; higher is better, and for "
            "effort items a higher score means less effort."
        ) % {"low": numbers.count(low), "high": numbers.count(high)}
    else:
        scale = _(
            "Scores are means on each item's own scale; higher is better, and for effort items "
            "a higher score means less effort."
        )
    return [
        scale,
        _(
            "Each score is shown to one decimal with its number of answers (n) and its "
            "%(level)s confidence interval (t interval)."
        )
        % {"level": numbers.level(CONFIDENCE)},
        _(
            "Items answered by fewer than %(n)s people are marked as a low base: read them "
            "with care."
        )
        % {"n": numbers.count(LOW_BASE)},
        _("The target is %(target)s: each item is marked as meeting it or falling below it.")
        % {"target": numbers.score(target)},
    ]
