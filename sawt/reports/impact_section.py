"""The report's "Did it work?" section: each implemented recommendation's verdict and measures,
formatted through Numbers like every figure of the report. A pure function of the frozen
report (JourneyReport.impact); no database."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sawt.core.i18n import pick
from sawt.core.numbers import Numbers
from sawt.metrics.impact import ALPHA
from sawt.metrics.impact_render import VERDICT_LABELS, impact_view
from sawt.metrics.impact_stats import VERDICTS
from sawt.reports.dataset import JourneyReport


def impact_context(j: JourneyReport, *, numbers: Numbers) -> dict | None:
    """The section's rows, the verdict counts and how to read them; None when the report has
    no impact result (built before sawt measured impact)."""
    if j.impact is None:
        return None
    names = j.impact.get("names") or {}
    # JSON keys are strings once a report is stored; ids are ints when it is fresh.
    decisions = {str(k): v for k, v in (j.impact.get("decisions") or {}).items()}
    recs = []
    for entry in j.impact["recommendations"]:
        view = impact_view(entry, numbers=numbers, names=names)
        text = decisions.get(str(entry["id"]), {})
        view["decision"] = pick(text.get("ar", ""), text.get("en", ""))
        recs.append(view)
    counts = {v: sum(1 for r in j.impact["recommendations"] if r["verdict"] == v) for v in VERDICTS}
    return {
        "recs": recs,
        "counts": " · ".join(
            _("%(verdict)s: %(count)s") % {"verdict": VERDICT_LABELS[v], "count": numbers.count(n)}
            for v, n in counts.items()
            if n
        ),
        "note": _(
            "Each implemented recommendation is checked on what it should move: its survey "
            "items and stage (mean scores), and its complaint category (complaints per 1,000 "
            "service transactions, or their share of all complaints). “Before” is the last "
            "survey period ending before the implementation, “after” every period starting "
            "after it, together. A change counts only when significant at %(alpha)s after Holm's "
            "correction; with fewer than %(n)s answers on a side, it is too early to tell."
        )
        % {"alpha": numbers.level(ALPHA), "n": numbers.count(j.min_n)},
    }
