"""The impact result (sawt.metrics.impact) in words: verdict and measure names for every page,
and the text table of `sawt impact --format table`.

Lines are written in logical order, as the summary's table is (sawt.metrics.render).
"""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sawt.core.i18n import pick
from sawt.core.numbers import Numbers, fixed, signed_text
from sawt.gaps.choices import RecommendationStatus
from sawt.metrics.render import _pad, _width

VERDICT_LABELS = {
    "improved": gettext_lazy("improved"),
    "no_change": gettext_lazy("no change"),
    "worse": gettext_lazy("worse"),
    "too_early": gettext_lazy("too early to tell"),
}
KIND_LABELS = {
    "item": gettext_lazy("item"),
    "stage": gettext_lazy("stage"),
    "category": gettext_lazy("complaint category"),
}


def verdict_label(verdict: str | None) -> str:
    """A verdict in the active language; a dash for none (not implemented)."""
    return str(VERDICT_LABELS[verdict]) if verdict in VERDICT_LABELS else "—"


class ImpactFigures:
    """A measure's figures through Numbers: scores and their differences to two decimals (a
    change is smaller than a score), rates per 1,000 to one decimal, shares as percentages."""

    def __init__(self, numbers: Numbers) -> None:
        self.numbers = numbers

    def value(self, measure: dict, value: float | None) -> str:
        if value is None:
            return "—"
        if measure["kind"] != "category":
            return self.numbers.text(fixed(value, 2))
        if measure.get("basis") == "share_of_complaints":
            return self.numbers.pct(value)
        return _("%(rate)s per 1,000") % {"rate": self.numbers.text(fixed(value, 1))}

    def difference(self, measure: dict) -> str:
        d = measure["difference"]
        if d is None:
            return "—"
        if measure["kind"] == "category" and measure.get("basis") == "share_of_complaints":
            return self.numbers.text(signed_text(d * 100, 1)) + " " + _("points")
        return self.numbers.text(signed_text(d, 2 if measure["kind"] != "category" else 1))

    def p(self, value: float | None) -> str:
        if value is None:
            return "—"
        return self.numbers.text("< 0.001" if value < 0.001 else fixed(value, 3))

    def side(self, measure: dict, side: dict) -> str:
        """periods · n · value, e.g. “2024-04, 2024-07 · n = 400 · 4.00”."""
        if not side["periods"]:
            return _("no period yet")
        return _("%(periods)s · n = %(n)s · %(value)s") % {
            # Joined after the digits are changed: a comma would become the Arabic thousands
            # separator; the list separator is the language's own.
            "periods": _(", ").join(self.numbers.text(p) for p in side["periods"]),
            "n": self.numbers.count(side["n"]),
            "value": self.value(measure, side["value"]),
        }


def impact_view(entry: dict, *, numbers: Numbers, names: dict | None = None) -> dict:
    """One recommendation's impact entry for a page or a report: every figure formatted, every
    label translated. A measure too early to tell shows its sides (their n say why) but no
    difference and no p: an untested difference would read as a finding."""
    fig = ImpactFigures(numbers)
    names = names or {}

    def name(kind: str, code: str) -> str:
        found = names.get(kind, {}).get(code)
        return pick(found.get("ar", ""), found.get("en", "")) if found else ""

    measures = []
    for m in entry["measures"]:
        early = m["verdict"] == "too_early"
        measures.append(
            {
                "kind": m["kind"],
                "kind_label": str(KIND_LABELS[m["kind"]]),
                "code": m["code"],
                "name": name(m["kind"], m["code"]),
                "before": fig.side(m, m["before"]),
                "after": fig.side(m, m["after"]),
                "difference": "—" if early else fig.difference(m),
                "p": "—" if early else fig.p(m["p_value"]),
                "verdict": m["verdict"],
                "verdict_label": verdict_label(m["verdict"]),
            }
        )
    return {
        "id": entry["id"],
        "gap": numbers.count(entry["gap"]),
        "status": entry["status"],
        "status_label": capfirst(str(RecommendationStatus(entry["status"]).label)),
        "implemented_at": numbers.text(entry["implemented_at"]) if entry["implemented_at"] else "",
        "verdict": entry["verdict"],
        "verdict_label": verdict_label(entry["verdict"]),
        "measures": measures,
    }


_NO_ISOLATES = dict.fromkeys(range(0x2066, 0x206A))


def impact_table(result: dict, *, digits: str = "latin") -> str:
    """`sawt impact` as aligned text in the active language."""
    fig = ImpactFigures(Numbers(digits))
    lines = [
        _("Impact of implemented recommendations — %(journey)s") % {"journey": result["journey"]}
    ]
    if not result["recommendations"]:
        lines.append(_("No recommendation of this journey is implemented yet."))
    for rec in result["recommendations"]:
        lines += [
            "",
            _(
                "Gap %(gap)s · recommendation %(id)s · %(status)s · implemented %(date)s · "
                "verdict: %(verdict)s"
            )
            % {
                "gap": fig.numbers.count(rec["gap"]),
                "id": fig.numbers.count(rec["id"]),
                "status": RecommendationStatus(rec["status"]).label,
                "date": fig.numbers.text(rec["implemented_at"] or "—"),
                "verdict": verdict_label(rec["verdict"]),
            },
        ]
        if not rec["measures"]:
            lines.append("  " + _("Nothing recorded that it should move."))
            continue
        header = [_("measure"), _("before"), _("after"), _("difference"), _("p"), _("verdict")]
        rows = [
            [
                f"{KIND_LABELS[m['kind']]} {m['code']}",
                # No isolates at a terminal (a bidi terminal orders each line itself, and the
                # others print the marks as boxes): the same rule as `sawt summary`'s table.
                fig.side(m, m["before"]).translate(_NO_ISOLATES),
                fig.side(m, m["after"]).translate(_NO_ISOLATES),
                fig.difference(m),
                fig.p(m["p_value"]),
                verdict_label(m["verdict"]),
            ]
            for m in rec["measures"]
        ]
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines += [
            "  " + "  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in [header, *rows]
        ]
    return "\n".join(lines)
