"""The director's view: the few facts at the top of a journey, read from the figures below it."""

from __future__ import annotations

from django.utils import translation

from sawt.core.numbers import Numbers
from sawt.metrics.director import journey_director
from sawt.reports.director_section import director_lines


def _summary() -> dict:
    def item(code, n, mean):
        return {
            "code": code,
            "n": n,
            "mean": mean,
            "text": {"ar": f"بند {code}", "en": f"Item {code}"},
        }

    return {
        "period": "2022-06",
        "stages": [
            # 3.2 on 1–5 is 55 % of the way up; 5.0 on 0–10 is 50 %: the second is weaker.
            {
                "code": "apply",
                "name": {"ar": "التقديم", "en": "Apply"},
                "mean": 3.2,
                "n_min": 40,
                "scale": [1, 5],
                "items": [item("q1", 40, 3.2)],
            },
            {
                "code": "pay",
                "name": {"ar": "الدفع", "en": "Pay"},
                "mean": 5.0,
                "n_min": 35,
                "scale": [0, 10],
                "items": [item("q2", 35, 5.0)],
            },
            {
                "code": None,
                "name": {"ar": "", "en": "Outside"},
                "mean": 1.0,
                "n_min": 3,
                "scale": [1, 5],
                "items": [item("q3", 3, 1.0)],
            },
        ],
        "gap_categories": {
            "complaints": [
                {
                    "code": "late",
                    "name": {"ar": "تأخير", "en": "Delay"},
                    "count": 12,
                    "share": 0.4,
                    "groups": 10,
                }
            ],
            "survey": [{"code": "none", "name": {"ar": "", "en": ""}, "count": 0, "share": 0.0}],
        },
        "gaps": {
            "recommendations": 3,
            "by_status": {
                "proposed": 1,
                "approved": 0,
                "in_progress": 1,
                "implemented": 1,
                "verified": 0,
                "rejected": 0,
            },
        },
    }


def _trend() -> dict:
    change = {
        "from": "2022-03",
        "difference": 0.3,
        "tested": True,
        "reason": None,
        "p": 0.001,
        "p_adjusted": 0.002,
        "significant": True,
        "direction": "up",
    }
    return {
        "overall": {
            "code": "overall",
            "scale": [1, 5],
            "excluded": [],
            "points": [
                {
                    "period": "2022-03",
                    "n": 200,
                    "mean": 3.5,
                    "ci95": [3.4, 3.6],
                    "low_base": False,
                    "change": None,
                },
                {
                    "period": "2022-06",
                    "n": 210,
                    "mean": 3.8,
                    "ci95": [3.7, 3.9],
                    "low_base": False,
                    "change": change,
                },
            ],
        }
    }


def test_the_view_reads_the_figures_below_it():
    view = journey_director(summary=_summary(), trend=_trend())
    assert view["overall"]["mean"] == 3.8 and view["overall"]["previous"]["period"] == "2022-03"
    assert view["overall"]["change"]["significant"]
    # The weakest stage relative to its scale, never the stage-less items.
    assert view["weakest_stage"]["code"] == "pay" and view["weakest_stage"]["n_min"] == 35
    assert view["top_complaint"]["code"] == "late" and view["top_survey"] is None
    assert view["driver"] is None
    assert view["recommendations"]["open"] == 2 and view["recommendations"]["impact"] is None


def test_drivers_and_impact_come_from_their_parts():
    summary = _summary()
    summary["drivers"] = [
        {"code": "q1", "importance": 0.6, "importance_ci95": [0.4, 0.8], "mean": 3.2}
    ]
    impact = {
        "recommendations": [
            {"verdict": "improved"},
            {"verdict": "too_early"},
            {"verdict": None},
        ]
    }
    view = journey_director(summary=summary, trend=_trend(), impact=impact)
    assert view["driver"]["text"]["en"] == "Item q1"
    assert view["recommendations"]["impact"] == {
        "improved": 1,
        "no_change": 0,
        "worse": 0,
        "too_early": 1,
    }
    with translation.override("en"):
        lines = director_lines(
            view, numbers=Numbers("latin"), rtl=False, local=lambda n: (n or {}).get("en", "")
        )
    text = {line["key"]: line["text"] for line in lines}
    assert 4 <= len(lines) <= 6
    assert "score is 3.8 out of 5" in text["overall"] and "3.5 › 3.8" in text["overall"]
    assert "a significant rise" in text["overall"]
    assert "Pay" in text["stage"] and "35" in text["stage"]
    assert "Delay" in text["complaints"] and "survey" not in text
    assert "Item q1" in text["driver"]
    assert (
        "Improved: 1, too early to tell: 1" in text["recommendations"]
        and "2 still open" in text["recommendations"]
    )


def test_an_untested_change_claims_no_significance():
    trend = _trend()
    trend["overall"]["points"][1]["change"] = {
        "difference": 0.3,
        "tested": False,
        "reason": "low_base",
        "significant": None,
        "direction": None,
    }
    view = journey_director(summary=_summary(), trend=trend)
    with translation.override("en"):
        (overall, *_) = director_lines(view, numbers=Numbers("latin"), rtl=False, local=str)
    assert "not tested" in overall["text"] and "significant" not in overall["text"]


def test_the_view_is_arabic_in_arabic():
    view = journey_director(summary=_summary(), trend=_trend())
    with translation.override("ar"):
        lines = director_lines(
            view, numbers=Numbers("latin"), rtl=True, local=lambda n: (n or {}).get("ar", "")
        )
    assert lines[0]["text"].startswith("الرضا العام") and "3.5 › 3.8" in lines[0]["text"]
    assert "أضعف مرحلة" in lines[1]["text"] and "الدفع" in lines[1]["text"]


def test_a_period_without_gaps_still_owes_the_earlier_decisions():
    summary = _summary()
    summary["gaps"] = {
        "count": 0,
        "recommendations": 0,
        "by_status": dict.fromkeys(("proposed", "approved", "in_progress"), 0),
    }
    view = journey_director(summary=summary, trend=_trend(), open_earlier=3)
    with translation.override("en"):
        lines = director_lines(view, numbers=Numbers("latin"), rtl=False, local=str)
    text = {line["key"]: line["text"] for line in lines}["recommendations"]
    assert text == (
        "No recommendation is recorded for this period. Still open from earlier periods: 3."
    )
