"""The portfolio PDF's opening page: every journey of the period ranked by its overall score,
with the change since its previous survey and its open recommendations. Built from the
portfolio's lines (reports.dataset.journey_lines), so it costs no query of its own and shows
the figures the journeys' pages show."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.translation import gettext as _

from sawt.core.numbers import Numbers
from sawt.gaps.choices import OPEN_STATUSES
from sawt.reports.dataset import JourneyLine, Names


def open_recommendations(line: JourneyLine) -> int:
    """Still to be carried out, from the period's gaps and every earlier one's."""
    if line.open_recommendations is not None:
        return line.open_recommendations
    return sum(line.by_status.get(s, 0) for s in OPEN_STATUSES)


def _position(line: JourneyLine) -> float | None:
    """The overall score as a share of its scale's range, so journeys asked on different
    scales rank fairly (a 7.5 on 0–10 is not above a 4.5 on 1–5)."""
    if line.overall is None or line.overall.mean is None:
        return None
    lo, hi = getattr(line.overall, "scale", (1, 5))
    return (line.overall.mean - lo) / (hi - lo) if hi > lo else None


def ranked(lines: Sequence[JourneyLine]) -> list[JourneyLine]:
    """Highest score first; journeys without a score last, in their portfolio order."""
    scored = [line for line in lines if _position(line) is not None]
    unscored = [line for line in lines if _position(line) is None]
    return sorted(scored, key=lambda line: -(_position(line) or 0.0)) + unscored


def _change(line: JourneyLine, numbers: Numbers) -> tuple[str, str]:
    if line.previous_period is None:
        return _("first period measured"), "none"
    change = line.change
    if change is None:
        reasons = {
            "scales_differ": _("not compared: asked on another scale"),
            "low_base": _("not tested: low base"),
        }
        return reasons.get(line.change_note or "", _("not tested")), "untested"
    difference = numbers.signed(change.difference)
    if change.significant:
        if change.direction == "up":
            return _("%(difference)s, significant rise") % {"difference": difference}, "up"
        return _("%(difference)s, significant fall") % {"difference": difference}, "down"
    return _("%(difference)s, not significant") % {"difference": difference}, "flat"


def overview_context(
    lines: Sequence[JourneyLine], *, numbers: Numbers, local: Callable[[Names | None], str]
) -> dict:
    """The ranking's rows, every figure formatted, and the note that says how to read it."""
    rows = []
    for rank, line in enumerate(ranked(lines), 1):
        change, state = _change(line, numbers)
        overall = line.overall
        rows.append(
            {
                "rank": numbers.count(rank),
                "anchor": f"journey-{line.slug}",
                "name": local(line.name),
                "agency": local(line.agency),
                "score": numbers.score(overall.mean if overall else None),
                "out_of": numbers.count(getattr(overall, "scale", (1, 5))[1]) if overall else "",
                "n": numbers.count(overall.n) if overall else "—",
                "low_base": bool(overall and overall.low_base),
                "previous": numbers.period(line.previous_period) if line.previous_period else "",
                "change": change,
                "state": state,
                "open": numbers.count(open_recommendations(line)),
            }
        )
    return {
        "rows": rows,
        "note": _(
            "Journeys ranked by overall satisfaction, highest first (a score on another scale "
            "is ranked by its place on that scale). The change is since each journey's previous "
            "survey, tested with Welch's t-test and corrected across the journeys of the "
            "period (Holm). Open recommendations are those still proposed, approved or in "
            "progress, from the gaps of this period and of earlier ones."
        ),
    }
