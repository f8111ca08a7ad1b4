"""The target each item is judged against, per question kind and scale (settings.SAWT_TARGETS).

One 4.0 for every item judged a 0–10 item at 4 out of 10 and an NPS item by its mean: each
scale has its own target, and an NPS item is judged on its net score (−100…100), the figure
the ministry reads for it.
"""

from __future__ import annotations

from django.conf import settings

from sawt.surveys.choices import QuestionKind

# NPS needs the 0–10 scale: promoters answer 9–10, detractors 0–6.
NPS_SCALE = (0, 10)


def is_nps(kind: str, scale: tuple[int, int] | None) -> bool:
    """Whether the item is read as a net promoter score (an NPS item on 0–10)."""
    return kind == QuestionKind.NPS and scale == NPS_SCALE


def target_for(kind: str, scale: tuple[int, int]) -> float:
    """The item's target: on the NPS scale for an NPS item, else a mean on its own scale.

    SAWT_TARGETS is read by the most specific key: "KIND:LO-HI", then "LO-HI"; a scale not
    listed is judged at lo + SAWT_TARGET_FRACTION·(hi − lo) (4.0 on 1–5)."""
    targets: dict[str, float] = getattr(settings, "SAWT_TARGETS", {})
    if is_nps(kind, scale):
        return float(targets.get("nps", 0.0))
    lo, hi = scale
    for key in (f"{kind}:{lo}-{hi}", f"{lo}-{hi}"):
        if key in targets:
            return float(targets[key])
    if (lo, hi) == (1, 5):  # SAWT_TARGETS replaced wholesale in a test or a settings file
        return float(getattr(settings, "SAWT_REPORT_TARGET", 4.0))
    fraction = float(getattr(settings, "SAWT_TARGET_FRACTION", 0.75))
    return lo + fraction * (hi - lo)


def min_n() -> int:
    """Fewest answers for an interval or a test (settings.SAWT_MIN_N, default 30)."""
    return int(getattr(settings, "SAWT_MIN_N", 30))
