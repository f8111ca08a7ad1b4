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
    TOP_CATEGORIES,
    Category,
    GapRow,
    Item,
    JourneyReport,
    Names,
    Stage,
)
from sawt.reports.director_section import director_lines
from sawt.reports.matrix_chart import drivers_context, segment_banner, segments_context
from sawt.reports.trend_section import trend_context
from sawt.surveys.choices import QuestionKind

# The level of every interval the metrics engine computes (stats.t_interval).
CONFIDENCE = 0.95


def local(names: Names | None) -> str:
    """The member of an {ar, en} pair in the active language, falling back to the other."""
    return pick(names.get("ar", ""), names.get("en", "")) if names else ""


# The net promoter score's own range, on which an NPS item's bar is drawn.
NPS_RANGE = (-100, 100)


def _scale(item: Item) -> tuple[int, int]:
    return item.scale


def _state(meets: bool | None) -> tuple[str, str]:
    if meets is None:
        return "none", _("no answers")
    return ("meets", _("meets the target")) if meets else ("below", _("below the target"))


def _meta(item: Item, numbers: Numbers) -> list[str]:
    """The number of answers (and of "not applicable" ones) and the interval, one line each
    (they wrap badly together); a low base says so instead of an interval."""
    n = _("n = %(n)s") % {"n": numbers.count(item.n)}
    if item.not_applicable:
        n = _("n = %(n)s (%(na)s not applicable)") % {
            "n": numbers.count(item.n),
            "na": numbers.count(item.not_applicable),
        }
    if item.nps is not None:
        lines = [
            n,
            _("promoters %(promoters)s, detractors %(detractors)s")
            % {
                "promoters": numbers.pct(item.nps.promoters),
                "detractors": numbers.pct(item.nps.detractors),
            },
        ]
        if item.nps.moe95 is not None:
            lines.append(
                _("%(level)s margin %(margin)s points")
                % {"level": numbers.level(CONFIDENCE), "margin": numbers.margin(item.nps.moe95)}
            )
        return lines
    if item.ci95 is None and item.n:
        return [n, _("no confidence interval")]
    return [
        n,
        _("%(level)s CI %(ci)s")
        % {"level": numbers.level(CONFIDENCE), "ci": numbers.ci(item.ci95)},
    ]


def item_score(item: Item, numbers: Numbers) -> str:
    """An item's headline figure beside its target: an NPS item's net score, else its mean
    (two decimals where one would round it up to a target it misses)."""
    if item.nps is not None:
        return numbers.nps(item.nps.score)
    return numbers.score_against(item.mean, item.target)


def _tiles(j: JourneyReport, numbers: Numbers) -> list[dict]:
    overall = j.overall
    rate = _("response rate (completed ÷ invited) %(rate)s") % {
        "rate": numbers.pct(j.sample.response_rate)
    }
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
            "value": item_score(overall, numbers) if overall else numbers.score(None),
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


def _figures(c: Category, numbers: Numbers) -> str:
    """A category's share, and how many distinct complaints stand behind its count where
    near-duplicates were merged (the same complaint sent twice counts once there)."""
    share = numbers.pct(c.share)
    if c.groups is None or c.groups == c.count:
        return share
    return _("%(share)s (%(groups)s without repeats)") % {
        "share": share,
        "groups": numbers.count(c.groups),
    }


def _voice(
    categories: Sequence[Category],
    *,
    title: str,
    note: str,
    numbers: Numbers,
    rtl: bool,
    tied: bool = False,
) -> dict:
    bars = [
        Bar(local(c.name), numbers.count(c.count), _figures(c, numbers), float(c.count))
        for c in categories
    ]
    if tied:
        note = " ".join(
            (
                note,
                _(
                    "More than %(top)s reasons are shown: those tied at the cut with the last "
                    "one are all listed."
                )
                % {"top": numbers.count(TOP_CATEGORIES)},
            )
        )
    quoted = next((c for c in categories if c.quote), None)
    return {
        "title": title,
        "note": note,
        "tied": tied,
        "chart": ranked_chart(bars, rtl=rtl, caption=title if bars else _("Nothing classified.")),
        "quote": quoted.quote if quoted else "",
        "quote_caption": _("A customer's words, as written, about “%(about)s”.")
        % {"about": local(quoted.name)}
        if quoted
        else "",
    }


