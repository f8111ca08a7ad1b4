"""The summary as text for a person at a terminal (`sawt summary --format table`).

Lines are written in logical order: a bidi-aware UTF-8 terminal lays Arabic lines out right to
left on its own. Reversing glyphs here would break exactly those terminals.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sawt.core.numbers import Numbers, fixed, interval_text, places_against, signed_text
from sawt.distribution.choices import Channel
from sawt.distribution.selectors import failure_label
from sawt.gaps.choices import RecommendationStatus
from sawt.metrics.targets import min_n


def _width(text: str) -> int:
    # Combining marks and format characters (the interval's direction marks) take no column.
    return sum(
        0 if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf" else 1 for ch in text
    )


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class _Fmt:
    """The report's number rules (sawt.core.numbers: one rounding, half up on the decimal),
    without the isolates it adds around figures for pages; an interval keeps its direction
    marks, which a bidi terminal needs to show it lower–upper in an Arabic line (they take no
    column: see _width)."""

    def __init__(self, digits: str) -> None:
        self._d = Numbers(digits).text

    def score(self, value: float | None) -> str:
        return "—" if value is None else self._d(fixed(value, 1))

    def score_against(self, value: float | None, target: float | None) -> str:
        return "—" if value is None else self._d(fixed(value, places_against(value, target)))

    def nps(self, value: float | None) -> str:
        return "—" if value is None else self._d(signed_text(value, 0))

    def count(self, value: int | None) -> str:
        return "—" if value is None else self._d(f"{value:,}")

    def pct(self, value: float | None) -> str:
        return "—" if value is None else self._d(fixed(value, 1, shift=2) + "%")

    def ci(self, ci: list[float] | None) -> str:
        return "—" if not ci else self._d(interval_text(fixed(ci[0], 2), fixed(ci[1], 2)))

    def margin(self, value: float | None) -> str:
        return "—" if value is None else self._d("±" + fixed(value, 2))


def _name(names: dict[str, str], lang: str) -> str:
    return (names.get("en") or names.get("ar", "")) if lang == "en" else names.get("ar", "")


def summary_table(summary: dict, *, digits: str = "latin") -> str:
    """Render the public summary (see docs/summary.md) as aligned text in the active language."""
    lang = (get_language() or "ar")[:2]
    f = _Fmt(digits)
    journey, sample, overall = summary["journey"], summary["sample"], summary["overall"]
    lines = [
        _("%(journey)s — %(agency)s — %(period)s")
        % {
            "journey": _name(journey["name"], lang),
            "agency": _name(journey["agency"]["name"], lang),
            "period": summary["period"],
        },
        _(
            "Sample: invited %(sent)s · responses %(responses)s (completed %(completed)s) · "
            "response rate (completed ÷ invited) %(rate)s · complaints %(complaints)s"
        )
        % {
            "sent": f.count(sample["sent"]),
            "responses": f.count(sample["responses"]),
            "completed": f.count(sample.get("completed")),
            "rate": f.pct(sample["response_rate"]),
            "complaints": f.count(sample["complaints"]),
        },
    ]
    if overall:
        lines.append(
            _("Overall satisfaction: %(mean)s (n = %(n)s, 95%% CI %(ci)s, %(box)s %(top2)s)")
            % {
                "mean": f.score_against(overall["mean"], overall.get("target")),
                "n": f.count(overall["n"]),
                "ci": f.ci(overall["ci95"]) if overall["ci95"] else _("none (low base)"),
                "box": _box_label(overall),
                "top2": f.pct(overall["top2"]),
            }
        )
    if overall and summary.get("trend", {}).get("overall"):
        lines += ["", *_trend_block(summary, f)]
    if summary.get("distribution"):
        lines += ["", *_funnel_table(summary["distribution"], lang, f)]
    lines += ["", *_items_table(summary["stages"], lang, f)]
    for key, title in (
        ("complaints", _("Gap categories from complaints")),
        ("survey", _("Gap categories from open-text answers")),
    ):
        lines += ["", title, *_ranking(summary["gap_categories"][key], lang, f)]
    gaps = summary["gaps"]
    lines += [
        "",
        _("Gaps: %(gaps)s · recommendations: %(recs)s (%(statuses)s)")
        % {
            "gaps": f.count(gaps["count"]),
            "recs": f.count(gaps["recommendations"]),
            "statuses": ("، " if lang == "ar" else ", ").join(
                f"{RecommendationStatus(status).label} {f.count(n)}"
                for status, n in gaps["by_status"].items()
                if n
            )
            or "—",
        },
    ]
    return "\n".join(lines)


def _trend_block(summary: dict, f: _Fmt) -> list[str]:
    """Overall satisfaction per period, oldest first, the current period last (the summary's
    `trend` holds the earlier ones on the current item's scale)."""
    current = {**summary["overall"], "period": summary["period"]}
    header = [_("Period"), _("n"), _("mean"), _("95% CI")]
    rows = [
        [p["period"], f.count(p["n"]), f.score(p["mean"]), f.ci(p["ci95"])]
        for p in [*summary["trend"]["overall"], current]
    ]
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [_("Overall satisfaction by period")] + [
        "  " + "  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]


def _box_label(item: dict) -> str:
    """What the item's `top2` share counts: its top two points, or its top one on a short
    scale."""
    return _("top-2") if item.get("top_box_points", 2) == 2 else _("top box")


def _items_table(stages: list[dict], lang: str, f: _Fmt) -> list[str]:
    header = [
        _("Stage / item"),
        _("n"),
        _("not applicable"),
        _("score"),
        _("target"),
        _("95% CI"),
        _("top box"),
    ]
    rows: list[list[str]] = []
    low_any = False
    for stage in stages:
        stage_n = _("min %(n)s") % {"n": f.count(stage["n_min"])} if stage.get("n_min") else ""
        rows.append(
            [
                _name(stage["name"], lang) + (" *" if stage.get("low_base") else ""),
                stage_n,
                "",
                f.score_against(stage["mean"], stage.get("target")),
                f.score(stage.get("target")),
                "",
                "",
            ]
        )
        for item in stage["items"]:
            low = item.get("low_base", item["n"] < 30)
            low_any = low_any or low or bool(stage.get("low_base"))
            nps = item.get("nps")
            if nps is not None:
                score = _("NPS %(score)s") % {"score": f.nps(nps["score"])}
                target = f.nps(item.get("target"))
                interval = f.margin(nps["moe95"]) if nps["moe95"] is not None else "—"
            else:
                score = f.score_against(item["mean"], item.get("target"))
                target = f.score(item.get("target"))
                interval = f.ci(item["ci95"])
            box = f.pct(item["top2"])
            if item.get("top_box_points", 2) == 1:
                box += " " + _("(top 1)")
            rows.append(
                [
                    "  " + _name(item["text"], lang) + (" *" if low else ""),
                    f.count(item["n"]),
                    f.count(item.get("not_applicable", 0)),
                    score,
                    target,
                    interval,
                    box,
                ]
            )
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(_pad(c, w) for c, w in zip(header, widths, strict=True)).rstrip()]
    out += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    if low_any:
        out.append(
            _("* low base: fewer than %(n)s answers, no interval: read with care")
            % {"n": f.count(min_n())}
        )
    out.append(
        _(
            "A stage's score is the plain mean of its items' means on one scale; "
            "“min” is the smallest n behind it."
        )
    )
    return out


def _ranking(ranking: list[dict], lang: str, f: _Fmt) -> list[str]:
    rows = [r for r in ranking if r["count"]]
    if not rows:
        return ["  " + _("none categorised yet")]
    width = max(_width(_name(r["name"], lang)) for r in rows)
    return [
        f"  {i}. "
        + _pad(_name(r["name"], lang), width)
        + f"  {f.count(r['count']):>6}  {f.pct(r['share']):>6}"
        + _groups(r, f)
        for i, r in enumerate(rows, 1)
    ]


def _groups(row: dict, f: _Fmt) -> str:
    # Only where near-duplicates were merged: otherwise the count says it all.
    if row.get("groups") is None or row["groups"] == row["count"]:
        return ""
    return "  " + _("(%(groups)s without repeats)") % {"groups": f.count(row["groups"])}


def _funnel_table(funnel: dict, lang: str, f: _Fmt) -> list[str]:
    """The response funnel (summary key `distribution`): one row for all invitations, one per
    channel used and one per stratum, then where the unfinished ones ended."""
    stages = ("invited", "sent", "opened", "started", "completed")
    header = [
        _("Invitations"),
        _("invited"),
        _("sent"),
        _("opened"),
        _("started"),
        _("completed"),
        _("response rate"),
    ]

    def row(label: str, counts: dict) -> list[str]:
        return [label, *(f.count(counts[s]) for s in stages), f.pct(counts["response_rate"])]

    rows = [row(_("All"), funnel)]
    rows += [
        row("  " + str(Channel(code).label), counts)
        for code, counts in funnel["by_channel"].items()
        if counts["invited"]
    ]
    if funnel["by_stratum"]:
        rows.append([_("By %(column)s") % {"column": funnel["stratified_by"] or _("stratum")}])
        rows += [row("  " + (s["stratum"] or _("(none)")), s) for s in funnel["by_stratum"]]
    widths = [max(_width(r[i]) for r in [header, *rows] if i < len(r)) for i in range(len(header))]
    out = [
        "  ".join(_pad(c, w) for c, w in zip(r, widths, strict=False)).rstrip()
        for r in [header, *rows]
    ]
    failures = ("، " if lang == "ar" else ", ").join(
        f"{failure_label(reason)} {f.count(n)}" for reason, n in funnel["failures"].items()
    )
    out.append(
        _(
            "Sampled %(sampled)s · not sent yet %(queued)s · failed %(failed)s%(reasons)s · "
            "expired %(expired)s · opted out %(opted_out)s"
        )
        % {
            "sampled": f.count(funnel["sampled"]),
            "queued": f.count(funnel["queued"]),
            "failed": f.count(funnel["failed"]),
            "reasons": f" ({failures})" if failures else "",
            "expired": f.count(funnel["expired"]),
            "opted_out": f.count(funnel["opted_out"]),
        }
    )
    return out
