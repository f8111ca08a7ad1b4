"""The director's view in words: four to six short sentences generated from the data of
sawt.metrics.director, every figure written by Numbers. Pure functions; no database."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from sawt.core.numbers import Numbers
from sawt.gaps.choices import RecommendationStatus

Local = Callable[[dict[str, str] | None], str]


def _verdict_label(verdict: str) -> str:
    return {
        "improved": _("improved"),
        "no_change": _("no change"),
        "worse": _("worse"),
        "too_early": _("too early to tell"),
    }[verdict]


def _change(overall: dict, numbers: Numbers) -> str:
    previous, change = overall["previous"], overall["change"]
    if previous is None:
        return _("This is the first period measured: there is no change to show yet.")
    values = {"period": numbers.period(previous["period"])}
    if change is None:
        return _("No change can be computed since %(period)s.") % values
    values["difference"] = numbers.signed(change["difference"])
    if change["tested"]:
        if change["direction"] == "up":
            return _("Up %(difference)s since %(period)s: a significant rise.") % values
        if change["direction"] == "down":
            return _("Down %(difference)s since %(period)s: a significant fall.") % values
        return _("%(difference)s since %(period)s: not a significant change.") % values
    if change["reason"] == "low_base":
        return _("%(difference)s since %(period)s, not tested: too few answers.") % values
    return _("%(difference)s since %(period)s, not tested.") % values


def _overall_line(overall: dict, numbers: Numbers, rtl: bool) -> str:
    # The series reads oldest first, in the line's direction: "›" is a mirrored character, so an
    # Arabic line shows it as "‹", pointing the way it reads. (Not an arrow: the report's
    # bundled fonts have no arrows, and a fallback font would creep into the PDF.)
    arrow = " › "
    series = arrow.join(numbers.score(p["mean"]) for p in overall["series"])
    values = {
        "score": numbers.score(overall["mean"]),
        "n": numbers.count(overall["n"]),
        "high": numbers.count(overall["scale"][1]) if overall["scale"] else "—",
    }
    if len(overall["series"]) > 1:
        head = _(
            "The overall satisfaction score is %(score)s out of %(high)s (n = %(n)s); by "
            "period: %(series)s."
        ) % {**values, "series": series}
    else:
        head = (
            _("The overall satisfaction score is %(score)s out of %(high)s (n = %(n)s).") % values
        )
    if overall["low_base"]:
        head += " " + _("A low base: read it with care.")
    return f"{head} {_change(overall, numbers)}"


def _statuses(by_status: dict[str, int], numbers: Numbers, rtl: bool) -> str:
    return ("، " if rtl else ", ").join(
        _("%(count)s %(status)s")
        % {"count": numbers.count(n), "status": RecommendationStatus(status).label}
        for status, n in by_status.items()
        if n
    )


def director_lines(
    director: dict | None, *, numbers: Numbers, rtl: bool, local: Local
) -> list[dict]:
    """The view as [{key, text}], in a fixed order; a line without data is left out."""
    if not director:
        return []
    lines: list[dict] = []
    overall = director["overall"]
    if overall:
        lines.append({"key": "overall", "text": _overall_line(overall, numbers, rtl)})
    stage = director["weakest_stage"]
    if stage:
        lines.append(
            {
                "key": "stage",
                "text": _("Weakest stage: %(stage)s, score %(score)s (smallest n = %(n)s).")
                % {
                    "stage": local(stage["name"]),
                    "score": numbers.score(stage["mean"]),
                    "n": numbers.count(stage["n_min"]),
                },
            }
        )
    for key, reason, sentence in (
        (
            "complaints",
            director["top_complaint"],
            _("Top reason in complaints: %(reason)s (%(count)s complaints, %(share)s of all)."),
        ),
        (
            "survey",
            director["top_survey"],
            _(
                "Top reason in the survey's open answers: %(reason)s (%(count)s answers, "
                "%(share)s of all)."
            ),
        ),
    ):
        if reason:
            lines.append(
                {
                    "key": key,
                    "text": sentence
                    % {
                        "reason": local(reason["name"]),
                        "count": numbers.count(reason["count"]),
                        "share": numbers.pct(reason["share"]),
                    },
                }
            )
    driver = director["driver"]
    if driver:
        lines.append(
            {
                "key": "driver",
                "text": _(
                    "Strongest driver of overall satisfaction: “%(item)s” (%(share)s of what the "
                    "items explain; its score %(score)s)."
                )
                % {
                    "item": local(driver["text"]),
                    "share": numbers.pct(driver["importance"]),
                    "score": numbers.score(driver["mean"]),
                },
            }
        )
    recs = director["recommendations"]
    if recs["total"]:
        text = _("Recommendations of the period: %(statuses)s (%(open)s still open).") % {
            "statuses": _statuses(recs["by_status"], numbers, rtl),
            "open": numbers.count(recs["open"]),
        }
    elif recs.get("open_earlier"):
        text = _(
            "No recommendation is recorded for this period. Still open from earlier periods: "
            "%(open)s."
        ) % {"open": numbers.count(recs["open_earlier"])}
    else:
        text = _("No recommendation is recorded for this period.")
    if recs["impact"]:
        verdicts = ("، " if rtl else ", ").join(
            _("%(verdict)s: %(count)s") % {"verdict": _verdict_label(v), "count": numbers.count(n)}
            for v, n in recs["impact"].items()
            if n
        )
        text += " " + _("Implemented ones, did they work? %(verdicts)s.") % {
            "verdicts": capfirst(verdicts)
        }
    lines.append({"key": "recommendations", "text": text})
    return lines