def _item(item: Item, *, min_n: int, numbers: Numbers, rtl: bool) -> dict:
    state, state_label = _state(item.meets_target)
    score: float | None
    band: tuple[float, float] | None
    if item.nps is not None:
        score, scale = item.nps.score, NPS_RANGE
        margin = item.nps.moe95
        band = (score - margin, score + margin) if margin is not None else None
    else:
        score, scale, band = item.mean, _scale(item), item.ci95
    return {
        "code": item.code,
        "below_target": item.meets_target is False,
        "text": local(item.text),
        "kind": QuestionKind(item.kind).label if item.kind in QuestionKind.values else item.kind,
        "effort": item.kind == QuestionKind.EFFORT,
        "nps": item.nps is not None,
        "score": item_score(item, numbers),
        "meta": _meta(item, numbers),
        "low_base": item.low_base,
        "low_base_label": _("low base: fewer than %(n)s answers") % {"n": numbers.count(min_n)},
        "state": state,
        "state_label": state_label,
        "svg": score_svg(
            score,
            band,
            scale=scale,
            target=item.target if item.target is not None else scale[1],
            meets=item.meets_target,
            rtl=rtl,
        ),
    }


def _stage_label(stage: Stage, numbers: Numbers) -> str:
    if stage.mean is None:
        return _("Stage score %(score)s") % {"score": numbers.score(None)}
    return _("Stage score %(score)s (smallest n = %(n)s)") % {
        "score": numbers.score_against(stage.mean, stage.target),
        "n": numbers.count(stage.n_min),
    }


def _stages(j: JourneyReport, numbers: Numbers, rtl: bool) -> list[dict]:
    return [
        {
            "step": numbers.count(i),
            "name": local(stage.name),
            "mean_label": _stage_label(stage, numbers),
            "low_base": stage.low_base,
            "low_base_label": _("low base: fewer than %(n)s answers")
            % {"n": numbers.count(j.min_n)},
            "excluded_label": _("%(count)s item on another scale is not averaged in")
            % {"count": numbers.count(len(stage.excluded))}
            if len(stage.excluded) == 1
            else _("%(count)s items on another scale are not averaged in")
            % {"count": numbers.count(len(stage.excluded))}
            if stage.excluded
            else "",
            "state": _state(stage.meets_target)[0],
            "items": [_item(it, min_n=j.min_n, numbers=numbers, rtl=rtl) for it in stage.items],
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
        "director": director_lines(j.director, numbers=numbers, rtl=rtl, local=local),
        "trend": trend_context(
            j.trend, numbers=numbers, rtl=rtl, local=local, anchor=f"journey-{j.slug}"
        ),
        "tiles": _tiles(j, numbers),
        "facts": _facts(j, numbers),
        "voice": [
            _voice(
                j.complaint_categories,
                title=_("Top gap categories (reasons for dissatisfaction) from complaint analysis"),
                note=_("Complaints of the period by reason; the share is of all complaints."),
                numbers=numbers,
                rtl=rtl,
                tied=j.complaints_tied,
            ),
            _voice(
                j.survey_categories,
                title=_("Top gap categories (reasons for dissatisfaction) from the survey"),
                note=_("Open answers by reason; the share is of all open answers."),
                numbers=numbers,
                rtl=rtl,
                tied=j.survey_tied,
            ),
        ],
        "stages": stages,
        "map_rows": _map_rows(stages),
        "legend": _(
            "Targets: %(targets)s. Each card gives the score (the mean, or the net score of an "
            "NPS item), the number of answers n and the %(level)s confidence interval; its bar "
            "shows the interval as a band, the score as a mark and the target as a line."
        )
        % {"targets": targets_text([j], numbers), "level": numbers.level(CONFIDENCE)},
        "summary": {
            "gaps": numbers.count(j.gap_count),
            "recs": numbers.count(j.recommendation_count),
            "status": _summary_status(j, numbers),
        },
        "gaps": [_gap(g, numbers) for g in j.gaps],
        # Key drivers and segments (sawt.reports.matrix_chart): None when there are none.
        "drivers": drivers_context(j.drivers, numbers=numbers, rtl=rtl),
        "segment": segment_banner(j.segment, numbers=numbers),
        "segments": segments_context(j.segments, _item_texts(j), numbers=numbers),
    }


def _item_texts(j: JourneyReport) -> dict[str, str]:
    texts = {i.code: local(i.text) for s in j.stages for i in s.items}
    if j.overall:
        texts[j.overall.code] = _("Overall satisfaction")
    return texts


def targets_text(journeys: Sequence[JourneyReport], numbers: Numbers) -> str:
    """The targets in force for the journeys' items, one per scale: "4.0 on 1–5; NPS 0"."""
    found: dict[tuple[int, int] | None, float] = {}
    for j in journeys:
        for stage in j.stages:
            for item in stage.items:
                if item.target is not None:
                    found.setdefault(None if item.nps else item.scale, item.target)
    if not found:
        return numbers.score(journeys[0].target) if journeys else numbers.score(None)
    parts = []
    for scale, target in sorted(found.items(), key=lambda kv: (kv[0] is None, kv[0] or (0, 0))):
        if scale is None:
            parts.append(_("NPS %(target)s") % {"target": numbers.nps(target)})
        else:
            parts.append(
                _("%(target)s on %(low)s–%(high)s")
                % {
                    "target": numbers.score(target),
                    "low": numbers.count(scale[0]),
                    "high": numbers.count(scale[1]),
                }
            )
    return "; ".join(parts)


def method_notes(
    journeys: Sequence[JourneyReport], *, target: float, numbers: Numbers
) -> list[str]:
    """How to read the figures: the scale, the interval, the low base, the targets, the stage
    score, NPS, the top box, the response rate and "not applicable"."""
    scales = {_scale(i) for j in journeys for s in j.stages for i in s.items}
    min_n = journeys[0].min_n if journeys else LOW_BASE
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
            "%(level)s confidence interval (t interval, kept within the scale). Where one "
            "decimal would round a score below its target up to it, two are shown (%(two)s, "
            "not %(one)s)."
        )
        % {
            "level": numbers.level(CONFIDENCE),
            "two": numbers.score_against(3.96, 4.0),
            "one": numbers.score(3.96),
        },
        _(
            "Items answered by fewer than %(n)s people are marked as having a low base: they "
            "get no interval and no significance test; read them with care."
        )
        % {"n": numbers.count(min_n)},
        _(
            "Each item is judged against the target of its own scale (%(targets)s) and marked "
            "as meeting it or falling below it."
        )
        % {"targets": targets_text(journeys, numbers)},
        _(
            "A stage's score is the plain mean of the means of its items on one scale, each "
            "item weighing the same whatever its n; items on another scale are listed but not "
            "averaged in. It is shown with its smallest n (the fewest answers any of those "
            "items had) and without an interval."
        ),
        _(
            "An NPS item (%(scale)s) is shown as its net promoter score: the share of "
            "promoters (%(promoters)s) minus the share of detractors (%(detractors)s), from "
            "%(low)s to %(high)s."
        )
        % {
            "scale": numbers.text("0–10"),
            "promoters": numbers.text("9–10"),
            "detractors": numbers.text("0–6"),
            "low": numbers.nps(-100),
            "high": numbers.count(100),
        },
        _(
            "The top box is the share of answers in the top two points of a scale of five "
            "points or more, and in its highest point on a shorter scale."
        ),
        _(
            "The response rate is completed responses (with at least one answer other than "
            "“not applicable”) divided by the people invited. Answers meaning “not "
            "applicable” are counted beside n and left out of every score."
        ),
    ]
